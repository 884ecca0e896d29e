"""Derived values and automatic quality flags of a submitted interview.

The flags are hints for the supervisor, never verdicts: a flagged interview is reviewed
one by one; only unflagged ones may be approved in bulk.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.core.formatting import Duration
from assessment.core.i18n import N_, Message
from sampling.services import Household
from surveys.instruments.model import RecognitionRule
from surveys.instruments.verdicts import HouseholdVerdict, disagreements
from surveys.labels import STANDARD_LABELS

MB = 1024 * 1024
FLAG_MESSAGES = {
    "too_short": N_("Interview took {duration} (minimum {minimum} minutes)."),
    "recognition_identical": N_("All {count} recognition answers are identical."),
    "verdict_disagreement": N_(
        "The assessor's verdict differs from the computed one: {standards}."
    ),
    "far_from_village": N_("Recorded {km} km from the village (limit {limit} km)."),
    "household_size": N_("The roster has {reported} members; the frame lists {frame}."),
    "near_line": N_("Per-capita income is near the poverty line."),
}


@dataclass(frozen=True)
class SurveySettings:
    """Settings of the survey workflow (from the ini's ``surveys.*`` keys).

    Attributes
    ----------
    min_duration_minutes : float
        Interviews shorter than this are flagged "too short".
    max_distance_km : float
        Interviews recorded farther than this from the village are flagged.
    photo_max_bytes : int
        Largest house photo accepted.
    """

    min_duration_minutes: float = 20.0
    max_distance_km: float = 5.0
    photo_max_bytes: int = 5 * MB

    @classmethod
    def from_settings(cls, settings) -> SurveySettings:
        """From the application settings parsed at start-up (``surveys.*`` keys of the ini)."""
        return cls(
            min_duration_minutes=settings.survey_min_duration_minutes,
            max_distance_km=settings.survey_max_distance_km,
            photo_max_bytes=settings.survey_photo_max_bytes,
        )


@dataclass(frozen=True)
class Flag:
    """One quality flag: a code of :data:`FLAG_MESSAGES` and its message values."""

    code: str
    mapping: Mapping[str, Any]

    @property
    def message(self) -> Message:
        return Message(FLAG_MESSAGES[self.code], _display_values(self.code, self.mapping))


def _display_values(code: str, mapping: Mapping[str, Any]) -> dict[str, Any]:
    """A flag's stored values as the message shows them: the duration in minutes and
    seconds, the standards by their names (flags stored before keep their old values)."""
    values = dict(mapping)
    if code == "too_short":
        seconds = values.get("seconds")
        values["duration"] = Duration(seconds if seconds is not None else values["minutes"] * 60)
    elif code == "verdict_disagreement" and isinstance(values.get("standards"), str):
        names = [name.strip() for name in values["standards"].split(",") if name.strip()]
        values["standards"] = [
            Message(STANDARD_LABELS.get(f"{name}_ok", STANDARD_LABELS.get(name, name)))
            for name in names
        ]
    return values


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in km on a sphere of radius 6,371 km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def village_location(dbsession: Session, frame_village_id: int) -> tuple[float, float] | None:
    """The village's coordinates: the mean ``latitude``/``longitude`` extra columns of its
    frame households, or None when the frame does not carry them."""
    query = select(Household.attributes).where(Household.frame_village_id == frame_village_id)
    points = []
    for text in dbsession.scalars(query):
        attrs = json.loads(text or "{}")
        try:
            points.append((float(attrs["latitude"]), float(attrs["longitude"])))
        except (KeyError, TypeError, ValueError):
            continue
    if not points:
        return None
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


def _identical_recognition(answers: Mapping[str, Any], rule: RecognitionRule | None) -> Flag | None:
    if rule is None:
        return None
    given = [answers.get(item) for item in rule.items if answers.get(item) is not None]
    if len(given) >= 3 and len(set(given)) == 1:
        return Flag("recognition_identical", {"count": len(given)})
    return None


def quality_flags(
    *,
    settings: SurveySettings,
    duration_seconds: int,
    verification: Mapping[str, Any],
    recognition: Mapping[str, Any],
    rule: RecognitionRule | None,
    verdict: HouseholdVerdict,
    frame_size: int,
    location: tuple[float, float] | None,
    village: tuple[float, float] | None,
) -> list[Flag]:
    """Every automatic flag of one submitted interview (see :data:`FLAG_MESSAGES`)."""
    flags = []
    minutes = duration_seconds / 60
    if minutes < settings.min_duration_minutes:
        flags.append(
            Flag(
                "too_short",
                {
                    "minutes": round(minutes),
                    "seconds": duration_seconds,
                    "minimum": settings.min_duration_minutes,
                },
            )
        )
    identical = _identical_recognition(recognition, rule)
    if identical is not None:
        flags.append(identical)
    differing = disagreements(verification, verdict.standards)
    if differing:
        flags.append(
            Flag("verdict_disagreement", {"standards": ", ".join(d.standard for d in differing)})
        )
    if location is not None and village is not None:
        km = distance_km(*location, *village)
        if km > settings.max_distance_km:
            flags.append(
                Flag("far_from_village", {"km": round(km, 1), "limit": settings.max_distance_km})
            )
    if verdict.income.members != frame_size:
        flags.append(
            Flag("household_size", {"reported": verdict.income.members, "frame": frame_size})
        )
    if verdict.income.near_line:
        flags.append(Flag("near_line", {}))
    return flags


def flags_to_json(flags: list[Flag]) -> str:
    return json.dumps([{"code": f.code, **f.mapping} for f in flags], ensure_ascii=False)


def flags_from_json(text: str) -> list[Flag]:
    out = []
    for item in json.loads(text or "[]"):
        code = item.pop("code")
        out.append(Flag(code, item))
    return out
