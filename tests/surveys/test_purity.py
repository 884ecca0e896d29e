"""The instrument cores import no web or database library (STYLE.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PURE = [
    "surveys.consistency",
    "surveys.instruments.expressions",
    "surveys.instruments.model",
    "surveys.instruments.definition",
    "surveys.instruments.definition_graph",
    "surveys.instruments.evaluation",
    "surveys.instruments.validation",
    "surveys.instruments.verdicts",
]
FORBIDDEN = ("pyramid", "sqlalchemy", "wtforms", "transaction", "webob")


@pytest.mark.parametrize("module", PURE)
def test_pure_module_imports_no_web_library(module):
    code = (
        f"import sys, {module}, surveys.instruments.definition as d; d.builtin_instruments(); "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}))"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert out.stdout.strip() == "[]"
