"""One validator over the columns of a :class:`~sampling.frames.read.Table`, in polars expressions.

PURE. :func:`check_table` names every problem (row, column, value, message in the user's
language) and returns the typed canonical columns; any issue refuses the file (all or nothing).
Each rule is one filter over the columns; only the first issues of a rule become Python objects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from assessment.core.i18n import N_, Message
from sampling.frames import columns as fc
from sampling.frames.hashing import id_order
from sampling.frames.read import DEFAULT_LIMITS, Limits, Table

#: Control characters, and the bidirectional and invisible format characters that disguise text.
CONTROL = r"[\x00-\x1f\x7f-\x9f]"
FORMAT = "[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
_UNUSABLE = re.compile(f"{CONTROL}|{FORMAT}")
#: Longest text the database keeps (the columns of ``households``, ``townships``, ...).
DB_LENGTHS = {
    "household_id": 64,
    "township": 100,
    "village": 100,
    "village_code": 40,
    "head_name": 100,
}


@dataclass(frozen=True)
class FrameIssue:
    """One problem in a frame file: the row as Excel shows it (header = row 1; None for the
    whole file), the column's header as typed (the canonical name of a missing column), the
    cell's text ("" when not about one cell), and the message (:class:`Message`, with ``row``,
    ``column`` and ``value`` among its placeholders), rendered in the user's language later."""

    row: int | None
    column: str | None
    value: str
    message: Message


