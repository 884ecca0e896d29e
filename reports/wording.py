"""Codes and machine values of a snapshot written as the report's words (PURE).

A locked snapshot keeps codes (``draft``, ``korn-graubard``, a design's JSON, stratum codes);
these functions turn them into the report language at render time, with the wording of
:mod:`reports.labels`. Values they do not know are shown as given (free text, old snapshots).
"""

from __future__ import annotations

import json
import re

from assessment.indicators.model import RARE_RATE_ICC
from reports import labels as L
from reports.model import Methods, RareRateIcc

SEP = {"zh": "、", "en": ", "}
# The estimators' description of snapshots taken before it became a code.
_OLD_ESTIMATORS = (
    "Weighted ratio estimators (persons) with Taylor linearisation, villages as PSUs "
    "within village strata (with-replacement variance); comprehensive incidence by the "
    "delta method."
)
ESTIMATORS_CODE = "ratio_taylor"
STRATUM_PREFIXES = ("class_", "status_")


# The demo's institution, stored in Chinese in every snapshot so far.
DEMO_INSTITUTION = "第三方评估机构（示范）"


def institution_text(lang: str, institution: str) -> str:
    """The assessing institution; the demo's placeholder name in the report's language."""
    return L.text(lang, "institution_demo") if institution == DEMO_INSTITUTION else institution


def version_text(lang: str, version: str) -> str:
    """A report version: its number, or "草稿" for the unnumbered draft."""
    return L.text(lang, "version_draft") if version in ("draft", "", None) else str(version)


def stratum_text(lang: str, stratum: str) -> str:
    """A stratum code (village class or household status) by its name; free labels as given."""
    for prefix in STRATUM_PREFIXES:
        named = L.code(lang, prefix, stratum)
        if named != stratum:
            return named
    return stratum


def estimators_text(lang: str, value: str) -> str:
    """The estimators' description from its code (or the English text of old snapshots)."""
    code = ESTIMATORS_CODE if value == _OLD_ESTIMATORS else value
    return L.code(lang, "estimators_", code)


def ci_method_text(lang: str, value: str) -> str:
    """Interval methods, comma-separated codes, by their names."""
    if not value or value == "—":
        return value
    names = [L.code(lang, "method_", part.strip()) for part in value.split(",") if part.strip()]
    return SEP[lang].join(names)


def instrument_text(lang: str, value: str) -> str:
    """``verification-v1, recognition-v1`` as the questionnaires' names with their versions."""
    parts = []
    for part in (p.strip() for p in value.split(",") if p.strip()):
        match = re.fullmatch(r"([a-z_]+)-v(\d+)", part)
        if match is None:
            parts.append(part)
            continue
        name = L.code(lang, "instrument_", match.group(1))
        parts.append(f"{name} v{match.group(2)}" if name != match.group(1) else part)
    return SEP[lang].join(parts) if parts else value


def seed_commitment_text(lang: str, value: str) -> str:
    """The commitment and the seed, the word "seed" in the report's language."""
    return value.replace(" · seed ", f" · {L.text(lang, 'seed')} ")


def _counts(lang: str, sizes: dict, unit: str) -> str:
    items = [
        L.text(lang, f"count_{unit}", label=stratum_text(lang, str(k)), n=f"{int(v):,}")
        for k, v in sizes.items()
        if isinstance(v, int | float) and v
    ]
    return SEP[lang].join(items)


def design_text(lang: str, design_json: str) -> str:
    """A design in sentences (sizes per stratum, reserves, screening) instead of its JSON."""
    try:
        design = json.loads(design_json)
    except (TypeError, ValueError):
        return design_json
    if not isinstance(design, dict):
        return design_json
    t = lambda key, **kw: L.text(lang, key, **kw)  # noqa: E731
    two_stage = design.get("type") == "two-stage"
    out = [t("design_two_stage" if two_stage else "design_stratified")]
    if isinstance(design.get("villages"), dict) and design["villages"]:
        out.append(t("design_villages", items=_counts(lang, design["villages"], "villages")))
    per_village = design.get("households_per_village")
    if isinstance(per_village, dict) and per_village:
        out.append(t("design_households", items=_counts(lang, per_village, "households")))
    if isinstance(design.get("sizes"), dict) and design["sizes"]:
        out.append(t("design_strata", items=_counts(lang, design["sizes"], "households")))
    if design.get("reserves_per_household"):
        out.append(t("design_reserves", n=design["reserves_per_household"]))
    if design.get("screening"):
        out.append(t("design_screening"))
    if design.get("purposive_villages"):
        out.append(t("design_purposive", n=len(design["purposive_villages"])))
    return ("" if lang == "zh" else " ").join(out)


def icc_lines(lang: str, methods: Methods, indicators=()) -> list[str]:
    """The ρ of each rare rate's interval and its source (the planning value, or pooled from
    N counties of a round, in use from a date); a snapshot without it used the planning
    value. When 漏评率 rests on the census effective size (``indicators`` say so), a line
    naming that size and its screening model follows."""
    found = methods.rare_rate_icc or tuple(
        RareRateIcc(key, RARE_RATE_ICC) for key in ("wrongful_exit_rate", "missed_rate")
    )
    census = {i.key for i in indicators if i.effective_size == "screening_census"}
    extra = [
        L.text(
            lang,
            "icc_census",
            indicator=L.text(lang, r.indicator),
            k_c=f"{r.screening_model[0]:.3f}",
            rho_c=f"{r.screening_model[1]:.3f}",
            k_u=f"{r.screening_model[2]:.3f}",
            rho_u=f"{r.screening_model[3]:.3f}",
            round=r.from_round,
            counties=r.screening_counties,
            date=r.applied.isoformat() if r.applied else "",
        )
        for r in found
        if r.indicator in census and r.screening_model is not None
    ]
    return [
        L.text(
            lang,
            f"icc_{r.source}",
            indicator=L.text(lang, r.indicator),
            value=f"{r.value:.2f}" if r.source == "planning" else f"{r.value:.3f}",
            round=r.from_round,
            counties=r.counties,
            villages=r.villages,
            events=r.events,
            date=r.applied.isoformat() if r.applied else "",
        )
        for r in found
    ] + extra
