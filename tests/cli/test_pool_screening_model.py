"""``assess pool-icc`` pools 漏评率's screening model ``(k_C, ρ_C, k_U, ρ_U)`` from real
counties, end to end through the console script, on SQLite and PostgreSQL (issue 13).

Ten small counties of one round, drawn with screening, are rehearsed with
``simulate-fieldwork``: everyone reached; in each county two screening (flagged) households of
one village, one flagged and one unflagged household drawn by the SRS missed, one exited
household wrongly exited. With nine complete counties the command refuses the model
(ten needed) and ``--apply`` leaves 漏评率 on the village model; with the tenth it prints the
four values, ``--apply`` records them, and a county's JSON says ``screening_census``.

The expected values are computed here from the outcomes the test chose and the plan's design
probabilities: k_C the share of the 漏评 weight on flagged households (a flagged household at
its village's weight ``1/π_v``, an unflagged one at ``1/(π_v π_h)``), ρ_C the one-way ANOVA
of "flagged and missed" over every non-registered household of the drawn villages' lists
(each county around its own mean), ρ_U the same over the unflagged SRS households.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from assessment.core.settings import normalise_database_url
from sampling.synthetic import synthetic_frame_csv
from tests.cli.test_console_script import chinese, ok, url  # noqa: F401
from tests.cli.test_fieldwork_commands import query, write_outcomes
from tests.cli.test_pool_icc import rehearse
from tests.sampling_db.conftest import HIERARCHY, SMALL_DESIGN

pytestmark = [pytest.mark.db, pytest.mark.slow]
CODES = tuple(f"S{i:02d}" for i in range(1, 11))
ROUND = "SELECT id FROM assessment_rounds WHERE name = '命令行测试'"
FLAGS = "(h.dibao OR h.unsafe_house OR h.serious_illness OR h.no_labour OR h.elderly_alone)"
# every household of the plan with what the test needs to count by hand
PLAN = (
    "SELECT h.household_id, ph.role, h.status, pv.frame_village_id, pv.purposive, "
    f"pv.pi_village, ph.pi_household, CASE WHEN {FLAGS} THEN 1 ELSE 0 END AS flagged "
    "FROM plan_households ph JOIN households h ON h.id = ph.household_pk "
    "JOIN plan_villages pv ON pv.id = ph.plan_village_id WHERE ph.plan_id = :plan ORDER BY ph.id"
)
# non-registered households of each village's list in the plan's frame
LISTS = (
    "SELECT h.frame_village_id, COUNT(*) FROM households h JOIN sample_plans p "
    "ON p.frame_id = h.frame_id WHERE p.id = :plan AND h.status = 'non_registered' "
    "GROUP BY h.frame_village_id"
)
KEYS = ("household_id", "role", "status", "village", "purposive", "pi_v", "pi_h", "flagged")


def county_script(households: list[dict]) -> tuple[list[dict], set, set]:
    """Everyone reached; two screening households of one village missed, one flagged and one
    unflagged non-registered household of the SRS missed (the unflagged one in another
    village), one exited household wrongly exited.
    Returns the outcomes and the ids of the missed flagged and unflagged households."""
    random = [h for h in households if not h["purposive"]]
    screening = [h for h in random if h["role"] == "screening"]
    by_village: dict = {}
    for h in screening:
        by_village.setdefault(h["village"], []).append(h)
    village, pair = next((v, g[:2]) for v, g in by_village.items() if len(g) >= 2)
    unflagged = next(
        h
        for h in random
        if h["role"] == "selected" and h["status"] == "non_registered"
        and not h["flagged"] and h["village"] != village
    )  # fmt: skip
    # a flagged household the SRS drew: it counts once, at its village's weight (a draw
    # without one, as PostgreSQL's draw of one county has: a third screening household)
    drawn_flagged = next(
        (
            h
            for h in random
            if h["role"] == "selected" and h["status"] == "non_registered" and h["flagged"]
        ),
        None,
    ) or next(h for h in screening if h not in pair)
    wrong = next(h for h in random if h["role"] == "selected" and h["status"] == "exited")
    flagged_ids = {h["household_id"] for h in (*pair, drawn_flagged)}
    missed = flagged_ids | {unflagged["household_id"]}
    rows = [
        {
            "household_id": h["household_id"],
            "contacted": 1,
            "wrongly_exited": int(h is wrong),
            "missed": int(h["household_id"] in missed),
            "recognises": 1,
            "persons": 1 + i % 4,
        }
        for i, h in enumerate(households)
        if h["role"] != "reserve"
    ]
    return rows, flagged_ids, {unflagged["household_id"]}


def anova_rho(counties: list[list[tuple[int, int]]]) -> float:
    """One-way ANOVA ρ of 0/1 events pooled over counties, each around its own mean, from
    per-village counts ``(households, events)``: ``(MSB − MSW) / (MSB + (n0 − 1) MSW)``,
    at least 0 (Donner 1986)."""
    ssb = ssw = df_b = df_w = n0_df = 0.0
    for villages in counties:
        n, h = (np.array(x, float) for x in zip(*villages, strict=True))
        mean = h.sum() / n.sum()
        ssb += float(np.sum(n * (h / n - mean) ** 2))
        ssw += float(np.sum(h - h**2 / n))  # Σ (x − p_v)² of h ones and n − h zeros
        df_b += len(n) - 1
        df_w += n.sum() - len(n)
        n0_df += n.sum() - np.sum(n**2) / n.sum()
    msb, msw, n0 = ssb / df_b, ssw / df_w, n0_df / df_b
    return max(0.0, (msb - msw) / (msb + (n0 - 1) * msw))


def expected_model(counties: list[dict]) -> dict:
    """k_C, ρ_C, k_U, ρ_U and the event counts, by hand from the chosen outcomes."""
    weighted = {"flagged": [0.0, 0.0], "unflagged": [0.0, 0.0]}  # events, households
    census, unflagged_groups = [], []
    for county in counties:
        nr = [
            h for h in county["households"]
            if not h["purposive"] and h["status"] == "non_registered" and h["role"] != "reserve"
        ]  # fmt: skip
        hits, srs = {}, {}
        for h in nr:
            missed = h["household_id"] in county["missed"]
            group = "flagged" if h["flagged"] else "unflagged"
            # a flagged household counts at its village's weight, an unflagged one at the SRS's
            weight = 1 / h["pi_v"] if h["flagged"] else 1 / (h["pi_v"] * h["pi_h"])
            weighted[group][0] += weight * missed
            weighted[group][1] += weight
            hits[h["village"]] = hits.get(h["village"], 0) + (missed and h["flagged"])
            if not h["flagged"]:
                n, e = srs.get(h["village"], (0, 0))
                srs[h["village"]] = (n + 1, e + missed)
        census.append([(county["lists"][v], hits[v]) for v in sorted(hits)])
        unflagged_groups.append([srs[v] for v in sorted(srs)])
    events = weighted["flagged"][0] + weighted["unflagged"][0]
    overall = events / (weighted["flagged"][1] + weighted["unflagged"][1])
    unflagged_rate = weighted["unflagged"][0] / weighted["unflagged"][1]
    return {
        "k_c": weighted["flagged"][0] / events,
        "rho_c": anova_rho(census),
        "k_u": unflagged_rate / overall,
        "rho_u": anova_rho(unflagged_groups),
        "census_events": sum(len(c["flagged_missed"]) for c in counties),
        "unflagged_events": sum(len(c["unflagged_missed"]) for c in counties),
    }


def build_round(database: str) -> list[int]:
    """Ten counties with a frame each, listed in one round, each with a plan drawn (with
    screening) through the services the import-frame and draw commands call (in process: a
    console script per step would triple the test's time). Returns the plans' ids."""
    from assessment.core.models import AssessmentRound
    from assessment.core.services import ensure_county
    from sampling.plans import PlanService
    from sampling.services import FrameService

    engine = create_engine(normalise_database_url(database))
    with Session(engine) as db:
        frames = []
        for seed, code in enumerate(CODES, 41):
            county = ensure_county(db, code, f"县{code}", "测试省")
            data = synthetic_frame_csv(
                HIERARCHY, 500, rng=np.random.default_rng(seed), id_prefix=code
            )
            outcome = FrameService(db).import_file(county, data, f"{code}.csv")
            assert outcome.frame is not None, outcome.result.issues[:3]
            frames.append(outcome.frame)
        target = AssessmentRound(
            name="命令行测试", year=2020, poverty_line=3218.0, counties=[f.county for f in frames]
        )
        db.add(target)
        db.flush()
        design = json.dumps(SMALL_DESIGN)
        # seeded draws: a new seed per run would make the outcomes below a lottery (a draw
        # whose missed households weigh 10 % or more of a county's list moves 漏评率 off the
        # rare-rate interval, to Wald, and the effective size the test checks is not there)
        plans = [
            PlanService(db).draw(f, design, seed_hex=f"{i + 2026:064x}", assessment_round=target).id
            for i, f in enumerate(frames)
        ]
        db.commit()
    engine.dispose()
    return plans


@pytest.fixture(scope="module")
def round_of_ten(url, tmp_path_factory):  # noqa: F811
    """Ten drawn counties (screening) in one round, nine rehearsed to the end."""
    work = tmp_path_factory.mktemp("screening_pool")
    ok(url, "initdb")
    counties = []
    for code, plan in zip(CODES, build_round(url), strict=True):
        households = [dict(zip(KEYS, r, strict=True)) for r in query(url, PLAN, plan=plan)]
        rows, flagged, unflagged = county_script(households)
        write_outcomes(work / f"{code}.csv", rows)
        counties.append(
            {
                "households": households,
                "lists": dict(query(url, LISTS, plan=plan)),
                "missed": flagged | unflagged,
                "flagged_missed": flagged,
                "unflagged_missed": unflagged,
            }
        )
    for code in CODES[:9]:
        rehearse(url, work, code)
    return {"work": work, "round": str(query(url, ROUND)[0][0]), "counties": counties}


def missed_rate(database: str, code: str) -> dict:
    found = json.loads(ok(database, "indicators", "--county", code, "--json").stdout)
    return found["indicators"]["missed_rate"]


MODEL_LINE = re.compile(
    r"screening model: census k = ([\d.]+), ρ = ([\d.]+); unflagged k = ([\d.]+), "
    r"ρ = ([\d.]+) \((\d+) counties with screening, (\d+) census events, (\d+) unflagged"
)
CENSUS_ROWS = (
    "SELECT k_census, rho_census, k_unflagged, rho_unflagged, screening_counties, "
    "census_events, unflagged_events, events, counties FROM round_icc "
    "WHERE indicator = 'missed_rate' ORDER BY id"
)


def test_the_screening_model_is_pooled_from_ten_real_counties(url, round_of_ten):  # noqa: F811
    round_id, counties = round_of_ten["round"], round_of_ten["counties"]
    # nine complete counties: the model is refused (ten needed), 漏评率 keeps the village model
    chinese(
        ok(url, "pool-icc", "--round", round_id).stdout,
        "排查模型需要 10 个实地调查已完成且有排查的县.*漏评率仍按村级模型计算",
    )
    english = ok(url, "pool-icc", "--round", round_id, "--lang", "en").stdout
    assert "The screening model needs 10 complete counties with screening" in english
    nine = expected_model(counties[:9])
    assert nine["census_events"] == 27 and nine["unflagged_events"] == 9
    assert "(9 counties with screening, 27 census events, 9 unflagged" in english
    ok(url, "pool-icc", "--round", round_id, "--apply", "--reason", "九县合并")
    rows = query(url, CENSUS_ROWS)
    assert [r[:7] for r in rows] == [(None,) * 7]  # the pooled ρ recorded, no model
    assert missed_rate(url, CODES[0])["effective_size"] == "village_model"

    rehearse(url, round_of_ten["work"], CODES[9])
    expected = expected_model(counties)
    assert (expected["census_events"], expected["unflagged_events"]) == (30, 10)
    english = ok(url, "pool-icc", "--round", round_id, "--lang", "en").stdout
    assert "The screening model needs" not in english
    found = MODEL_LINE.search(english)
    assert found, english
    k_c, rho_c, k_u, rho_u = (float(found.group(i)) for i in range(1, 5))
    assert k_c == pytest.approx(expected["k_c"], abs=5e-4)
    assert rho_c == pytest.approx(expected["rho_c"], abs=5e-4)
    assert k_u == pytest.approx(expected["k_u"], abs=5e-4)
    assert rho_u == pytest.approx(expected["rho_u"], abs=5e-4)
    assert [int(found.group(i)) for i in (5, 6, 7)] == [10, 30, 10]
    # two flagged events in one village of each county: the census group clusters
    assert expected["rho_c"] > 0 and 0 < expected["k_c"] < 1

    applied = ok(url, "pool-icc", "--round", round_id, "--apply", "--reason", "十县合并")
    chinese(applied.stdout, "10 个县的结果已重新计算")
    last = query(url, CENSUS_ROWS)[-1]
    assert last[:4] == pytest.approx((k_c, rho_c, k_u, rho_u), abs=1e-9)
    # 40 漏评 households in all (30 flagged, 10 not), ten counties
    assert last[4:] == (10, 30, 10, 40, 10)

    for code in (CODES[0], CODES[9]):
        missed = missed_rate(url, code)
        assert missed["effective_size"] == "screening_census", code
        assert missed["screening_model"] == pytest.approx(
            {"k_census": k_c, "rho_census": rho_c, "k_unflagged": k_u, "rho_unflagged": rho_u}
        )
        assert missed["ci_low"] <= missed["estimate"] <= missed["one_sided_bound"]
