"""The sampling core stays pure: no web or database package is imported with it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = [
    "sampling.frames",
    "sampling.frame_summary",
    "sampling.sizes",
    "sampling.designs",
    "sampling.selection",
    "sampling.rng",
]
FORBIDDEN = ("pyramid", "sqlalchemy", "wtforms", "transaction")


def test_core_modules_import_no_web_packages():
    script = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r}); "
        + "; ".join(f"import {m}" for m in CORE)
        + f"; print([m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}])"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_the_frame_code_stays_small_enough_to_read_top_to_bottom():
    """Issue 16: reading, checking, hashing and the child process in at most 1,500 lines."""
    files = sorted((ROOT / "sampling" / "frames").glob("*.py"))
    lines = {path.name: len(path.read_text(encoding="utf-8").splitlines()) for path in files}
    assert {"read.py", "check.py", "hashing.py", "frame.py", "isolated.py"} <= set(lines)
    assert sum(lines.values()) <= 1500, lines
