"""Synthetic county frames for the demo and for tests (PURE; clearly invented data).

Shape follows domain.md §5 and §7: a third of the villages poor, one in six remote, about
30 % registered households in poor villages and 8 % elsewhere, a few not yet exited,
household sizes around 3.3, screening flags on a few percent of households.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import numpy as np

from assessment.core import csvsafe
from sampling.frames.columns import CANONICAL_COLUMNS

# The canonical columns in canonical order (no village codes), then one extra column.
HEADER = (*(name for name in CANONICAL_COLUMNS if name != "village_code"), "villagers_group")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "国建明华英秀兰芳军平志强文玉春海金云红丽桂生德福成中永山林"
FLAG_RATES = (0.05, 0.02, 0.04, 0.03, 0.04)


def synthetic_frame_csv(
    hierarchy: Mapping[str, Sequence[str]],
    households: int,
    *,
    rng: np.random.Generator,
    id_prefix: str = "DEMO",
) -> bytes:
    """A UTF-8 CSV frame of ``households`` households spread over ``hierarchy``'s villages."""
    villages = [(t, v) for t, names in hierarchy.items() for v in names]
    n = len(villages)
    if n == 0 or households < n:
        raise ValueError(f"households: need at least one per village ({n}), got {households}")
    weights = rng.gamma(4.0, 1.0, n)
    village_of = np.sort(rng.choice(n, households, p=weights / weights.sum()))
    village_of[:n] = np.arange(n)  # every village has at least one household
    village_of.sort()
    poor = rng.random(n) < 1 / 3
    remote = rng.random(n) < 1 / 6
    u = rng.random(households)
    in_poor = poor[village_of]
    status = np.where(
        u < np.where(in_poor, 0.02, 0.004),
        "not_exited",
        np.where(u < np.where(in_poor, 0.30, 0.08), "exited", "non_registered"),
    )
    sizes = np.clip(rng.poisson(2.3, households) + 1, 1, 12)
    years = np.where(status == "exited", rng.integers(2016, 2020, households), 0)
    names = rng.integers(0, [len(SURNAMES), len(GIVEN), len(GIVEN)], (households, 3))
    flags = rng.random((households, len(FLAG_RATES))) < np.array(FLAG_RATES)
    groups = rng.integers(1, 9, households)
    out = io.StringIO()
    writer = csvsafe.writer(out)
    writer.writerow(HEADER)
    for i in range(households):
        t, v = villages[village_of[i]]
        writer.writerow(
            (
                f"{id_prefix}{i + 1:07d}",
                t,
                v,
                "poor" if poor[village_of[i]] else "non_poor",
                int(remote[village_of[i]]),
                status[i],
                years[i] or "",
                sizes[i],
                SURNAMES[names[i, 0]] + GIVEN[names[i, 1]] + GIVEN[names[i, 2]],
                *flags[i].astype(int).tolist(),
                f"第{groups[i]}组",
            )
        )
    return out.getvalue().encode("utf-8")
