"""Snapshots for the report tests, with indicator values from published worked examples."""

from __future__ import annotations

import dataclasses
import io

import numpy as np
import pytest
from pypdf import PdfReader

from reports.model import Indicator, Problem
from reports.sample import sample_county_report, sample_province_report

# domain.md §8: Jinggangshan 28/6,829 persons wrongly exited = 0.41%, Clopper-Pearson 95% CI
# 0.27-0.59%; recognition 930/1,000 households = 93.0%, CI 91.2-94.5%.
WORKED_INDICATORS = (
    Indicator(
        "poverty_incidence", 0.016, 0.0112, 0.0208, 0.02, "<=", "meets", "inconclusive", 0.973
    ),
    Indicator(
        "wrongful_exit_rate",
        28 / 6829,
        0.0027,
        0.0059,
        0.02,
        "<=",
        "meets",
        "meets",
        0.999,
        28,
        6829,
    ),
    Indicator("missed_rate", 0.0035, 0.0011, 0.0081, 0.02, "<=", "meets", "meets", 0.998),
    Indicator(
        "recognition_rate", 0.93, 0.912, 0.945, 0.90, ">=", "meets", "meets", 0.999, 930, 1000
    ),
)


def problem_list(n: int) -> tuple[Problem, ...]:
    """``n`` problem households with distinct, recognisable ids."""
    kinds = ("wrongly_exited", "missed", "not_recognising")
    return tuple(
        Problem(
            kinds[i % 3],
            f"乡镇{i % 7}",
            f"村{i % 23}",
            f"HH-{i:05d}",
            1 + i % 5,
            ("income_ok", "housing_ok")[: 1 + i % 2],
            "收入不稳定，依靠临时救助。" * (1 + i % 4),
            "approved",
        )
        for i in range(n)
    )


@pytest.fixture
def make_county():
    """Factory: a county snapshot with the worked indicators and ``problems`` households."""

    def make(problems: int = 10, **changes):
        base = sample_county_report(rng=np.random.default_rng(7), problems=0)
        return dataclasses.replace(
            base, indicators=WORKED_INDICATORS, problems=problem_list(problems), **changes
        )

    return make


@pytest.fixture
def province():
    """A 12-county provincial snapshot."""
    return sample_province_report(rng=np.random.default_rng(11), counties=12)


@pytest.fixture
def pdf_text():
    """Function: all text of a PDF, pages joined."""

    def extract(data: bytes) -> str:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)

    return extract