class IssueLog:
    """Issues of every rule: the first ``cap`` of each kept, all of them counted."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.items: list[FrameIssue] = []
        self.total = 0

    def add(self, row, column, value, msgid, **extra) -> None:
        self.total += 1
        mapping = {"row": row, "column": column, "value": value, **extra}
        self.items.append(FrameIssue(row, column, value, Message(msgid, mapping)))

    def add_rows(self, found: pl.DataFrame, column, msgid: str, *, show=str, **extra) -> None:
        """An issue per row of ``found`` (``row``, ``value``, placeholders), value by ``show``."""
        self.total += max(0, found.height - self.cap)
        for entry in found.sort("row").head(self.cap).iter_rows(named=True):
            row, value = entry.pop("row"), show(entry.pop("value", ""))
            self.add(row, column, value, msgid, **extra, **entry)

    def sorted_issues(self) -> tuple[FrameIssue, ...]:
        ordered = sorted(self.items, key=lambda issue: (issue.row or 0, issue.column or ""))
        return tuple(ordered[: self.cap])


@dataclass(frozen=True)
class Checked:
    """Typed canonical columns (``exit_year`` 0 where blank), ``row``, ``extra_json``,
    ``id_order`` (:func:`~sampling.frames.hashing.id_order`: sorted once for all its uses)."""

    columns: pl.DataFrame
    extra_columns: tuple[str, ...]


def check_table(
    table: Table, log: IssueLog, limits: Limits = DEFAULT_LIMITS, typed_ready=None
) -> Checked | None:
    """Every check on ``table``; None when the header is unusable or there are no data rows.
    ``typed_ready``, if given, gets the :class:`Checked` columns as soon as they are typed, when
    no issue is known yet, before the row rules run (the import stores them meanwhile)."""
    canonical, extra = _map_header(table, log, limits)
    log.add_rows(
        table.overflow,
        None,
        N_("Row {row}: it has {count} cells but the header has only {width} columns."),
        width=len(table.header),
    )
    if any(name not in canonical for name in fc.REQUIRED_COLUMNS):
        return None
    if table.cells.height == 0:
        log.add(None, None, "", N_("The file has a header but no data rows."))
        return None
    cells = table.cells.select(
        "row",
        *(pl.col(f"c{i}").alias(name) for name, i in canonical.items()),
        *(pl.col(f"c{i}").alias(f"x:{name}") for name, i in extra.items()),
    )
    headers = {name: table.header[i] for name, i in canonical.items()}
    headers.update({f"x:{name}": name for name in extra})
    absent = {name: value for name, value in _OPTIONAL.items() if name not in canonical}
    cells = cells.with_columns(pl.lit(v).alias(n) for n, v in absent.items())
    typed = _typed(cells).with_columns(id_order=id_order(cells))  # ids: the cells as read
    extra_names = tuple(sorted(extra))
    json = _extra_json(extra_names).alias("extra_json")
    checked = Checked(typed.with_columns(json).drop(f"x:{name}" for name in extra), extra_names)
    if typed_ready is not None and log.total == 0:
        typed_ready(checked)
    _text_rules(cells, headers, log, limits)
    _typed_issues(cells, typed, headers, log)
    _check_villages(typed, headers, log)
    return checked


#: Optional columns, as if every cell of an absent one were this.
_OPTIONAL = {"village_code": "", "remote": "0", **dict.fromkeys(fc.FLAG_COLUMNS, "0")}


def _map_header(table: Table, log: IssueLog, limits: Limits):
    """Positions of canonical and extra columns; duplicate, missing and bad headers reported."""
    canonical: dict[str, int] = {}
    extra: dict[str, int] = {}
    for position, header in enumerate(table.header):
        name = fc.canonical_column(header) if header else None
        label = header or f"column_{position + 1}"
        if len(header) > limits.max_cell_chars or _UNUSABLE.search(header):
            log.add(1, label[:40], label[:40], N_("Column header {column} is not usable text."))
            continue
        target, key = (canonical, name) if name else (extra, label)
        if key in target:
            log.add(1, label, label, N_("Column {column} appears twice (or two headers mean it)."))
            continue
        target[key] = position
    for name in fc.REQUIRED_COLUMNS:
        if name not in canonical:
            aliases = " / ".join(fc.HEADER_ALIASES[name][:3])
            log.add(None, name, "", N_("Required column {column} is missing."), aliases=aliases)
    return canonical, extra


_TEXT_RULES = (
    (
        CONTROL,
        N_("Row {row}, column {column}: the text contains a line break or control character."),
    ),
    (
        FORMAT,
        N_(
            "Row {row}, column {column}: the text contains an invisible or right-to-left "
            "formatting character."
        ),
    ),
)


def _text_rules(cells: pl.DataFrame, headers: dict[str, str], log: IssueLog, limits: Limits):
    """Control and format characters, and lengths; each rule searched only in the columns that
    one pass over all of them found suspect (a length in bytes bounds that in characters)."""
    limit = {name: DB_LENGTHS.get(name, limits.max_cell_chars) for name in headers}
    suspect = cells.select(
        (pl.col(n).str.contains(_UNUSABLE.pattern) | (pl.col(n).str.len_bytes() > limit[n])).any()
        for n in headers
    ).row(0)
    for (name, header), found in zip(headers.items(), suspect, strict=True):
        if found:
            _column_text_rules(cells, name, header, log, limit[name])


def _column_text_rules(cells: pl.DataFrame, name: str, header: str, log: IssueLog, limit: int):
    value = pl.col(name)
    for pattern, msgid in _TEXT_RULES:
        found = cells.filter(value.str.contains(pattern)).select("row", value.alias("value"))
        log.add_rows(found, header, msgid, show=repr)
    found = cells.filter(value.str.len_chars() > limit)
    log.add_rows(
        found.select("row", value.str.slice(0, 40).alias("value")),
        header,
        N_("Row {row}, column {column}: the text is longer than {limit} characters."),
        limit=limit,
    )


def _typed(cells: pl.DataFrame) -> pl.DataFrame:
    """Canonical typed columns (null where a code or number is unreadable)."""
    return cells.with_columns(
        *(_coded(cells[name], lookup) for name, (lookup, _) in _CODED.items()),
        _whole("household_size", fc.MIN_HOUSEHOLD_SIZE, fc.MAX_HOUSEHOLD_SIZE, None),
        _whole("exit_year", fc.MIN_EXIT_YEAR, fc.MAX_EXIT_YEAR, 0),
    )


def _typed_issues(cells, typed, headers: dict[str, str], log: IssueLog) -> None:
    for name in ("household_id", "township", "village", "head_name"):
        log.add_rows(
            cells.filter(pl.col(name) == "").select("row"),
            headers[name],
            N_("Row {row}, column {column}: the cell is blank."),
        )
    _duplicate_ids(cells, typed["id_order"], headers["household_id"], log)
    for name, (_, msgid) in _CODED.items():
        if typed[name].null_count():
            found = cells.filter(typed[name].is_null()).select("row", pl.col(name).alias("value"))
            log.add_rows(found, headers.get(name, name), msgid)
    _number_issues(cells, typed, headers, log)


_STATUS_MSG = N_(
    "Row {row}, column {column}: {value} is not a known status "
    "(exited / not_exited / non_registered, 已脱贫 / 未脱贫 / 非建档立卡)."
)
_TYPE_MSG = N_(
    "Row {row}, column {column}: {value} is not a known village type "
    "(poor / non_poor, 贫困村 / 非贫困村)."
)
_BOOL_MSG = N_("Row {row}, column {column}: {value} is not 0 or 1 (是 / 否 also accepted).")
_CODED = {
    "status": (fc.STATUS_LOOKUP, _STATUS_MSG),
    "village_type": (fc.VILLAGE_TYPE_LOOKUP, _TYPE_MSG),
    **{name: (fc.BOOLEAN_LOOKUP, _BOOL_MSG) for name in ("remote", *fc.FLAG_COLUMNS)},
}


def _coded(column: pl.Series, lookup) -> pl.Series:
    """Matched as :func:`~sampling.frames.columns.normalise` matches (case, spaces, _ and -);
    null where unknown. A column of canonical codes alone (the usual file: the keys are
    normalised already) is matched without normalising it."""
    if lookup is fc.BOOLEAN_LOOKUP and ((column == "0") | (column == "1")).all():
        return (column == "1").alias(column.name)  # the usual flags: compared, not looked up
    keys, values = list(lookup), list(lookup.values())
    coded = column.replace_strict(keys, values, default=None)
    if coded.null_count() == 0:
        return coded
    normalised = column.str.to_lowercase().str.replace_all(r"[\s_\-]+", "")
    return normalised.replace_strict(keys, values, default=None).alias(column.name)


def _whole(name: str, low: int, high: int, blank) -> pl.Expr:
    """A whole number from ``low`` to ``high`` (``"4.0"`` read as 4); ``blank`` for "", null
    when unreadable or out of range."""
    number = pl.col(name).str.replace(r"\.0$", "").cast(pl.Int64, strict=False)
    blank_value = pl.lit(blank, pl.Int64)
    found = pl.when(number.is_between(low, high)).then(number)
    return pl.when(pl.col(name) == "").then(blank_value).otherwise(found).cast(pl.Int32).alias(name)


def _number_issues(cells, typed, headers, log: IssueLog) -> None:
    both = typed.select("row", "household_size", "exit_year", "status").with_columns(
        raw_size=cells["household_size"], raw_year=cells["exit_year"]
    )
    log.add_rows(
        both.filter(pl.col("household_size").is_null()).select("row", value="raw_size"),
        headers["household_size"],
        N_(
            "Row {row}, column {column}: {value} is not a household size "
            "(a whole number of persons from {low} to {high})."
        ),
        low=fc.MIN_HOUSEHOLD_SIZE,
        high=fc.MAX_HOUSEHOLD_SIZE,
    )
    header = headers["exit_year"]
    log.add_rows(
        both.filter(pl.col("exit_year").is_null()).select("row", value="raw_year"),
        header,
        N_("Row {row}, column {column}: {value} is not a year from {low} to {high}."),
        low=fc.MIN_EXIT_YEAR,
        high=fc.MAX_EXIT_YEAR,
    )
    exited = pl.col("status") == "exited"
    log.add_rows(
        both.filter((pl.col("exit_year") == 0) & exited).select("row"),
        header,
        N_("Row {row}: an exited household needs an exit year."),
    )
    log.add_rows(
        both.filter((pl.col("exit_year") > 0) & ~exited).select("row", value="raw_year"),
        header,
        N_("Row {row}, column {column}: a household that has not exited has no exit year."),
    )


def _duplicate_ids(cells: pl.DataFrame, order: pl.Series, header: str, log: IssueLog) -> None:
    """Rows whose id an earlier row has; searched only when two neighbours in id order match."""
    ids = cells["household_id"].gather(order)
    if not ((ids == ids.shift(1)) & (ids != "")).any():
        return
    ids = cells.select("row", "household_id").filter(pl.col("household_id") != "")
    first = pl.col("row").min().over("household_id")
    found = ids.with_columns(first.alias("first_row")).filter(pl.col("row") != pl.col("first_row"))
    log.add_rows(
        found.select("row", pl.col("household_id").alias("value"), "first_row"),
        header,
        N_("Row {row}: household id {value} is already used in row {first_row}."),
    )


# --- villages ---------------------------------------------------------------------------------

_TYPE_CONFLICT = N_(
    "Row {row}: village {key} is of type {value} here but {other} in row {first_row}."
)
_REMOTE_CONFLICT = N_(
    "Row {row}: village {key} has remote = {value} here but {other} in row {first_row}."
)
#: (key, value column, message) of each village rule, with village codes and without.
_BY_CODE = (
    (
        "village_code",
        "township",
        N_(
            "Row {row}: village code {key} is under township {value} here "
            "but under {other} in row {first_row}."
        ),
    ),
    (
        "village_code",
        "village",
        N_("Row {row}: village code {key} is named {value} here but {other} in row {first_row}."),
    ),
    (
        "name_key",
        "village_code",
        N_("Row {row}: village {key} has code {value} here but {other} in row {first_row}."),
    ),
    ("village_code", "village_type", _TYPE_CONFLICT),
    ("village_code", "remote", _REMOTE_CONFLICT),
)
_BY_NAME = (("name_key", "village_type", _TYPE_CONFLICT), ("name_key", "remote", _REMOTE_CONFLICT))


def _check_villages(typed: pl.DataFrame, headers: dict[str, str], log: IssueLog) -> None:
    """Each village-level column is a function of the village: every row that differs from the
    first row of its village (by code when the file has codes, else by township/village)."""
    by_code = "village_code" in headers and (typed["village_code"] != "").any()
    frame = typed.with_columns(
        (pl.col("township") + "/" + pl.col("village")).alias("name_key"),
        pl.col("remote").cast(pl.Int8).cast(pl.String).alias("remote"),
    )
    if by_code:
        log.add_rows(
            frame.filter(pl.col("village_code") == "").select("row"),
            headers["village_code"],
            N_("Row {row}, column {column}: the village code is blank but other rows have one."),
        )
    else:
        slash = pl.col("township").str.contains("/", literal=True)
        log.add_rows(
            frame.filter(slash).select("row", pl.col("township").alias("value")),
            headers["township"],
            N_(
                "Row {row}, column {column}: a township name may not contain '/' "
                "unless the file has village codes."
            ),
        )
    rules = _BY_CODE if by_code else _BY_NAME
    # each rule's rows searched only when its distinct (key, value) pairs outnumber the keys
    pairs = frame.select({column for rule in rules for column in rule[:2]}).unique()
    for key, name, msgid in rules:
        if pairs.select(key, name).unique().height > pairs[key].n_unique():
            _conflicts(frame, key, name, headers.get(name, name), msgid, log)


def _conflicts(frame: pl.DataFrame, key: str, name: str, header: str, msgid: str, log) -> None:
    """Rows whose ``name`` differs from that of the first row of their ``key`` (rows are in
    file order)."""
    found = (
        frame.filter(pl.col(name).is_not_null())
        .with_columns(
            first_row=pl.col("row").first().over(key), other=pl.col(name).first().over(key)
        )
        .filter(pl.col(name) != pl.col("other"))
    )
    columns = ("row", pl.col(name).alias("value"), pl.col(key).alias("key"), "other", "first_row")
    log.add_rows(found.select(*columns), header, msgid)


def _extra_json(names: tuple[str, ...]) -> pl.Expr:
    """Each row's extra columns as ``json.dumps(..., ensure_ascii=False, sort_keys=True,
    separators=(",", ":"))`` writes them (``"{}"`` without extra columns)."""
    if not names:
        return pl.lit("{}")
    return pl.struct(pl.col(f"x:{name}").alias(name) for name in names).struct.json_encode()
