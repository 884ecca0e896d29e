"""CSV writing that a spreadsheet cannot turn into formulas (PURE; the one helper for every CSV).

A cell whose text starts with ``=``, ``+``, ``-``, ``@`` (or ``|``, ``%``), a tab or a carriage
return is run or mangled as a formula by Excel and LibreOffice (OWASP, "CSV Injection"):
frame text such as ``=HYPERLINK(...)`` or ``+cmd|...`` must reach the reader as text. The
cell is prefixed with ``'``, which spreadsheets show as the start of a text cell.
:mod:`defusedcsv` does this for the first six; tab and carriage return are added here.
Numbers stay numbers: ints and floats are written as they are, and so is text that is only a
(signed) number such as ``-12.5``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from defusedcsv import csv as defused

_CONTROL_STARTS = ("\t", "\r")


def _quote_control_start(value: Any) -> Any:
    # defusedcsv leaves a cell starting with "'" alone, so the prefix is added once.
    if isinstance(value, str) and value.startswith(_CONTROL_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """defusedcsv's writer, with tab and carriage return added to its formula starts."""

    def __init__(self, stream, **fmtparams):
        self._writer = defused.writer(stream, **fmtparams)

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow([_quote_control_start(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(stream, **fmtparams) -> SafeWriter:
    """A CSV writer on a text stream (open it with ``newline=""``)."""
    return SafeWriter(stream, **fmtparams)
