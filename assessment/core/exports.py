"""Data exports: CSV and XLSX written row by row from iterators, with a codebook (PURE).

Rows are streamed: nothing holds more than one row of the data at a time (XLSX goes through
openpyxl's write-only mode, which spools each sheet to a temporary file), so an export of a
whole province runs in constant memory. Nothing is ever truncated: a sheet longer than Excel's
row limit continues on ``<name>_2``, ``<name>_3`` ... with the header repeated, and a text too
long for an Excel cell is an error rather than a silent cut (use CSV for such data).
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from assessment.core import csvsafe

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_CELL_CHARS = 32_767
CODEBOOK_HEADER = ("sheet", "variable", "label_zh", "label_en", "values")


@dataclass(frozen=True)
class Column:
    """One exported variable and its codebook entry.

    Parameters
    ----------
    name : str
        Variable name, the column header (ASCII, as survey software expects).
    label_zh, label_en : str
        Labels in Chinese and English.
    values : str
        Values and units, e.g. ``"1=是/yes; 0=否/no"`` or ``"yuan per person per year"``.
    """

    name: str
    label_zh: str
    label_en: str
    values: str = ""


@dataclass(frozen=True)
class Sheet:
    """A table to export: its name, its columns and an iterator of rows (consumed once)."""

    name: str
    columns: tuple[Column, ...]
    rows: Iterable[Sequence[object]]


def _checked_rows(sheet: Sheet) -> Iterator[Sequence[object]]:
    width = len(sheet.columns)
    for number, row in enumerate(sheet.rows, 1):
        if len(row) != width:
            raise ValueError(
                f"rows of sheet {sheet.name!r}: row {number} has {len(row)} values, "
                f"expected {width} (one per column)"
            )
        yield row


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def write_csv(sheet: Sheet, out: BinaryIO) -> int:
    """Write ``sheet`` as CSV (UTF-8 with BOM, so Excel reads Chinese) to ``out``.

    Text a spreadsheet would run as a formula is neutralised (:mod:`assessment.core.csvsafe`).

    Parameters
    ----------
    sheet : Sheet
        Columns and a row iterator; the header row holds the variable names.
    out : binary file object
        Destination; left open.

    Returns
    -------
    int
        Data rows written.
    """
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    try:
        writer = csvsafe.writer(text)
        writer.writerow([c.name for c in sheet.columns])
        count = 0
        for row in _checked_rows(sheet):
            writer.writerow([_csv_value(v) for v in row])
            count += 1
        text.flush()
    finally:
        text.detach()
    return count


def codebook_rows(
    sheets: Sequence[Sheet], notes: Sequence[tuple[str, str, str, str, str]] = ()
) -> Iterator[tuple[str, str, str, str, str]]:
    """Codebook entries (sheet, variable, label zh, label en, values) of ``sheets``, then
    ``notes``: further entries in the same five columns (e.g. the commands that reproduce
    the report's figures from the data)."""
    for sheet in sheets:
        for c in sheet.columns:
            yield (sheet.name, c.name, c.label_zh, c.label_en, c.values)
    yield from notes


def write_codebook_csv(
    sheets: Sequence[Sheet], out: BinaryIO, notes: Sequence[tuple[str, ...]] = ()
) -> int:
    """Write the codebook of ``sheets`` (and ``notes``) as CSV (UTF-8 with BOM); returns
    entries written."""
    columns = tuple(Column(n, n, n) for n in CODEBOOK_HEADER)
    return write_csv(Sheet("codebook", columns, codebook_rows(sheets, notes)), out)


def _xlsx_cell(ws, value: object, where: str):
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.isoformat()  # Excel has no time zones; keep the offset as text
    if isinstance(value, str):
        if len(value) > EXCEL_MAX_CELL_CHARS:
            raise ValueError(
                f"{where}: text of {len(value)} characters exceeds Excel's cell limit of "
                f"{EXCEL_MAX_CELL_CHARS}; export this data as CSV instead"
            )
        # Control characters are invalid in XML; they carry no meaning in survey answers.
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
        if value.startswith("="):
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"  # text, never a formula (answers come from the field)
            return cell
    return value


def _append_sheet(wb: Workbook, sheet: Sheet, max_rows: int) -> int:
    header = [c.name for c in sheet.columns]
    part, ws, used, count = 1, wb.create_sheet(sheet.name[:31]), 1, 0
    ws.append(header)
    for row in _checked_rows(sheet):
        if used >= max_rows:
            part += 1
            ws = wb.create_sheet(f"{sheet.name[:28]}_{part}")
            ws.append(header)
            used = 1
        count += 1
        ws.append(
            [
                _xlsx_cell(ws, v, f"sheet {sheet.name!r} row {count}")
                if isinstance(v, str | datetime)
                else v
                for v in row
            ]
        )
        used += 1
    return count


def write_xlsx(
    sheets: Sequence[Sheet],
    out: BinaryIO,
    *,
    codebook: bool = True,
    max_rows: int = EXCEL_MAX_ROWS,
    notes: Sequence[tuple[str, ...]] = (),
) -> dict[str, int]:
    """Write ``sheets`` (and a ``codebook`` sheet) to an XLSX workbook, streaming.

    Parameters
    ----------
    sheets : sequence of Sheet
        E.g. households (one row per household) and members (roster); each row iterator is
        consumed once, row by row.
    out : binary file object
        Destination; left open.
    codebook : bool
        Add a ``codebook`` sheet describing every column of every sheet (then ``notes``).
    max_rows : int
        Rows per worksheet including the header; longer sheets continue on ``<name>_2`` ...
    notes : sequence of 5-tuples
        Further codebook entries after the columns'.

    Returns
    -------
    dict
        Data rows written per sheet name.
    """
    if max_rows < 2:
        raise ValueError(f"max_rows must be at least 2, got {max_rows!r}")
    names = [s.name for s in sheets]
    if len(set(names)) != len(names) or (codebook and "codebook" in names):
        raise ValueError(f"sheets must have distinct names other than 'codebook', got {names}")
    wb = Workbook(write_only=True)
    try:
        counts = {s.name: _append_sheet(wb, s, max_rows) for s in sheets}
        if codebook:
            columns = tuple(Column(n, n, n) for n in CODEBOOK_HEADER)
            rows = codebook_rows(sheets, notes)
            _append_sheet(wb, Sheet("codebook", columns, rows), max_rows)
    except BaseException:
        # Saving to nowhere closes openpyxl's spooled sheet writers and their temp files.
        with contextlib.suppress(Exception):
            wb.save(io.BytesIO())
        raise
    wb.save(out)
    return counts
