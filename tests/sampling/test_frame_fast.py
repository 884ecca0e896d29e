"""The fast CSV path gives exactly what the general path gives, and takes clean files.

The general reader (``csv``-style split into strings, then the row checks) is the reference:
every generated file is read twice, once as ``read_frame`` does (fast path first) and once
with the fast path switched off, and the two results must agree in every array, the content
hash, the issues, the encoding and the row count.
"""

from __future__ import annotations

import io

import numpy as np
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sampling import frame_fast, frames
from sampling.frame_columns import CANONICAL_COLUMNS
from sampling.synthetic import synthetic_frame_csv

ARRAYS = (*CANONICAL_COLUMNS, "extra_json", "source_row", "village_index", "id_order")
VILLAGE_ARRAYS = (
    "key",
    "township",
    "village",
    "village_code",
    "village_type",
    "remote",
    "households",
    "persons",
)


def general_path(data: bytes, **kwargs):
    """``read_frame`` with every fast path switched off."""
    saved = frames._read_fast, frames._read_coded, frames._read_fast_xlsx
    frames._read_fast = frames._read_coded = frames._read_fast_xlsx = lambda *args: None
    try:
        return frames.read_frame(data, **kwargs)
    finally:
        frames._read_fast, frames._read_coded, frames._read_fast_xlsx = saved


def read_both(data: bytes, *, path: str = "_read_fast", **kwargs):
    """(result as read_frame gives it, general-path result, whether the fast path ``path``
    (``_read_fast`` for plain CSV bytes, ``_read_coded`` for cells already read) answered)."""
    answered = []
    saved = getattr(frames, path)

    def spy(*args):
        result = saved(*args)
        answered.append(result is not None)
        return result

    setattr(frames, path, spy)
    try:
        result = frames.read_frame(data, **kwargs)
    finally:
        setattr(frames, path, saved)
    return result, general_path(data, **kwargs), any(answered)


def _issues(result) -> list[tuple]:
    return [(i.row, i.column, i.value, i.message.msgid, i.message.mapping) for i in result.issues]


def assert_same(result, reference) -> None:
    assert result.ok == reference.ok
    assert (result.encoding, result.rows, result.file_format) == (
        reference.encoding,
        reference.rows,
        reference.file_format,
    )
    assert result.issue_count == reference.issue_count
    assert _issues(result) == _issues(reference)
    if not reference.ok:
        return
    a, b = result.frame, reference.frame
    assert a.content_hash == b.content_hash
    assert a.extra_columns == b.extra_columns
    for name in ARRAYS:
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype, name
        assert x.tolist() == y.tolist(), name
        assert [type(v) for v in x.tolist()] == [type(v) for v in y.tolist()], name
    for name in VILLAGE_ARRAYS:
        x, y = getattr(a.villages, name), getattr(b.villages, name)
        assert x.dtype == y.dtype, name
        assert x.tolist() == y.tolist(), name


# --- generated files -----------------------------------------------------------------------

VILLAGES = [
    # township, village, code, type, remote
    ("城关镇", "东村", "V01", "poor", "1"),
    ("城关镇", "西村", "V02", "贫困村", "0"),
    ("河口乡", "东村", "V03", "non_poor", "否"),
    ("河口乡", "新庄", "V004", "非贫困村", "是"),
]
STATUS = ["exited", "已脱贫", "Exited", "not_exited", "未脱贫", "non_registered", "非建档立卡"]
SIZES = ["1", "3", "4.0", " 5", "30", "12"]
FLAGS = ["0", "1", "是", "否", "", "yes", " 1 "]
NAMES = [
    "王国华",
    "李秀英",
    "张明",
    " 吴海",
    "赵\u3000平",
    "Li Wei",
    "欧阳建国",
    "O'Neil",
    "长名" * 20,
]
EXTRA = ["第1组", "第2组", "", "a:b", "{x}", " 第3组 ", "\\反斜杠"]
ALIASES = {
    "household_id": ["household_id", "户编号", "Household ID"],
    "township": ["township", "乡镇"],
    "village": ["village", "行政村"],
    "village_code": ["village_code", "村编码"],
    "village_type": ["village_type", "村类型"],
    "remote": ["remote", "偏远村"],
    "status": ["status", "户类型"],
    "exit_year": ["exit_year", "脱贫年份"],
    "household_size": ["household_size", "家庭人口"],
    "head_name": ["head_name", "户主姓名"],
}
OPTIONAL = ["village_code", "remote", "dibao", "unsafe_house", "serious_illness", "no_labour"]
FLAW_KINDS = [
    "duplicate_id",
    "bad_status",
    "year_missing",
    "year_extra",
    "bad_size",
    "blank_name",
    "village_type_conflict",
    "blank_line",
    "ragged_line",
    "quote",
    "long_cell",
    "control",
    "slash_township",
    "leading_blank_line",
    "bad_bytes",
    "text_beyond_header",
]


