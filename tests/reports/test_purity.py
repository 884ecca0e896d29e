"""The report renderers and exports are pure: no web or database imports."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("module", ["reports.pdf", "assessment.core.exports", "reports.model"])
def test_module_imports_no_web_stack(module):
    code = (
        f"import sys, {module}; "
        "bad = [m for m in ('pyramid', 'sqlalchemy', 'wtforms', 'transaction') "
        "if m in sys.modules]; print(bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="."
    )
    assert out.stdout.strip() == "[]"
