"""Plausible complete questionnaire answers for SIMULATED fieldwork (demo and tests only).

PURE. The answers pass the instrument's own validation; the verdict is then derived from
them by :mod:`surveys.instruments.verdicts` exactly as for real interviews, so a simulated household
that is meant to fail the income standard is found "wrongly exited" by the real rules.
"""

from __future__ import annotations

from typing import Any

import numpy as np

SURNAMES = "王李张刘陈杨黄赵吴周"
RELATIONS = ("spouse", "child", "child", "parent", "grandchild", "other")


def _member(rng: np.random.Generator, relation: str, age: int) -> dict[str, Any]:
    row: dict[str, Any] = {
        "name": SURNAMES[int(rng.integers(len(SURNAMES)))] + "某",
        "relation": relation,
        "sex": "male" if rng.random() < 0.5 else "female",
        "age": age,
        "education": "primary" if age >= 8 else "none",
        "insured": True,
        "health": ["healthy"],
        "labour": "able" if 16 <= age < 65 else "not_working_age",
        "migrant": False,
    }
    if 6 <= age <= 15:
        row["schooling"] = "in_school"
    if age < 6:
        row.pop("migrant")
    return row


def _roster(rng: np.random.Generator, persons: int, head_name: str) -> list[dict[str, Any]]:
    head = _member(rng, "head", int(rng.integers(35, 70)))
    head["name"] = head_name
    rows = [head]
    for i in range(1, persons):
        relation = RELATIONS[min(i - 1, len(RELATIONS) - 1)]
        head_age = head["age"]
        ages = {
            "spouse": head_age - 2,
            "parent": min(head_age + 25, 95),
            # children at least 18 years younger than the head, grandchildren 36
            "child": int(rng.integers(1, max(2, min(30, head_age - 17)))),
            "grandchild": int(rng.integers(0, max(1, head_age - 36))),
        }
        age = ages.get(relation, int(rng.integers(18, 60)))
        rows.append(_member(rng, relation, age))
    return rows


def verification_answers(
    rng: np.random.Generator,
    *,
    persons: int,
    head_name: str,
    poverty_line: float,
    poor: bool = False,
) -> dict[str, Any]:
    """Answers of the verification questionnaire; ``poor`` makes income fall below the line."""
    per_capita = poverty_line * (rng.uniform(0.55, 0.9) if poor else rng.uniform(1.3, 3.5))
    total = round(per_capita * persons)
    wages = round(total * 0.7)
    roster = _roster(rng, persons, head_name)
    answers: dict[str, Any] = {
        "respondent_name": head_name,
        "respondent_relation": "head",
        "head_name": head_name,
        "head_sex": roster[0]["sex"],  # the header agrees with the roster's 户主 row
        "head_education": "primary",
        "roster": roster,
        "income_wages": wages,
        "income_business_gross": total - wages + 500,
        "income_business_costs": 500,
        "income_property": 0,
        "income_transfer_dibao": 0,
        "income_transfer_pension": 0,
        "income_transfer_other": 0,
        "income_stable": not poor,
        "food_staple_enough": True,
        "food_protein": True,
        "clothing_seasonal": True,
        "clothing_bedding": True,
        "clothing_mainly_donated": False,
        "medical_afford": True,
        "chronic_card": True,
        "family_doctor": True,
        "housing_structure": "brick_concrete",
        "housing_rating": "B",
        "relocation": "none",
        "housing_defects": False,
        "elderly_in_old_house": False,
        "water_source": "piped_home",
        "water_short_area": False,
        "water_quantity": int(rng.integers(40, 90)),
        "water_quality_ok": True,
        "water_fetch_minutes": 0,
        "water_interruption_days": int(rng.integers(0, 10)),
        "assistance": ["industry"],
        "assistance_effective": "effective",
    }
    for standard in (
        "food_ok",
        "clothing_ok",
        "schooling_ok",
        "medical_ok",
        "housing_ok",
        "water_ok",
    ):
        answers[standard] = True
    answers["income_ok"] = not poor
    if poor:
        answers["income_ok_reason"] = "人均纯收入低于贫困线（模拟数据）"
    return answers


def recognition_answers(
    rng: np.random.Generator, *, status: str, recognising: bool
) -> dict[str, Any]:
    """Answers of the recognition questionnaire (5-point items, 1-2 = not recognised)."""

    def item() -> str:
        return str(int(rng.choice([3, 4, 5], p=[0.1, 0.4, 0.5])))

    answers: dict[str, Any] = {
        "rec_identification": item(),
        "rec_exit": item(),
        "rec_work_team": item(),
    }
    if status == "exited":
        answers["rec_own_exit"] = item()
    if status in ("exited", "not_exited"):
        answers.update(
            rec_measures=item(), rec_results=item(), helper_known=True, rec_helper=item()
        )
    else:
        answers["rec_public_services"] = item()
    if not recognising:
        answers["rec_work_team"] = "2"
    return answers
