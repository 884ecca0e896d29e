"""The child process that reads a frame for the web and the CLI: same result, and its limits end
it with a message instead of taking the server down."""

from __future__ import annotations

import base64
import signal

import numpy as np

from sampling.frames import Limits, read_frame
from sampling.frames.isolated import WAIT_FACTOR, _child_failure, read_frame_isolated
from sampling.frames.read import SCAN_ALONGSIDE


def test_the_child_gives_what_read_frame_gives(rows, header, to_csv, to_xlsx):
    for data in (to_csv(header, rows, "gbk"), to_xlsx(header, rows)):
        seen = []
        isolated, direct = read_frame_isolated(data, progress=seen.append), read_frame(data)
        assert isolated.ok and direct.ok
        assert isolated.frame.content_hash == direct.frame.content_hash
        assert isolated.frame.id_order.tolist() == direct.frame.id_order.tolist()
        assert (isolated.encoding, isolated.rows) == (direct.encoding, direct.rows)
        assert seen[-1] == len(rows)


def test_issues_come_back_from_the_child(rows, header, to_csv):
    rows[2][header.index("status")] = "gone"
    result = read_frame_isolated(to_csv(header, rows))
    assert not result.ok
    issue = result.issues[0]
    assert (issue.row, issue.column, issue.value) == (4, "status", "gone")
    assert "gone" in issue.message.render("zh")


def test_a_child_over_its_memory_limit_ends_with_a_message(rows, header, to_csv):
    result = read_frame_isolated(to_csv(header, rows), limits=Limits(max_memory=64 * 2**20))
    assert not result.ok and result.issue_count == 1
    assert result.issues[0].message.render("zh").startswith("读取文件所需内存超过 64 MB")


def test_a_child_over_its_time_limit_is_stopped_with_a_message(rows, header, to_csv):
    result = read_frame_isolated(to_csv(header, rows), limits=Limits(max_seconds=0.01))
    assert not result.ok
    assert result.issues[0].message.render("en").startswith("Reading the file took longer")


def _large_workbook(extra_cell: str | None = None) -> bytes:
    """The good workbook with an XML comment of 20 MB of random text in its sheet (over
    SCAN_ALONGSIDE unpacked, little compressible), and one more cell if given."""
    from tests.hostile_frames import SHEET, _rewrite, good_xlsx

    filler = base64.b64encode(np.random.default_rng(1).bytes(15 * 2**20))
    assert len(filler) > SCAN_ALONGSIDE
    data = good_xlsx({extra_cell: "x"} if extra_cell else None)
    comment = b"<!--" + filler + b"-->"
    return _rewrite(
        data,
        lambda n, body: (
            body.replace(b"<sheetData>", comment + b"<sheetData>", 1) if n == SHEET else body
        ),
    )


def test_a_large_workbook_measured_while_it_is_parsed_is_read_as_before():
    data = _large_workbook()
    isolated, direct = read_frame_isolated(data), read_frame(data)
    assert isolated.ok and direct.ok
    assert isolated.frame.content_hash == direct.frame.content_hash


def test_a_refusal_found_while_a_large_workbook_is_parsed_ends_the_child_with_it():
    result = read_frame_isolated(_large_workbook("AE2"), limits=Limits(max_columns=30))
    assert not result.ok and result.issue_count == 1
    assert result.issues[0].message.render("zh").startswith("文件超过 30 列")


def test_a_child_over_its_processor_time_is_stopped_with_the_time_message():
    """The system stops the child (SIGXCPU) after ``max_seconds`` of processor time."""
    limits = Limits(max_seconds=30)
    message = _child_failure(-signal.SIGXCPU, limits)
    assert message.render("en").startswith("Reading the file took longer than 30 seconds")
    waited = _child_failure(None, limits).render("en")
    assert f"longer than {30 * WAIT_FACTOR} seconds" in waited
    assert (
        _child_failure(-signal.SIGKILL, limits).render("en").startswith("Reading the file needed")
    )
