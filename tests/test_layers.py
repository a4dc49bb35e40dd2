"""The domain stays pure: importing forms pulls in no UI, network, database or PDF library."""

from __future__ import annotations

import subprocess
import sys


def test_import_forms_loads_no_heavy_library() -> None:
    code = (
        "import sys, forms, forms.application, forms.loan, forms.materials, forms.policy, forms.workdays;"
        "forms.policy.load_policy('qingdao');"
        "bad = [m for m in ('textual', 'httpx', 'sqlite_utils', 'sqlite3', 'reportlab') if m in sys.modules];"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
