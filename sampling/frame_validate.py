"""Turn a :class:`~sampling.frame_reader.RawTable` into checked canonical columns.

PURE. :func:`validate_table` reports every problem into an :class:`IssueLog` and returns the
typed columns (to build a :class:`~sampling.frames.Frame`) or None when the header itself is
unusable. A caller must still refuse the columns when the log holds any issue.
"""

from __future__ import annotations

from collections.abc import Sequence
from json.encoder import encode_basestring
from operator import itemgetter

from assessment.i18n import N_
from sampling import frame_checks as ck
from sampling import frame_columns as fc
from sampling.frame_reader import RawTable


def _map_header(table: RawTable, log: ck.IssueLog) -> tuple[dict[str, int], dict[str, int]]:
    """Positions of canonical and extra columns; duplicate and missing columns reported."""
    canonical: dict[str, int] = {}
    extra: dict[str, int] = {}
    for position, header in enumerate(table.header):
        name = fc.canonical_column(header) if header else None
        label = header or f"column_{position + 1}"
        target, key = (canonical, name) if name else (extra, label)
        if key in target:
            log.add(1, label, label, N_("Column {column} appears twice (or two headers mean it)."))
            continue
        target[key] = position
    for name in fc.REQUIRED_COLUMNS:
        if name not in canonical:
            log.add(
                None, name, "", N_("Required column {column} is missing."), aliases=_aliases(name)
            )
    return canonical, extra


def _aliases(name: str) -> str:
    return " / ".join(fc.header_aliases()[name][:3])


def _report_overflow(table: RawTable, log: ck.IssueLog) -> None:
    for number, cells in table.overflow[: log.cap]:
        log.add(
            number,
            None,
            "",
            N_("Row {row}: it has {count} cells but the header has only {width} columns."),
            count=len(cells),
            width=len(table.header),
        )
    log.total += max(0, len(table.overflow) - log.cap)


def validate_table(table: RawTable, log: ck.IssueLog):
    """Check every cell of ``table``.

    Returns
    -------
    tuple (dict, tuple of str) or None
        Canonical typed columns (plus ``extra_json``) and the extra column headers; None when
        required columns are missing or there are no data rows.
    """
    canonical, extra = _map_header(table, log)
    _report_overflow(table, log)
    if any(name not in canonical for name in fc.REQUIRED_COLUMNS):
        return None
    if not table.rows:
        log.add(None, None, "", N_("The file has a header but no data rows."))
        return None
    cells = table.column_cells()
    ctx = ck.CheckContext(
        cells={name: cells[i] for name, i in canonical.items()},
        headers={name: table.header[i] for name, i in canonical.items()},
        row_numbers=table.row_numbers,
        log=log,
        clean=table.clean,
    )
    columns = _typed_columns(ctx)
    _check_villages(ctx, columns)
    extra_names = sorted(extra)
    extra_cells = [ck.strip_all(cells[extra[name]]) for name in extra_names]
    for name, values in zip(extra_names, extra_cells, strict=True):
        ck.report_control_characters(ctx, values, name)
    columns["extra_json"] = extra_json_column(extra_names, extra_cells, len(table.rows))
    return columns, tuple(extra_names)


def _typed_columns(ctx: ck.CheckContext) -> dict:
    ids = ck.text_column(ctx, "household_id", required=True)
    ck.duplicate_ids(ctx, ids)
    status = ck.coded_column(
        ctx,
        "status",
        fc.STATUS_LOOKUP,
        N_(
            "Row {row}, column {column}: {value} is not a known status "
            "(exited / not_exited / non_registered, 已脱贫 / 未脱贫 / 非建档立卡)."
        ),
    )
    columns = {
        "household_id": ids,
        "township": ck.text_column(ctx, "township", required=True),
        "village": ck.text_column(ctx, "village", required=True),
        "village_code": ck.text_column(ctx, "village_code", required=False),
        "village_type": ck.coded_column(
            ctx,
            "village_type",
            fc.VILLAGE_TYPE_LOOKUP,
            N_(
                "Row {row}, column {column}: {value} is not a known village type "
                "(poor / non_poor, 贫困村 / 非贫困村)."
            ),
        ),
        "status": status,
        "exit_year": ck.exit_years(ctx, status),
        "household_size": ck.household_sizes(ctx),
        "head_name": ck.text_column(ctx, "head_name", required=True),
    }
    for name in ("remote", *fc.FLAG_COLUMNS):
        columns[name] = ck.coded_column(
            ctx,
            name,
            fc.BOOLEAN_LOOKUP,
            N_("Row {row}, column {column}: {value} is not 0 or 1 (是 / 否 also accepted)."),
            default=False,
        )
    return columns


