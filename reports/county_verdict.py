"""The county verdict: one rule for the dashboard badge, the PDF, the provincial summary, JSON.

PURE module (no web or database code).

The rule (issue 13):

- Until fieldwork is complete (every planned household resolved, or fieldwork closed by a
  coordinator) the verdict is ``insufficient_data`` (数据不足) and every figure is *interim*
  (中期): nothing is recommended, whatever the interim estimates say. The same holds while
  the county's appeal (申诉举证, issue 19) has a published case without a final outcome.
- Once complete, the verdict is ``insufficient_data`` if any indicator cannot be estimated
  (its official result is ``insufficient_data``); else ``not_met`` (不符合退出条件) when any
  indicator fails the official rule (point estimate against the threshold: 任何一项指标不符合
  条件的，不予退出); else ``exit_recommended`` (建议同意退出).
- Beneath a final verdict stands a confidence statement: ``meets`` when every indicator meets
  its threshold with the scheme's confidence, ``fails`` when a failing indicator fails with
  that confidence, otherwise ``inconclusive``; ``borderline`` (临界) is set when any indicator's
  confidence is inconclusive (or could not be computed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

INSUFFICIENT = "insufficient_data"
RECOMMENDED = "exit_recommended"
NOT_MET = "not_met"
VERDICTS = (INSUFFICIENT, RECOMMENDED, NOT_MET)
OFFICIAL = ("meets", "fails", INSUFFICIENT)
CONFIDENCE = ("meets", "fails", "inconclusive", INSUFFICIENT)


@dataclass(frozen=True)
class CountyVerdict:
    """The county's verdict and what stands beneath it.

    Attributes
    ----------
    verdict : str
        One of :data:`VERDICTS`.
    interim : bool
        True while fieldwork is not complete: the figures are interim (中期).
    confidence : str
        ``meets`` / ``fails`` / ``inconclusive`` for a final verdict; ``""`` otherwise.
    borderline : bool
        A final verdict with at least one indicator whose confidence is inconclusive (临界).
    """

    verdict: str
    interim: bool
    confidence: str
    borderline: bool

    @property
    def recommends(self) -> bool:
        """Whether the verdict recommends anything (exit or no exit)."""
        return self.verdict != INSUFFICIENT


def county_verdict(
    *,
    fieldwork_complete: bool,
    officials: Sequence[str],
    confidences: Sequence[str],
    appeals_settled: bool = True,
) -> CountyVerdict:
    """Apply the rule of the module docstring.

    Parameters
    ----------
    fieldwork_complete : bool
        Every planned household resolved, or fieldwork closed.
    officials : sequence of str
        Official result of each of the four indicators: ``meets``, ``fails`` or
        ``insufficient_data``. Empty when nothing could be estimated.
    confidences : sequence of str
        Confidence statement of each indicator, same order: ``meets``, ``fails``,
        ``inconclusive`` or ``insufficient_data``.
    appeals_settled : bool
        Every published appeal case has a final outcome (True when none was published).

    Returns
    -------
    CountyVerdict
    """
    officials, confidences = tuple(officials), tuple(confidences)
    if len(officials) != len(confidences):
        raise ValueError(
            f"officials and confidences differ in length: {len(officials)} != {len(confidences)}"
        )
    for name, values, allowed in (
        ("officials", officials, OFFICIAL),
        ("confidences", confidences, CONFIDENCE),
    ):
        bad = sorted(set(values) - set(allowed))
        if bad:
            raise ValueError(f"{name}: unknown values {bad}; expected {allowed}")
    if not (fieldwork_complete and appeals_settled):
        return CountyVerdict(INSUFFICIENT, True, "", False)
    if not officials or INSUFFICIENT in officials:
        return CountyVerdict(INSUFFICIENT, False, "", False)
    failing = [c for o, c in zip(officials, confidences, strict=True) if o == "fails"]
    verdict = NOT_MET if failing else RECOMMENDED
    if failing:
        confidence = "fails" if "fails" in failing else "inconclusive"
    else:
        confidence = "meets" if set(confidences) == {"meets"} else "inconclusive"
    unsettled = any(c in ("inconclusive", INSUFFICIENT) for c in confidences)
    return CountyVerdict(verdict, False, confidence, unsettled)