@st.composite
def frame_files(draw, flaws=True):
    """(file bytes, clean): ``clean`` when no flaw was put in the file."""
    n = draw(st.integers(1, 25))
    with_codes = draw(st.booleans())
    columns = list(ALIASES)
    dropped = draw(st.sets(st.sampled_from(OPTIONAL)))
    if not with_codes:
        dropped.add("village_code")
    columns = [c for c in columns if c not in dropped]
    columns += [f for f in ("dibao", "unsafe_house", "no_labour") if f not in dropped]
    extras = draw(st.sampled_from([[], ["村民小组"], ["村民小组", "备注"]]))
    order = draw(st.permutations(columns + extras))
    headers = [draw(st.sampled_from(ALIASES[c])) if c in ALIASES else c for c in order]
    id_style = draw(st.sampled_from(["H{:03d}", "{:014d}", "户{}", "  X{}", "{}", "W" * 70 + "{}"]))
    rows = []
    for i in range(n):
        town, name, code, vtype, remote = draw(st.sampled_from(VILLAGES))
        status = draw(st.sampled_from(STATUS))
        exited = status in ("exited", "已脱贫", "Exited")
        values = {
            "household_id": id_style.format(i + 1),
            "township": draw(st.sampled_from([town, f" {town}"])),
            "village": name,
            "village_code": code,
            "village_type": vtype,
            "remote": remote,
            "status": status,
            "exit_year": draw(st.sampled_from(["2018", "2019.0", " 2020"])) if exited else "",
            "household_size": draw(st.sampled_from(SIZES)),
            "head_name": draw(st.sampled_from(NAMES)),
            "dibao": draw(st.sampled_from(FLAGS)),
            "unsafe_house": draw(st.sampled_from(FLAGS)),
            "no_labour": draw(st.sampled_from(FLAGS)),
            "村民小组": draw(st.sampled_from(EXTRA)),
            "备注": draw(st.sampled_from(EXTRA)),
        }
        rows.append([values[c] for c in order])
    flaw = draw(st.sampled_from([None, None, *FLAW_KINDS])) if flaws else None
    delimiter = draw(st.sampled_from([",", "\t", ";"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gbk", "gb18030"]))
    final_newline = draw(st.booleans())
    lines, rows = _flawed(draw, flaw, order, rows, delimiter)
    trailing = delimiter * draw(st.sampled_from([0, 0, 1, 3]))  # Excel's empty columns
    lines = [line + trailing if line else line for line in lines]
    if trailing and flaw == "text_beyond_header":
        lines[-1] += "x"
    for _ in range(draw(st.sampled_from([0, 0, 1, 2]))):  # Excel's rows of delimiters only
        spot = draw(st.integers(0, len(lines)))
        lines.insert(spot, delimiter * (len(headers) - 1) + trailing)
    for _ in range(draw(st.sampled_from([0, 0, 1, 2]))):  # empty lines, at the end too
        lines.insert(draw(st.integers(0, len(lines))), "")
    header_line = delimiter.join(headers) + trailing
    text = newline.join([header_line, *lines]) + (newline if final_newline else "")
    data = text.encode(encoding)
    if flaw == "bad_bytes":
        data = data + b"\xff\xfe,x"
    return data, flaw is None


def _flawed(draw, flaw, order, rows, delimiter):
    """Lines of the data rows with ``flaw`` put in (rows may change)."""
    i = draw(st.integers(0, len(rows) - 1))
    col = {name: k for k, name in enumerate(order)}

    def set_cell(name, value):
        if name in col:
            rows[i][col[name]] = value

    if flaw == "duplicate_id":
        rows.append(list(rows[i]))
    elif flaw == "bad_status":
        set_cell("status", "unknown")
    elif flaw == "year_missing":
        set_cell("status", "exited")
        set_cell("exit_year", "")
    elif flaw == "year_extra":
        set_cell("status", "not_exited")
        set_cell("exit_year", "2019")
    elif flaw == "bad_size":
        set_cell("household_size", draw(st.sampled_from(["0", "31", "x", "2.5", ""])))
    elif flaw == "blank_name":
        set_cell("head_name", "  ")
    elif flaw == "village_type_conflict":
        vtype = rows[i][col["village_type"]]
        set_cell("village_type", "non_poor" if vtype in ("poor", "贫困村") else "poor")
        rows.append(list(rows[i]))
        rows[-1][col["household_id"]] = "ZZ-conflict"
        set_cell("village_type", vtype)
    elif flaw == "quote":
        set_cell("head_name", 'Wang "Tiger"')
    elif flaw == "long_cell":
        set_cell("head_name", "长" * 40)
    elif flaw == "control":
        set_cell("head_name", "王\x07")
    elif flaw == "slash_township":
        set_cell("township", "城关/镇")
    lines = [delimiter.join(row) for row in rows]
    if flaw == "blank_line":
        lines.insert(i, "")
    elif flaw == "ragged_line":
        lines[i] += delimiter + "extra"
    elif flaw == "leading_blank_line":
        lines.insert(0, "")
    return lines, rows


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame_files())
def test_fast_path_agrees_with_the_general_path(case):
    data, _clean = case
    result, reference, answered = read_both(data)
    assert_same(result, reference)
    if answered:
        assert result.ok


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame_files(flaws=False))
def test_clean_plain_files_take_the_fast_path(case):
    data, clean = case
    assert clean
    result, reference, answered = read_both(data)
    assert answered, "a clean plain file went to the general path"
    assert_same(result, reference)
    assert result.ok


def csv_cells(data: bytes) -> list[list[str]]:
    """The generated CSV's rows of cells (blank lines kept, as rows of one empty cell)."""
    text = data.decode(frames.choose_encoding(data, None))
    delimiter = "\t" if "\t" in text.split("\n", 1)[0] else (";" if ";" in text else ",")
    lines = text.replace("\r\n", "\n").removesuffix("\n").split("\n")
    return [line.split(delimiter) for line in lines]


def _as_xlsx(data: bytes) -> bytes:
    """The generated CSV's cells as an XLSX workbook of text cells (blank lines kept)."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for cells in csv_cells(data):
        sheet.append([cell or None for cell in cells])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame_files())
def test_xlsx_cells_checked_by_the_fast_checks_agree_with_the_general_path(case):
    data, clean = case
    if b"\x07" in data or b"\xff" in data:
        return  # a control character or bad bytes cannot be written into a workbook
    saved = frames._read_fast_xlsx
    frames._read_fast_xlsx = lambda *args: None  # cells read by calamine, as before it
    try:
        result, reference, answered = read_both(_as_xlsx(data), path="_read_coded")
    finally:
        frames._read_fast_xlsx = saved
    assert_same(result, reference)
    if clean:
        assert answered and result.ok


def _requoted(data: bytes, quote) -> bytes:
    """``data`` with the cells ``quote(line, column, text)`` picks wrapped in quotes (and the
    text it gives, when it gives text instead of True)."""
    encoding = frames.choose_encoding(data, None)
    text = data.decode(encoding)
    delimiter = "\t" if "\t" in text.split("\n", 1)[0] else (";" if ";" in text else ",")
    lines = []
    for i, line in enumerate(text.split("\n")):
        cr = "\r" if line.endswith("\r") else ""
        cells = line.removesuffix("\r").split(delimiter)
        if any(cells):  # rows of delimiters only stay as Excel writes them
            for j, cell in enumerate(cells):
                wrapped = quote(i, j, cell)
                if wrapped:
                    cells[j] = '"' + (cell if wrapped is True else wrapped) + '"'
        lines.append(delimiter.join(cells) + cr)
    return "\n".join(lines).encode(encoding)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame_files(flaws=False), st.sampled_from(["all", "data", "some"]), st.integers(0, 99))
def test_cells_quoted_whole_take_the_fast_path(case, which, seed):
    """Exports that quote every cell (or some cells) whole read on the fast path and give the
    frame of the same file without quotes."""
    data, _ = case
    pick = {
        "all": lambda i, j, cell: True,
        "data": lambda i, j, cell: i > 0,
        "some": lambda i, j, cell: (i * 7 + j * 3 + seed) % 4 == 0,
    }[which]
    result, reference, answered = read_both(_requoted(data, pick))
    assert answered and result.ok
    assert_same(result, reference)
    assert result.frame.content_hash == frames.read_frame(data).frame.content_hash


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    frame_files(flaws=False),
    st.integers(1, 24),
    st.sampled_from(["delimiter", "doubled quote", "line break", "space before", "one quote"]),
)
def test_quotes_inside_cells_are_left_to_the_csv_module(case, row, kind):
    """A quote, delimiter or line break inside quotes (or a quote not around the whole cell)
    sends the file to the csv module; the frame or the issues are the general path's."""
    data, _ = case
    filled = [i for i, line in enumerate(data.split(b"\n")) if i and line.strip(b",;\t\r")]
    target = filled[row % len(filled)]
    first_line = data.split(b"\n", 1)[0]
    delimiter = "\t" if b"\t" in first_line else (";" if b";" in first_line else ",")
    inner = {
        "delimiter": f"a{delimiter}b",
        "doubled quote": 'say ""hi""',
        "line break": "two\nlines",
    }.get(kind)

    def pick(i, j, cell):
        return inner if inner is not None and i == target and j == 1 else None

    quoted = _requoted(data, pick)
    if inner is None:  # a quote that is not at both ends of a cell
        odd = ' "x"' if kind == "space before" else 'x"'
        quoted = quoted.replace(b"\n", f"\n{odd}".encode(), 1)
    result, reference, answered = read_both(quoted)
    assert not answered
    assert_same(result, reference)


def test_fast_path_on_a_synthetic_county_in_file_order_and_shuffled():
    rng = np.random.default_rng(7)
    hierarchy = {f"第{t}乡": [f"第{t}-{v}村" for v in range(12)] for t in range(6)}
    data = synthetic_frame_csv(hierarchy, 6000, rng=rng)
    header, *lines = data.decode("utf-8").splitlines()
    shuffled = [lines[i] for i in rng.permutation(len(lines))]
    for text in (data.decode("utf-8"), "\r\n".join([header, *shuffled]) + "\r\n"):
        for encoding in ("utf-8", "gbk"):
            result, reference, answered = read_both(text.encode(encoding))
            assert answered and result.ok
            assert_same(result, reference)


def test_an_explicit_encoding_is_kept(rows, header, to_csv):
    data = to_csv(header, rows, "gbk")
    result, reference, answered = read_both(data, encoding="gb18030")
    assert answered and result.encoding == "gb18030"
    assert_same(result, reference)
    wrong, wrong_reference, answered = read_both(data, encoding="utf-8")
    assert not answered and not wrong.ok
    assert_same(wrong, wrong_reference)


def test_a_hash_collision_sends_the_file_to_the_general_path(monkeypatch, rows, header, to_csv):
    """With a mixing constant of zero every multi-word cell hashes alike: the check that
    compares each row with its value's first row must notice and give up."""
    data = to_csv(header, rows)
    monkeypatch.setattr(frame_fast, "_MIX", np.uint64(0))
    assert frame_fast.fast_csv_table(data, "utf-8") is None
    result, reference, _ = read_both(data)
    assert result.ok
    assert_same(result, reference)


@given(st.binary(min_size=1, max_size=200), st.data())
def test_words_read_the_bytes_at_any_offset(blob, data):
    words = frame_fast._Words(blob)
    offsets = data.draw(st.lists(st.integers(0, len(blob) - 1), min_size=1, max_size=20))
    lengths = [data.draw(st.integers(0, min(12, len(blob) - o))) for o in offsets]
    got = words.at(np.array(offsets, dtype=np.int64), np.array(lengths, dtype=np.int64))
    for word, offset, length in zip(got.tolist(), offsets, lengths, strict=True):
        expected = blob[offset : offset + min(length, 8)].ljust(8, b"\0")
        assert int(word).to_bytes(8, "little") == expected


def test_progress_reaches_the_row_count_on_the_fast_path(rows, header, to_csv):
    seen = []
    result, _, answered = read_both(to_csv(header, rows), progress=seen.append)
    assert answered and result.ok
    assert seen[-1] == len(rows)
    assert seen == sorted(seen)


@pytest.mark.parametrize("cells", [["H1", "H1"], ["H1", " H1"]])
def test_duplicate_ids_after_stripping_are_left_to_the_general_path(rows, header, to_csv, cells):
    rows = [list(r) for r in rows]
    rows[0][0], rows[1][0] = cells
    result, reference, answered = read_both(to_csv(header, rows))
    assert not answered and not result.ok
    assert_same(result, reference)


def test_a_stray_carriage_return_is_not_taken_for_an_empty_line(rows, header, to_csv):
    """In a CRLF file, a one-byte line ending in a bare LF looks like an empty line; with a
    CR inside a cell elsewhere the counts of CR and LF still agree. The general path (csv
    module) reads the CR as a line break; the fast path must leave the file to it."""
    lines = to_csv(header, rows).decode("utf-8").replace("\r\n", "\n").split("\n")
    lines[2] = lines[2].replace("李秀英", "李\r秀英", 1)
    text = "\r\n".join(lines[:2]) + "\r\nX\n" + "\r\n".join(lines[2:])
    data = text.encode("utf-8")
    assert data.count(b"\r") == data.count(b"\n")
    result, reference, answered = read_both(data)
    assert not answered
    assert_same(result, reference)
