"""Reproducible draws of a sampling plan from a frame, a design and a 256-bit seed.

PURE. :func:`draw` is the one entry point. The same frame content, design and seed give the
same :class:`DrawResult` on any platform, in any process: units are put in canonical order
(households by ``household_id``, villages by key) before any uniform is drawn, and the
uniforms come from :func:`sampling.rng.make_generator` in a fixed sequence:

two-stage
    for each village stratum in the order ``non_poor``, ``poor``, ``remote`` (those named in
    the design): one uniform per village of the stratum (in key order) to order the list at
    random, then one uniform for the systematic PPS start; then one uniform per household of
    the selected villages, in the order (village key, status, household id), to rank the
    households within each village and status.
stratified-srs
    one uniform per household in ``household_id`` order; households are ranked by it within
    each stratum.

Within a group, the households with the smallest uniforms are selected and the next ones
become reserves of rank 1, 2, ... (ties, which have probability about 2^-53, fall back to
canonical order). See ``docs/sampling.md``.
"""

from __future__ import annotations

from sampling import rng as rng_mod
from sampling.designs import Design, StratifiedSrsDesign, TwoStageDesign, canonical_json
from sampling.draw_common import (
    ROLES,
    DrawResult,
    SampledHousehold,
    SampledVillage,
    Shortfall,
    StratumCount,
)
from sampling.frames import Frame
from sampling.one_stage import draw_stratified
from sampling.two_stage import draw_two_stage

__all__ = [
    "ROLES",
    "DrawResult",
    "SampledHousehold",
    "SampledVillage",
    "Shortfall",
    "StratumCount",
    "draw",
]


def draw(frame: Frame, design: Design, seed: bytes) -> DrawResult:
    """Draw a plan.

    Parameters
    ----------
    frame : Frame
    design : TwoStageDesign or StratifiedSrsDesign
    seed : bytes
        32 bytes (:func:`sampling.rng.new_seed` or :func:`sampling.rng.parse_seed`).

    Returns
    -------
    DrawResult
    """
    if not isinstance(frame, Frame):
        raise ValueError(f"frame: expected a Frame, got {type(frame)!r}")
    generator = rng_mod.make_generator(seed)
    design_json = canonical_json(design)
    seed_sha = rng_mod.seed_hash(seed)
    header = (
        design.type,
        frame.content_hash,
        design_json,
        seed_sha,
        rng_mod.commitment(frame.content_hash, design_json, seed_sha),
        rng_mod.GENERATOR,
    )
    if isinstance(design, TwoStageDesign):
        return DrawResult(*header, *draw_two_stage(frame, design, generator))
    if isinstance(design, StratifiedSrsDesign):
        return DrawResult(*header, *draw_stratified(frame, design, generator))
    raise ValueError(f"design: expected a design from parse_design, got {type(design)!r}")
