"""Complete verification answers for tests: a household of three that meets every standard.

Members: head 45, spouse 43, child 10 in school. Income over 12 months (yuan):
wages 9,000 + business gross 3,000 - business costs 1,000 + property 0 + dibao 0 + pensions 0
+ other transfers 600 = net 11,600; per capita 11,600 / 3 = 3,866.67.
"""

from __future__ import annotations

import copy
from typing import Any

MEMBER_HEAD = {
    "name": "王大山",
    "relation": "head",
    "sex": "male",
    "age": 45,
    "education": "junior",
    "insured": True,
    "health": ["healthy"],
    "labour": "able",
    "migrant": False,
}
MEMBER_SPOUSE = {
    "name": "李小花",
    "relation": "spouse",
    "sex": "female",
    "age": 43,
    "education": "primary",
    "insured": True,
    "health": ["chronic"],
    "labour": "weak",
    "migrant": False,
}
MEMBER_CHILD = {
    "name": "王小明",
    "relation": "child",
    "sex": "male",
    "age": 10,
    "education": "primary",
    "schooling": "in_school",
    "insured": True,
    "health": ["healthy"],
    "labour": "not_working_age",
}

BASE: dict[str, Any] = {
    "respondent_name": "王大山",
    "respondent_relation": "head",
    "head_name": "王大山",
    "head_sex": "male",
    "head_education": "junior",
    "roster": [MEMBER_HEAD, MEMBER_SPOUSE, MEMBER_CHILD],
    "income_wages": 9000,
    "income_business_gross": 3000,
    "income_business_costs": 1000,
    "income_property": 0,
    "income_transfer_dibao": 0,
    "income_transfer_pension": 0,
    "income_transfer_other": 600,
    "income_stable": True,
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
    "water_source": "well",
    "water_short_area": False,
    "water_quantity": 50,
    "water_quality_ok": True,
    "water_fetch_minutes": 10,
    "water_interruption_days": 5,
    "assistance": ["industry", "training"],
    "assistance_effective": "effective",
    "income_ok": True,
    "food_ok": True,
    "clothing_ok": True,
    "schooling_ok": True,
    "medical_ok": True,
    "housing_ok": True,
    "water_ok": True,
}


def household(**changes: Any) -> dict[str, Any]:
    """A deep copy of :data:`BASE` with top-level ``changes`` applied (None removes a key)."""
    answers = copy.deepcopy(BASE)
    for key, value in changes.items():
        if value is None:
            answers.pop(key, None)
        else:
            answers[key] = value
    return answers


def member(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A copy of roster row ``base`` with ``changes`` (None removes a key)."""
    row = copy.deepcopy(base)
    for key, value in changes.items():
        if value is None:
            row.pop(key, None)
        else:
            row[key] = value
    return row
