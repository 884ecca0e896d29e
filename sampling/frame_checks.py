"""Row checks of a frame file: every cell of every row, before anything is accepted.

PURE. Each check maps the *distinct* values of a column once and then looks rows up, so
a 1,000,000-row file costs a few dictionary look-ups per cell. Consistency checks take a
fast path (compare distinct pairs with distinct keys) and only walk the rows to name the
offending ones when the fast path finds a conflict.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import repeat

import numpy as np

from assessment.i18n import N_, Message
from sampling import frame_columns as fc

CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class FrameIssue:
    """One problem in a frame file.

    Attributes
    ----------
    row : int or None
        Row number as a user sees it in Excel (the header is row 1); None for the whole file.
    column : str or None
        The column's header as typed in the file (canonical name for a missing column).
    value : str
        The offending cell text ("" when not about one cell).
    message : Message
        What is wrong, with ``row``, ``column`` and ``value`` among its placeholders.
    """

    row: int | None
    column: str | None
    value: str
    message: Message


class IssueLog:
    """Collects issues, keeping at most ``cap`` per check and counting all of them."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.items: list[FrameIssue] = []
        self.total = 0

    def add(self, row, column, value, msgid, **extra) -> None:
        self.total += 1
        if len(self.items) < 10 * self.cap:
            mapping = {"row": row, "column": column, "value": value, **extra}
            self.items.append(FrameIssue(row, column, value, Message(msgid, mapping)))

    def add_rows(self, indices: Sequence[int], make: Callable[[int], None]) -> None:
        """Report rows ``indices`` (ascending) with ``make(i)``; only the first ``cap`` built."""
        for i in indices[: self.cap]:
            make(i)
        self.total += max(0, len(indices) - self.cap)

    def sorted_issues(self) -> tuple[FrameIssue, ...]:
        ordered = sorted(self.items, key=lambda issue: (issue.row or 0, issue.column or ""))
        return tuple(ordered[: self.cap])


@dataclass
class CheckContext:
    """The columns of a file being checked, keyed by canonical name."""

    cells: dict[str, Sequence[str]]
    headers: dict[str, str]
    row_numbers: Sequence[int]
    log: IssueLog
    #: The reader has already ruled out control characters in every cell.
    clean: bool = False

    def row(self, i: int) -> int:
        return self.row_numbers[i]


def map_distinct(values: Sequence[str], convert: Callable[[str], object]):
    """Convert each distinct value once; return mapped list and indices that gave None."""
    table = {value: convert(value) for value in set(values)}
    mapped = list(map(table.__getitem__, values))
    if None not in table.values():
        return mapped, []
    return mapped, [i for i, value in enumerate(mapped) if value is None]


def text_column(ctx: CheckContext, name: str, *, required: bool) -> list[str]:
    """Stripped text of column ``name``; blank required cells and control characters reported."""
    if name not in ctx.cells:
        return [""] * len(ctx.row_numbers)
    values = strip_all(ctx.cells[name])
    header = ctx.headers[name]
    if required and not all(values):
        blanks = [i for i, value in enumerate(values) if not value]
        ctx.log.add_rows(
            blanks,
            lambda i: ctx.log.add(
                ctx.row(i), header, "", N_("Row {row}, column {column}: the cell is blank.")
            ),
        )
    report_control_characters(ctx, values, header)
    return values


def strip_all(values: Sequence[str]) -> list[str]:
    """``values`` stripped of surrounding white space."""
    return list(map(str.strip, values))


def report_control_characters(ctx: CheckContext, values: Sequence[str], header: str) -> None:
    if ctx.clean or not CONTROL.search("".join(values)):
        return
    bad = [i for i, value in enumerate(values) if CONTROL.search(value)]
    ctx.log.add_rows(
        bad,
        lambda i: ctx.log.add(
            ctx.row(i),
            header,
            repr(values[i]),
            N_("Row {row}, column {column}: the text contains a line break or control character."),
        ),
    )


def coded_column(ctx: CheckContext, name: str, lookup, msgid: str, default=None) -> list:
    """Map a coded column through ``lookup`` (normalised text to canonical value)."""
    if name not in ctx.cells:
        return [default] * len(ctx.row_numbers)
    raw = ctx.cells[name]
    mapped, bad = map_distinct(raw, lambda value: lookup.get(fc.normalise(value)))
    header = ctx.headers[name]
    ctx.log.add_rows(bad, lambda i: ctx.log.add(ctx.row(i), header, raw[i].strip(), msgid))
    return mapped


def _whole_number(text: str, low: int, high: int, blank):
    text = text.strip()
    if not text:
        return blank
    if text.endswith(".0"):
        text = text[:-2]
    try:
        number = int(text)
    except ValueError:
        return None
    return number if low <= number <= high else None


