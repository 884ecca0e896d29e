"""Household frames (抽样框): a checked, columnar, content-hashed list of a county's households.

PURE. One path from bytes to a frame, read top to bottom:

- :mod:`~sampling.frames.columns`: the columns, their Chinese and English headers and values;
- :mod:`~sampling.frames.read`: limits, then decoding and polars (CSV) or fastexcel (XLSX),
  into one table of text cells;
- :mod:`~sampling.frames.check`: one validator in polars expressions, naming every problem;
- :mod:`~sampling.frames.hashing`: the content hash recorded in every draw commitment;
- :mod:`~sampling.frames.frame`: the :class:`Frame` and :func:`read_frame`;
- :mod:`~sampling.frames.isolated`: :func:`read_frame` in a child process with memory and time
  limits, as the web and the CLI call it;

The database side (bulk insert, COPY) is :mod:`sampling.services`; the counts of the summary
page are :mod:`sampling.frame_summary`. See ``docs/frame-format.md``.
"""

from sampling.frames import columns as fc
from sampling.frames.check import FrameIssue
from sampling.frames.frame import Frame, FrameImport, VillageTable, make_frame, read_frame
from sampling.frames.hashing import content_hash
from sampling.frames.read import Limits

__all__ = [
    "Frame",
    "FrameImport",
    "FrameIssue",
    "Limits",
    "VillageTable",
    "content_hash",
    "fc",
    "make_frame",
    "read_frame",
]
