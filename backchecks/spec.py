"""Back-check items of an instrument: which questions are asked again, how they compare (PURE).

The items of an instrument version are marked in ``backchecks/definitions/
backcheck-<instrument>-v<version>.json``: each names a question of the instrument (or, with
its own ``answer_type`` and ``label``, a computed value such as ``household_size``), a
back-check **type** and, for numbers, a **tolerance**:

- type 1: facts that should not change (household size, house structure): any difference
  beyond the tolerance is a discrepancy of the assessor's recording;
- type 2: items that are hard to ask well (income, diet): differences measure how well
  they are asked;
- type 3: items that may change over days (interruptions of water): differences are
  expected to some degree.

A tolerance is absolute, or relative to the original value with ``"relative": true``
(0.2: within 20 %). Keeping the marks beside the instrument (rather than inside its JSON)
leaves the instrument's content hash, and every interview bound to it, unchanged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assessment.core.i18n import Text

if TYPE_CHECKING:  # the instrument's types only: this pure module needs no database
    from surveys.services import Choice, Instrument

DEFINITIONS = Path(__file__).parent / "definitions"
TYPES = (1, 2, 3)
ANSWER_TYPES = ("integer", "decimal", "single_choice", "yes_no")
# Largest acceptable discrepancy rate per item type (0-1): above it, an item is flagged.
MAX_RATE = {1: 0.10, 2: 0.20, 3: 0.30}


@dataclass(frozen=True)
class BackcheckItem:
    """One question asked again at a back-check."""

    name: str
    type: int
    answer_type: str
    label: Text
    tolerance: float = 0.0
    relative: bool = False
    choices: tuple[Choice, ...] = ()

    @property
    def numeric(self) -> bool:
        return self.answer_type in ("integer", "decimal")

    @property
    def max_rate(self) -> float:
        return MAX_RATE[self.type]


def parse_spec(data: dict, instrument: Instrument) -> tuple[BackcheckItem, ...]:
    """The items of ``data`` (the JSON above) checked against ``instrument``.

    Raises
    ------
    ValueError
        An unknown question, type or answer type, or a negative tolerance, naming the item.
    """
    items, seen = [], set()
    for raw in data.get("items", []):
        name = raw.get("name")
        if name in seen:
            raise ValueError(f"back-check item {name!r}: listed twice")
        seen.add(name)
        kind = raw.get("type")
        if kind not in TYPES:
            raise ValueError(f"back-check item {name!r}: type must be one of {TYPES}, got {kind!r}")
        tolerance = float(raw.get("tolerance", 0))
        if tolerance < 0:
            raise ValueError(f"back-check item {name!r}: negative tolerance {tolerance!r}")
        if "answer_type" in raw:
            label = Text(raw["label"]["zh"], raw["label"]["en"])
            answer_type, choices = raw["answer_type"], ()
        else:
            try:
                question = instrument.question(name)
            except (KeyError, ValueError):
                raise ValueError(f"back-check item {name!r}: no such question") from None
            label, answer_type = question.label, question.type
            choices = getattr(question, "choices", ())
        if answer_type not in ANSWER_TYPES:
            raise ValueError(f"back-check item {name!r}: answer type {answer_type!r}")
        items.append(
            BackcheckItem(
                name, kind, answer_type, label, tolerance, bool(raw.get("relative")), choices
            )
        )
    if not items:
        raise ValueError("a back-check needs at least one item")
    return tuple(items)


def shipped_spec(instrument_id: str, version: int) -> dict:
    """The shipped back-check marks of an instrument version (the JSON above), unchecked."""
    path = DEFINITIONS / f"backcheck-{instrument_id}-v{version}.json"
    return json.loads(path.read_text(encoding="utf-8"))
