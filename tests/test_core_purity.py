"""The core stays a plain Python package: no Streamlit outside movierec/ui."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import movierec


def test_the_core_imports_no_streamlit():
    modules = [
        m.name for m in pkgutil.walk_packages(movierec.__path__, "movierec.") if not m.name.startswith("movierec.ui")
    ]
    modules = [m for m in modules if m != "movierec.__main__"]
    code = "import sys\n" + "".join(f"import {m}\n" for m in modules) + "print('streamlit' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
    assert "movierec.train.loop" in modules and "movierec.data.loader" in modules
