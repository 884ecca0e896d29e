"""Household frames (抽样框): a checked, columnar, content-hashed list of a county's households.

PURE. One path from bytes to a frame, read top to bottom: ``columns`` (headers and values),
``read`` (limits, then polars for CSV or fastexcel for XLSX, into one table of text cells),
``check`` (one validator naming every problem), ``hashing`` (the content hash of every draw
commitment), ``frame`` (:class:`Frame`, :func:`read_frame`) and ``isolated`` (the same in a child
process with memory and time limits, as the web and the CLI call it). The database side (bulk
insert, COPY) is :mod:`sampling.services`. See ``docs/frame-format.md``.
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
