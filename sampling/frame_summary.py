"""What a frame contains: households and persons by township, village type and status.

PURE. Plain frozen dataclasses for the frame summary page and the CLI.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from sampling.frames import Frame
from sampling.frames.columns import FLAG_COLUMNS, STATUSES, VILLAGE_TYPES


@dataclass(frozen=True)
class Count:
    """Households and persons (sum of household sizes)."""

    households: int
    persons: int


@dataclass(frozen=True)
class SummaryRow:
    """One cell of the township x village type x status table."""

    township: str
    village_type: str
    status: str
    households: int
    persons: int


@dataclass(frozen=True)
class FrameSummary:
    """Counts of a frame; mappings are sorted by key (statuses in canonical order).

    Attributes
    ----------
    total : Count
    villages : mapping of str to int
        Villages by village type; ``remote`` counts remote villages of either type.
    by_township, by_village_type, by_status : mapping of str to Count
    rows : tuple of SummaryRow
        Non-empty cells of township x village type x status.
    screening_candidates : int
        Non-registered households carrying any screening flag.
    content_hash : str
    """

    total: Count
    villages: Mapping[str, int]
    by_township: Mapping[str, Count]
    by_village_type: Mapping[str, Count]
    by_status: Mapping[str, Count]
    rows: tuple[SummaryRow, ...]
    screening_candidates: int
    content_hash: str


def _codes(values: np.ndarray, categories) -> np.ndarray:
    lookup = {value: i for i, value in enumerate(categories)}
    return np.fromiter(map(lookup.__getitem__, values), dtype=np.int64, count=len(values))


def summarize_frame(frame: Frame) -> FrameSummary:
    """Summarise ``frame`` (vectorised; about a second for 1,000,000 households)."""
    towns = sorted(set(frame.township.tolist()))
    shape = (len(towns), len(VILLAGE_TYPES), len(STATUSES))
    cell = np.ravel_multi_index(
        (
            _codes(frame.township, towns),
            _codes(frame.village_type, VILLAGE_TYPES),
            _codes(frame.status, STATUSES),
        ),
        shape,
    )
    size = np.prod(shape)
    households = np.bincount(cell, minlength=size).reshape(shape)
    persons = np.bincount(cell, weights=frame.household_size, minlength=size)
    persons = persons.astype(np.int64).reshape(shape)

    def margin(axis_keep: int, names) -> Mapping[str, Count]:
        other = tuple(a for a in range(3) if a != axis_keep)
        h, p = households.sum(axis=other), persons.sum(axis=other)
        return MappingProxyType({n: Count(int(h[i]), int(p[i])) for i, n in enumerate(names)})

    rows = tuple(
        SummaryRow(
            towns[t], VILLAGE_TYPES[v], STATUSES[s], int(households[t, v, s]), int(persons[t, v, s])
        )
        for t, v, s in zip(*np.nonzero(households), strict=True)
    )
    villages = {kind: int(np.sum(frame.villages.village_type == kind)) for kind in VILLAGE_TYPES}
    villages["remote"] = int(np.sum(frame.villages.remote))
    flagged = np.logical_or.reduce([getattr(frame, name) for name in FLAG_COLUMNS])
    return FrameSummary(
        total=Count(int(households.sum()), int(persons.sum())),
        villages=MappingProxyType(villages),
        by_township=margin(0, towns),
        by_village_type=margin(1, VILLAGE_TYPES),
        by_status=margin(2, STATUSES),
        rows=rows,
        screening_candidates=int(np.sum(flagged & (frame.status == "non_registered"))),
        content_hash=frame.content_hash,
    )
