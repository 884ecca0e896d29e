"""Sampling designs as data: parse and check design JSON into frozen dataclasses.

PURE. Two design types (see ``docs/sampling.md``):

* ``two-stage``: villages by stratum (``poor``, ``non_poor``, optional ``remote``) with
  systematic PPS, then households by registration status within each selected village;
* ``stratified-srs``: one-stage stratified simple random sampling of households.

:func:`canonical_json` gives the text that is hashed into the draw commitment: sorted keys,
no spaces, every default written out, so two files meaning the same design hash the same.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from assessment.core.i18n import N_, Message
from sampling.frames.columns import STATUSES

VILLAGE_STRATA = ("non_poor", "poor", "remote")
STRATUM_VARIABLES = ("status", "village_type", "remote", "township")
ONE_STAGE_ALLOCATIONS = ("fixed", "proportional", "neyman")
HOUSEHOLD_ALLOCATIONS = ("fixed", "proportional")
MAX_RESERVES = 10


class DesignError(ValueError):
    """The design is invalid; ``messages`` says why, one :class:`Message` per problem."""

    def __init__(self, messages: list[Message]) -> None:
        super().__init__("; ".join(str(message) for message in messages))
        self.messages = tuple(messages)


@dataclass(frozen=True)
class TwoStageDesign:
    """Villages by PPS within strata, then households by status within each village.

    Attributes
    ----------
    villages : mapping of str to int
        Villages to select per village stratum (``poor``, ``non_poor``, and ``remote`` when a
        remote stratum is wanted: then remote villages form their own stratum, whatever
        their type).
    household_allocation : {"fixed", "proportional"}
    households_per_village : mapping of str to int
        With ``fixed``: households per status in every selected village.
    households_total : int
        With ``proportional``: households per village, split over statuses in proportion
        to the village's counts (0 with ``fixed``).
    reserves_per_household : int
        Reserve households per selected household, per village and status.
    screening : bool
        List the screening-flagged non-registered households of selected villages.
    purposive_villages : tuple of str
        Keys of villages visited by choice, not by chance (e.g. remote villages picked by
        the team). They stay in the PPS lists, so the random sample still represents the
        whole county; one not drawn at random is added as *purposive*, its households drawn
        like the others, and its interviews are reported apart from the design-based
        estimates.
    """

    villages: Mapping[str, int]
    household_allocation: str
    households_per_village: Mapping[str, int]
    households_total: int
    reserves_per_household: int
    screening: bool
    type: str = "two-stage"
    purposive_villages: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "villages": dict(self.villages),
            "household_allocation": self.household_allocation,
            "households_per_village": (
                dict(self.households_per_village)
                if self.household_allocation == "fixed"
                else self.households_total
            ),
            "reserves_per_household": self.reserves_per_household,
            "screening": self.screening,
            # Written only when used, so designs without it keep their canonical form.
            **(
                {"purposive_villages": list(self.purposive_villages)}
                if self.purposive_villages
                else {}
            ),
        }


@dataclass(frozen=True)
class StratifiedSrsDesign:
    """One-stage stratified SRS of households.

    Attributes
    ----------
    strata : tuple of str
        Stratum variables among ``status``, ``village_type``, ``remote``, ``township``; a
        stratum label joins their values with ``/`` (e.g. ``poor/exited``).
    allocation : {"fixed", "proportional", "neyman"}
    sizes : mapping of str to int
        With ``fixed``: n per stratum label (strata not named get none).
    n : int
        Total with ``proportional`` / ``neyman`` (0 with ``fixed``).
    anticipated : mapping of str to float
        Neyman only: anticipated proportion per stratum label (0-1); the stratum standard
        deviation is ``sqrt(p (1 - p))``; labels not given use ``default_anticipated``.
    default_anticipated : float
    reserves_per_household : int
    """

    strata: tuple[str, ...]
    allocation: str
    sizes: Mapping[str, int]
    n: int
    anticipated: Mapping[str, float]
    default_anticipated: float
    reserves_per_household: int
    type: str = "stratified-srs"

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": self.type,
            "strata": list(self.strata),
            "allocation": self.allocation,
            "reserves_per_household": self.reserves_per_household,
        }
        if self.allocation == "fixed":
            out["sizes"] = dict(self.sizes)
        else:
            out["n"] = self.n
        if self.allocation == "neyman":
            out["anticipated"] = dict(self.anticipated)
            out["default_anticipated"] = self.default_anticipated
        return out


Design = TwoStageDesign | StratifiedSrsDesign


def canonical_json(design: Design) -> str:
    """The design as canonical JSON (sorted keys, no spaces, defaults written out)."""
    return json.dumps(design.as_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def design_hash(design: Design) -> str:
    """SHA-256 (hex) of :func:`canonical_json`."""
    return hashlib.sha256(canonical_json(design).encode("utf-8")).hexdigest()


def parse_design(source: str | bytes | Mapping[str, Any]) -> Design:
    """Parse a design from JSON text or an already-decoded mapping.

    Raises
    ------
    DesignError
        With one message per problem (a ValueError subclass).
    """
    if isinstance(source, str | bytes):
        try:
            source = json.loads(source)
        except json.JSONDecodeError as exc:
            # The parser's own words are English; say where the text breaks instead.
            raise DesignError(
                [
                    Message(
                        N_(
                            "The design is not valid JSON: check line {line}, character "
                            "{column} (a missing comma, quote or brace)."
                        ),
                        {"line": exc.lineno, "column": exc.colno},
                    )
                ]
            ) from None
        except UnicodeDecodeError:
            raise DesignError([Message(N_("The design is not text in UTF-8."))]) from None
    if not isinstance(source, Mapping):
        raise DesignError([Message(N_("The design must be a JSON object."))])
    kind = source.get("type")
    parser = {"two-stage": _two_stage, "stratified-srs": _stratified}.get(kind)
    if parser is None:
        raise DesignError(
            [
                Message(
                    N_("Unknown design type {value}; use two-stage or stratified-srs."),
                    {"value": str(kind)},
                )
            ]
        )
    problems: list[Message] = []
    design = parser(source, problems)
    if problems:
        raise DesignError(problems)
    return design


class _Reader:
    """Field access that records problems instead of stopping at the first."""

    def __init__(self, data: Mapping[str, Any], problems: list[Message], allowed) -> None:
        self.data, self.problems = data, problems
        for key in sorted(set(data) - set(allowed)):
            self.fail(N_("Unknown design field {field}."), field=key)

    def fail(self, msgid: str, **mapping) -> None:
        self.problems.append(Message(msgid, mapping))

    def count(self, value, field: str, *, low: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            self.fail(
                N_("Design field {field} must be a whole number of at least {low}, not {value}."),
                field=field,
                low=low,
                value=json.dumps(value, ensure_ascii=False),
            )
            return low
        return value

    def counts(self, field: str, allowed, *, required: bool = True) -> dict[str, int]:
        value = self.data.get(field)
        if not isinstance(value, Mapping) or not value:
            if required or value is not None:
                self.fail(N_("Design field {field} must be an object of counts."), field=field)
            return {}
        out = {}
        for key, number in value.items():
            if allowed is not None and key not in allowed:
                self.fail(
                    N_("Design field {field} has unknown key {key}; use {allowed}."),
                    field=field,
                    key=key,
                    allowed=", ".join(allowed),
                )
                continue
            out[key] = self.count(number, f"{field}.{key}")
        return dict(sorted(out.items()))

    def choice(self, field: str, allowed, default: str) -> str:
        value = self.data.get(field, default)
        if value not in allowed:
            self.fail(
                N_("Design field {field} must be one of {allowed}, not {value}."),
                field=field,
                allowed=", ".join(allowed),
                value=str(value),
            )
            return default
        return value

    def reserves(self) -> int:
        value = self.count(self.data.get("reserves_per_household", 0), "reserves_per_household")
        if value > MAX_RESERVES:
            self.fail(
                N_("Design field {field} must be at most {high}."),
                field="reserves_per_household",
                high=MAX_RESERVES,
            )
        return value


def _two_stage(data: Mapping[str, Any], problems: list[Message]) -> TwoStageDesign:
    allowed = {
        "type",
        "villages",
        "households_per_village",
        "household_allocation",
        "reserves_per_household",
        "screening",
        "purposive_villages",
        "comment",
    }
    read = _Reader(data, problems, allowed)
    villages = read.counts("villages", VILLAGE_STRATA)
    if villages and not any(villages.values()):
        read.fail(N_("The design selects no villages."))
    allocation = read.choice("household_allocation", HOUSEHOLD_ALLOCATIONS, "fixed")
    per_village: dict[str, int] = {}
    total = 0
    if allocation == "fixed":
        per_village = read.counts("households_per_village", STATUSES)
        if per_village and not any(per_village.values()):
            read.fail(N_("The design selects no households."))
    else:
        total = read.count(data.get("households_per_village"), "households_per_village", low=1)
    screening = data.get("screening", False)
    if not isinstance(screening, bool):
        read.fail(N_("Design field {field} must be true or false."), field="screening")
        screening = False
    purposive = data.get("purposive_villages", [])
    if not isinstance(purposive, list) or not all(
        isinstance(key, str) and key.strip() for key in purposive
    ):
        read.fail(
            N_("Design field {field} must be a list of village keys."), field="purposive_villages"
        )
        purposive = []
    purposive = tuple(sorted({key.strip() for key in purposive}))
    return TwoStageDesign(
        MappingProxyType(villages),
        allocation,
        MappingProxyType(per_village),
        total,
        read.reserves(),
        screening,
        purposive_villages=purposive,
    )


def _stratified(data: Mapping[str, Any], problems: list[Message]) -> StratifiedSrsDesign:
    allowed = {
        "type",
        "strata",
        "allocation",
        "sizes",
        "n",
        "anticipated",
        "default_anticipated",
        "reserves_per_household",
        "comment",
    }
    read = _Reader(data, problems, allowed)
    strata = data.get("strata", ["status"])
    if (
        not isinstance(strata, list)
        or not strata
        or any(s not in STRATUM_VARIABLES for s in strata)
        or len(set(strata)) != len(strata)
    ):
        read.fail(
            N_("Design field strata must list distinct variables among {allowed}."),
            allowed=", ".join(STRATUM_VARIABLES),
        )
        strata = ["status"]
    allocation = read.choice("allocation", ONE_STAGE_ALLOCATIONS, "fixed")
    sizes, n = {}, 0
    if allocation == "fixed":
        sizes = read.counts("sizes", None)
    else:
        n = read.count(data.get("n"), "n", low=1)
    anticipated, default = {}, 0.5
    if allocation == "neyman":
        anticipated, default = _anticipated(data, read)
    return StratifiedSrsDesign(
        tuple(strata),
        allocation,
        MappingProxyType(sizes),
        n,
        MappingProxyType(anticipated),
        default,
        read.reserves(),
    )


def _anticipated(data: Mapping[str, Any], read: _Reader) -> tuple[dict[str, float], float]:
    def rate(value, field: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
            read.fail(N_("Design field {field} must be a proportion between 0 and 1."), field=field)
            return 0.5
        return float(value)

    given = data.get("anticipated", {})
    if not isinstance(given, Mapping):
        read.fail(N_("Design field {field} must be an object of proportions."), field="anticipated")
        given = {}
    rates = {key: rate(value, f"anticipated.{key}") for key, value in sorted(given.items())}
    return rates, rate(data.get("default_anticipated", 0.5), "default_anticipated")
