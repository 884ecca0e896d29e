"""Frame import into the database: all-or-nothing, versioned, same hash back from the database."""

import pytest
from sqlalchemy import func, select

from assessment.core.models import Village
from sampling.models import Frame, FrameImportLog, FrameVillage, Household
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


def test_every_household_is_stored_as_written_whatever_the_batches_and_statements(
    dbsession, monkeypatch
):
    # 257 households in batches of 120 (120, 120, 17): SQLite gets full statements of
    # ROWS_PER_INSERT rows and shorter ones for the rest of each batch; no row may be lost,
    # doubled or shifted into another's columns.
    import sampling.services as services

    monkeypatch.setattr(services, "BATCH", 120)
    villages = [("河口镇", "东山村"), ("河口镇", "西坪村"), ("石门乡", "北岭村")]
    expected, lines = set(), []
    for n in range(257):
        township, village = villages[n % 3]
        status, year = ("exited", 2014 + n % 7) if n % 2 else ("not_exited", None)
        size, head, dibao, group = 1 + n % 9, f"户主{n}", n % 5 == 0, f"{n % 4}组"
        lines.append(
            f"H{n:04d},{township},{village},poor,0,{status},{year or ''},{size},{head},"
            f"{int(dibao)},{group}"
        )
        attributes = f'{{"村小组":"{group}"}}'
        expected.add((f"H{n:04d}", village, status, year, size, head, dibao, attributes, n + 2))
    county = make_county(dbsession, townships=0)
    frame = FrameService(dbsession).import_file(county, csv_bytes(lines), "f.csv").frame
    stored = dbsession.execute(
        select(
            Household.household_id,
            Village.name,
            Household.status,
            Household.exit_year,
            Household.household_size,
            Household.head_name,
            Household.dibao,
            Household.attributes,
            Household.source_row,
        )
        .join(FrameVillage, Household.frame_village_id == FrameVillage.id)
        .join(Village, FrameVillage.village_id == Village.id)
        .where(Household.frame_id == frame.id)
    ).all()
    assert len(stored) == 257
    assert {tuple(row) for row in stored} == expected
