"""`pip install .` into a fresh virtual environment gives a working `movierec` command with the bundled data."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def _pins() -> dict[str, str]:
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    requirements = [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]
    return {r.name.lower(): str(r.specifier) for r in requirements}


def test_the_package_dependencies_admit_the_pinned_versions():
    declared = [Requirement(d) for d in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]]
    pins = _pins()
    assert {r.name.lower() for r in declared} == set(pins)
    for requirement in declared:
        pinned = pins[requirement.name.lower()]
        if pinned.startswith("=="):
            assert requirement.specifier.contains(pinned[2:]), requirement


def test_pip_install_gives_a_movierec_command(tmp_path, movierec_home):
    source = tmp_path / "source"  # a copy, so the build leaves nothing in the checkout
    shutil.copytree(ROOT / "movierec", source / "movierec", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    venv = tmp_path / "venv"
    # The environment's own packages (torch above all) serve as the dependencies and its pip and setuptools
    # do the build (a venv's seeded setuptools may be too old for pyproject metadata); nothing is fetched.
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)], check=True)
    environment = {**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    subprocess.run(
        [venv / "bin" / "python", "-m", "pip", "install", "-q", "--no-build-isolation", str(source)],
        check=True,
        env=environment,
        timeout=240,
    )
    command = venv / "bin" / "movierec"
    outside = {"cwd": tmp_path, "env": environment, "capture_output": True, "text": True, "timeout": 120}
    listing = subprocess.run([command, "datasets"], check=True, **outside).stdout
    assert "ml-latest-small" in listing and "ready (bundled)" in listing
    tiny = ["--epochs", "1", "--n-factors", "4", "--hidden", "4", "--dropouts", "0", "--batch-size", "65536"]
    trained = subprocess.run([command, "train", *tiny, "--json"], check=True, **outside).stdout
    report = json.loads(trained.strip().splitlines()[-1])
    assert report["n_ratings"] == 100836 and Path(report["model_path"]).is_file()
    assert subprocess.run([command, "train", "--lr", "nan"], **outside).returncode == 2
