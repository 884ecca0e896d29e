"""A stored snapshot renders the same PDF as the snapshot it was made from."""

import numpy as np

from reports.pdf import render_county_report, render_province_report
from reports.sample import sample_county_report, sample_province_report
from reports.snapshot import dumps, loads


def test_county_snapshot_round_trips_to_identical_pdf():
    report = sample_county_report(rng=np.random.default_rng(5), problems=12, interviews=300)
    restored = loads(dumps(report))
    assert restored == report
    assert render_county_report(restored) == render_county_report(report)


def test_province_snapshot_round_trips():
    report = sample_province_report(rng=np.random.default_rng(6), counties=5)
    assert loads(dumps(report)) == report
    assert render_province_report(loads(dumps(report))) == render_province_report(report)


def test_a_pooled_rho_survives_the_locked_snapshot_and_an_old_one_reads_as_planning():
    import dataclasses
    import json
    from datetime import date

    from reports.model import RareRateIcc

    report = sample_county_report(rng=np.random.default_rng(5), problems=2, interviews=60)
    pooled = RareRateIcc("missed_rate", 0.271, "pooled", "2019年", 6, 120, 31, date(2020, 1, 2))
    report = dataclasses.replace(
        report, methods=dataclasses.replace(report.methods, rare_rate_icc=(pooled,))
    )
    assert loads(dumps(report)).methods.rare_rate_icc == (pooled,)
    old = json.loads(dumps(report))
    del old["methods"]["rare_rate_icc"]  # a snapshot locked before ρ was recorded
    assert loads(json.dumps(old)).methods.rare_rate_icc == ()