# Fields of a distinct village row: township, village, village_code, village_type, remote.
_TOWN, _NAME, _CODE, _TYPE, _REMOTE = range(5)
_TYPE_MSG = N_("Row {row}: village {key} is of type {value} here but {other} in row {first_row}.")
_REMOTE_MSG = N_(
    "Row {row}: village {key} has remote = {value} here but {other} in row {first_row}."
)
#: (key fields, value field, column, message) of each village consistency rule, in the order
#: they are reported, when the file has village codes and when it has not.
_BY_CODE = (
    (
        (_CODE,),
        _TOWN,
        "township",
        N_(
            "Row {row}: village code {key} is under township {value} here "
            "but under {other} in row {first_row}."
        ),
    ),
    (
        (_CODE,),
        _NAME,
        "village",
        N_("Row {row}: village code {key} is named {value} here but {other} in row {first_row}."),
    ),
    (
        (_TOWN, _NAME),
        _CODE,
        "village_code",
        N_("Row {row}: village {key} has code {value} here but {other} in row {first_row}."),
    ),
    ((_CODE,), _TYPE, "village_type", _TYPE_MSG),
    ((_CODE,), _REMOTE, "remote", _REMOTE_MSG),
)
_BY_NAME = (
    ((_TOWN, _NAME), _TYPE, "village_type", _TYPE_MSG),
    ((_TOWN, _NAME), _REMOTE, "remote", _REMOTE_MSG),
)


def _check_villages(ctx: ck.CheckContext, columns: dict) -> None:
    """Village consistency, decided on the distinct village rows (a few thousand); rows are
    walked only for a rule that the distinct rows show to be broken."""
    towns, names, codes = columns["township"], columns["village"], columns["village_code"]
    by_code = "village_code" in ctx.headers and any(codes)
    if by_code:
        _blank_codes(ctx, codes)
    else:
        _slash_in_township(ctx, towns)
    fields = (towns, names, codes, columns["village_type"], columns["remote"])
    distinct = set(zip(*fields, strict=True))
    keys = _VillageKeys(towns, names, codes)
    for key_fields, value_field, name, msgid in _BY_CODE if by_code else _BY_NAME:
        if not _functional(distinct, key_fields, value_field):
            _conflicts(ctx, keys.get(key_fields), fields[value_field], name, msgid)


def _functional(distinct: set, key_fields: tuple, value_field: int) -> bool:
    """Whether the key fields determine the value field over the distinct rows."""
    key = itemgetter(*key_fields)
    seen: dict = {}
    for entry in distinct:
        value = entry[value_field]
        if seen.setdefault(key(entry), value) != value:
            return False
    return True


class _VillageKeys:
    """Integer row keys and their labels, by village code or by township + village name."""

    def __init__(self, towns, names, codes) -> None:
        self.towns, self.names, self.codes = towns, names, codes
        self.cache: dict = {}

    def get(self, key_fields: tuple):
        if key_fields not in self.cache:
            if key_fields == (_CODE,):
                keyed = (ck.codes_of(self.codes), self.codes)
            else:
                town_codes, name_codes = ck.codes_of(self.towns), ck.codes_of(self.names)
                keys = town_codes * (int(name_codes.max()) + 1) + name_codes
                keyed = (keys, _LazyLabels(self.towns, self.names))
            self.cache[key_fields] = keyed
        return self.cache[key_fields]


class _LazyLabels:
    """``township/village`` of row i, built only for the rows reported."""

    def __init__(self, towns, names) -> None:
        self.towns, self.names = towns, names

    def __getitem__(self, i: int) -> str:
        return self.towns[i] + "/" + self.names[i]


def _blank_codes(ctx: ck.CheckContext, codes) -> None:
    if all(codes):
        return
    header = ctx.headers["village_code"]
    blanks = [i for i, code in enumerate(codes) if not code]
    ctx.log.add_rows(
        blanks,
        lambda i: ctx.log.add(
            ctx.row(i),
            header,
            "",
            N_("Row {row}, column {column}: the village code is blank but other rows have one."),
        ),
    )


def _conflicts(ctx: ck.CheckContext, keyed, values, name: str, msgid: str) -> None:
    keys, labels = keyed
    header = ctx.headers.get(name, name)

    def report(i: int, j: int) -> None:
        ctx.log.add(
            ctx.row(i),
            header,
            _shown(values[i]),
            msgid,
            key=labels[i],
            other=_shown(values[j]),
            first_row=ctx.row(j),
        )

    ck.functional(ctx, keys, values, report)


def _shown(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _slash_in_township(ctx: ck.CheckContext, towns: Sequence[str]) -> None:
    """Without village codes a village is keyed ``township/village``: a '/' would be ambiguous."""
    if not any("/" in town for town in set(towns)):
        return
    header = ctx.headers["township"]
    bad = [i for i, town in enumerate(towns) if "/" in town]
    ctx.log.add_rows(
        bad,
        lambda i: ctx.log.add(
            ctx.row(i),
            header,
            towns[i],
            N_(
                "Row {row}, column {column}: a township name may not contain '/' "
                "unless the file has village codes."
            ),
        ),
    )


def extra_json_column(names: Sequence[str], cells: Sequence[Sequence[str]], n: int) -> list[str]:
    """Per-row JSON objects of the extra columns, as ``json.dumps(..., ensure_ascii=False,
    sort_keys=True, separators=(",", ":"))`` would write them."""
    if not names:
        return ["{}"] * n
    last = len(names) - 1
    parts = []
    for k, (name, column) in enumerate(zip(names, cells, strict=True)):
        # Each distinct value is encoded once, with the object's braces folded into the
        # first and last member.
        prefix = ("{" if k == 0 else "") + encode_basestring(name) + ":"
        suffix = "}" if k == last else ""
        encoded = {value: prefix + encode_basestring(value) + suffix for value in set(column)}
        parts.append(list(map(encoded.__getitem__, column)))
    if len(parts) == 1:
        return parts[0]
    return list(map(",".join, zip(*parts, strict=True)))
