"""The sampling commands as scripts use them (contract of issue 3)."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from sampling.synthetic import synthetic_frame_csv
from tests.sampling_db.conftest import HIERARCHY, SMALL_DESIGN

ROOT = Path(__file__).resolve().parents[2]


def assess(*args, url):
    return subprocess.run(
        [sys.executable, "-m", "assessment.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        timeout=600,
    )


def test_import_draw_verify_export_and_redraw(tmp_path):
    url = f"sqlite:///{tmp_path}/s.sqlite"
    frame = tmp_path / "frame.csv"
    frame.write_bytes(synthetic_frame_csv(HIERARCHY, 900, rng=np.random.default_rng(3)))
    design = tmp_path / "design.json"
    design.write_text(json.dumps(SMALL_DESIGN))
    assert assess("initdb", url=url).returncode == 0
    imported = assess(
        "import-frame", str(frame), "--county", "X1", "--county-name", "测试县", url=url
    )
    assert imported.returncode == 0, imported.stderr
    assert "sha256 " in imported.stdout
    drawn = assess("draw", "--county", "X1", "--design", str(design), url=url)
    assert drawn.returncode == 0, drawn.stderr
    plan_id = drawn.stdout.strip().splitlines()[-1]
    assert plan_id.isdigit()
    verified = assess("verify-draw", plan_id, url=url)
    assert verified.returncode == 0 and "identical" in verified.stdout
    out = tmp_path / "plan.csv"
    exported = assess("export-plan", plan_id, "--format", "csv", "--out", str(out), url=url)
    assert exported.returncode == 0, exported.stderr
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert {r["role"] for r in rows} >= {"selected", "reserve"}
    wrong_round = assess(
        "draw",
        "--county",
        "X1",
        "--design",
        str(design),
        "--round",
        "999",
        "--reason",
        "x",
        url=url,
    )
    assert wrong_round.returncode != 0 and "round 999" in wrong_round.stderr
    refused = assess("draw", "--county", "X1", "--design", str(design), url=url)
    assert refused.returncode != 0 and "reason" in refused.stderr
    again = assess("draw", "--county", "X1", "--design", str(design), "--reason", "复核", url=url)
    assert again.returncode == 0
    assert again.stdout.strip().splitlines()[-1] != plan_id


def test_rejected_frame_prints_row_and_column_and_exits_nonzero(tmp_path):
    url = f"sqlite:///{tmp_path}/r.sqlite"
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "household_id,township,village,village_type,status,exit_year,household_size,"
        "head_name\nA,乡,村,poor,exited,2018,-2,张\n",
        encoding="utf-8",
    )
    assert assess("initdb", url=url).returncode == 0
    result = assess("import-frame", str(bad), "--county", "X2", "--lang", "en", url=url)
    assert result.returncode != 0
    assert "Row 2" in result.stderr and "household_size" in result.stderr
