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
