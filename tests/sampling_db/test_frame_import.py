"""Frame import into the database: all-or-nothing, versioned, same hash back from the database."""

import pytest
from sqlalchemy import func, select

from assessment.core.models import Village
from sampling.models import Frame, FrameImportLog, Household
from sampling.services import FrameService, load_frame
from tests.factories import make_county

HEADER = (
    "household_id,township,village,village_type,remote,status,exit_year,household_size,"
    "head_name,dibao,村小组\n"
)
ROWS = [
    "H001,河口镇,东山村,poor,1,exited,2018,4,张三,0,一组",
    "H002,河口镇,东山村,poor,1,not_exited,,3,李四,1,二组",
    "H003,河口镇,西坪村,non_poor,0,non_registered,,2,王五,1,一组",
    "H004,石门乡,北岭村,poor,0,exited,2017,5,赵六,0,三组",
]


def csv_bytes(rows, encoding="utf-8"):
    return (HEADER + "\n".join(rows) + "\n").encode(encoding)


def count(db, model, **where):
    query = select(func.count()).select_from(model)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return db.scalar(query)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_accepted_frame_is_stored_with_villages_and_hash(dbsession, encoding):
    county = make_county(dbsession, townships=0)
    outcome = FrameService(dbsession).import_file(county, csv_bytes(ROWS, encoding), "f.csv")
    frame = outcome.frame
    assert frame is not None and frame.version == 1
    assert frame.households == 4 and frame.persons == 14
    assert count(dbsession, Household, frame_id=frame.id) == 4
    names = set(dbsession.scalars(select(Village.name)))
    assert {"东山村", "西坪村", "北岭村"} <= names
    head = dbsession.scalar(select(Household.head_name).where(Household.household_id == "H002"))
    assert head == "李四"
    assert load_frame(dbsession, frame).content_hash == frame.content_hash


def test_second_import_is_a_new_version_and_row_order_keeps_the_hash(dbsession):
    county = make_county(dbsession, townships=0)
    service = FrameService(dbsession)
    first = service.import_file(county, csv_bytes(ROWS), "a.csv").frame
    second = service.import_file(county, csv_bytes(list(reversed(ROWS))), "b.csv").frame
    assert (first.version, second.version) == (1, 2)
    assert first.content_hash == second.content_hash


def test_rejected_frame_writes_nothing_at_all(dbsession):
    county = make_county(dbsession, townships=0)
    bad = [*ROWS, "H001,河口镇,东山村,poor,1,exited,2018,0,重复,0,一组"]
    outcome = FrameService(dbsession).import_file(county, csv_bytes(bad), "bad.csv")
    assert outcome.frame is None
    rows = {issue.row for issue in outcome.result.issues}
    assert 6 in rows  # the file row of the bad line (header is row 1)
    assert count(dbsession, Frame) == 0
    assert count(dbsession, Household) == 0
    assert count(dbsession, FrameImportLog) == 0
    assert outcome.result.issue_count >= 2


@pytest.mark.parametrize(
    "bad_row",
    [
        "H001,河口镇,东山村,poor,1,exited,2018,4,重复,0,一组",  # fails the insert itself
        "H005,河口镇,东山村,poor,1,exited,2018,4,\u202e王五,0,一组",  # stored, then refused
    ],
)
def test_an_isolated_import_refused_after_the_hand_over_leaves_no_trace(dbsession, bad_row):
    # The child hands the typed columns over before its row checks and the import stores them
    # in a savepoint meanwhile: the refusal must undo all of it, the new county included.
    from assessment.core.models import County
    from assessment.core.services import ensure_county

    before = {model: count(dbsession, model) for model in (County, Village, Frame, Household)}
    outcome = FrameService(dbsession, isolated=True).import_file(
        lambda: ensure_county(dbsession, "NEWC", "新县", "新省"), csv_bytes([*ROWS, bad_row]), "b"
    )
    assert outcome.frame is None and outcome.result.issues[0].row == 6
    assert {model: count(dbsession, model) for model in before} == before
    assert count(dbsession, County, code="NEWC") == 0 and count(dbsession, FrameImportLog) == 0
    accepted = FrameService(dbsession, isolated=True).import_file(
        lambda: ensure_county(dbsession, "NEWC", "新县", "新省"), csv_bytes(ROWS), "good.csv"
    )
    assert accepted.frame.county.code == "NEWC" and accepted.frame.file_format == "csv"
    assert count(dbsession, Household, frame_id=accepted.frame.id) == 4
    assert load_frame(dbsession, accepted.frame).content_hash == accepted.frame.content_hash
