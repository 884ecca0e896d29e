"""A plan's design in sentences for its page (the JSON stays beside it, as committed)."""

from __future__ import annotations

import json

from assessment.core.i18n import N_, Message
from assessment.core.labels import STRATUM_LABELS


def _counts(sizes, unit: str) -> list[Message]:
    msgid = N_("{label}: {n} villages") if unit == "villages" else N_("{label}: {n} households")
    return [
        Message(msgid, {"label": Message(STRATUM_LABELS.get(key, key)), "n": f"{int(n):,}"})
        for key, n in sizes.items()
        if isinstance(n, int | float) and not isinstance(n, bool) and n
    ]


def design_sentences(design_json: str) -> list[Message]:
    """What a stored design draws, sentence by sentence; empty if it cannot be read."""
    try:
        design = json.loads(design_json)
    except (TypeError, ValueError):
        return []
    if not isinstance(design, dict):
        return []
    out = []
    if isinstance(design.get("villages"), dict):
        out.append(
            Message(
                N_("Villages drawn: {items}."), {"items": _counts(design["villages"], "villages")}
            )
        )
    per_village = design.get("households_per_village")
    if isinstance(per_village, dict):
        items = _counts(per_village, "households")
        out.append(Message(N_("In each sampled village: {items}."), {"items": items}))
    if isinstance(design.get("sizes"), dict):
        items = _counts(design["sizes"], "households")
        out.append(Message(N_("Households per stratum: {items}."), {"items": items}))
    if design.get("reserves_per_household"):
        n = design["reserves_per_household"]
        out.append(Message(N_("{n} reserve households per sampled household."), {"n": n}))
    if design.get("screening") is True:
        out.append(
            Message(N_("Flagged non-registered households of sampled villages are screened."))
        )
    if design.get("purposive_villages"):
        count = len(design["purposive_villages"])
        out.append(Message(N_("{n} purposive villages, reported apart."), {"n": count}))
    return out