def household_sizes(ctx: CheckContext) -> list:
    raw = ctx.cells["household_size"]
    mapped, bad = map_distinct(
        raw,
        lambda v: _whole_number(v, fc.MIN_HOUSEHOLD_SIZE, fc.MAX_HOUSEHOLD_SIZE, None),
    )
    header = ctx.headers["household_size"]
    ctx.log.add_rows(
        bad,
        lambda i: ctx.log.add(
            ctx.row(i),
            header,
            raw[i].strip(),
            N_(
                "Row {row}, column {column}: {value} is not a household size "
                "(a whole number of persons from {low} to {high})."
            ),
            low=fc.MIN_HOUSEHOLD_SIZE,
            high=fc.MAX_HOUSEHOLD_SIZE,
        ),
    )
    return mapped


def exit_years(ctx: CheckContext, statuses: Sequence) -> list:
    """Exit years (0 for blank); a year is required for exited households, forbidden otherwise."""
    raw = ctx.cells["exit_year"]
    mapped, bad = map_distinct(
        raw, lambda v: _whole_number(v, fc.MIN_EXIT_YEAR, fc.MAX_EXIT_YEAR, 0)
    )
    header = ctx.headers["exit_year"]
    ctx.log.add_rows(
        bad,
        lambda i: ctx.log.add(
            ctx.row(i),
            header,
            raw[i].strip(),
            N_("Row {row}, column {column}: {value} is not a year from {low} to {high}."),
            low=fc.MIN_EXIT_YEAR,
            high=fc.MAX_EXIT_YEAR,
        ),
    )
    missing, extra = _year_status_conflicts(mapped, statuses, bool(bad))
    ctx.log.add_rows(
        missing,
        lambda i: ctx.log.add(
            ctx.row(i), header, "", N_("Row {row}: an exited household needs an exit year.")
        ),
    )
    ctx.log.add_rows(
        extra,
        lambda i: ctx.log.add(
            ctx.row(i),
            header,
            raw[i].strip(),
            N_("Row {row}, column {column}: a household that has not exited has no exit year."),
        ),
    )
    return mapped


def _year_status_conflicts(years: list, statuses: Sequence, any_bad: bool):
    """Rows of exited households without a year, and rows with a year that have not exited
    (rows with an unreadable year or an unknown status are left to their own issues)."""
    if any_bad:
        years = [-1 if year is None else year for year in years]
    numeric = np.array(years, dtype=np.int64)
    n = len(numeric)
    exited = np.fromiter(map(operator.eq, statuses, repeat("exited")), dtype=bool, count=n)
    known = np.ones(n, dtype=bool)
    if None in statuses:
        known = np.fromiter(map(operator.is_not, statuses, repeat(None)), dtype=bool, count=n)
    missing = np.flatnonzero((numeric == 0) & exited)
    extra = np.flatnonzero((numeric > 0) & ~exited & known)
    return missing.tolist(), extra.tolist()


def duplicate_ids(ctx: CheckContext, ids: Sequence[str]) -> None:
    if len(set(ids)) == len(ids):
        return
    first: dict[str, int] = {}
    dups = []
    for i, value in enumerate(ids):
        if value and value in first:
            dups.append((i, first[value]))
        else:
            first.setdefault(value, i)
    header = ctx.headers["household_id"]
    for i, j in dups[: ctx.log.cap]:
        ctx.log.add(
            ctx.row(i),
            header,
            ids[i],
            N_("Row {row}: household id {value} is already used in row {first_row}."),
            first_row=ctx.row(j),
        )
    ctx.log.total += max(0, len(dups) - ctx.log.cap)


def codes_of(values: Sequence) -> np.ndarray:
    """Integer codes of ``values`` (equal values, equal codes; order arbitrary)."""
    table = {value: i for i, value in enumerate(set(values))}
    return np.fromiter(map(table.__getitem__, values), dtype=np.int64, count=len(values))


def functional(ctx: CheckContext, keys: np.ndarray, values, report: Callable[[int, int], None]):
    """Report each row whose value differs from the first row with the same key.

    ``keys`` are integer key codes (see :func:`codes_of`); rows whose value is None are
    skipped (already reported as unknown values).
    """
    value_codes = codes_of(values)
    pairs = np.unique(keys * (int(value_codes.max()) + 1) + value_codes)
    if len(pairs) == len(np.unique(keys)):
        return
    first: dict = {}
    conflicts = []
    for i, (key, value) in enumerate(zip(keys.tolist(), values, strict=True)):
        if value is None:
            continue
        j = first.setdefault(key, i)
        if values[j] != value:
            conflicts.append((i, j))
    for i, j in conflicts[: ctx.log.cap]:
        report(i, j)
    ctx.log.total += max(0, len(conflicts) - ctx.log.cap)
