"""`pip install .` into a fresh virtual environment gives a working `movierec` command with the bundled data."""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

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


def _optional(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """Whether an import is for type checkers only, or sits in a ``try`` that handles ImportError (an optional
    peer, such as the bench's)."""
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            return True
        if isinstance(node, ast.Try) and any(
            isinstance(h.type, ast.Name) and h.type.id in ("ImportError", "ModuleNotFoundError") for h in node.handlers
        ):
            return True
    return False


def _imported_top_levels() -> dict[str, str]:
    """Each third-party top-level module the package imports unconditionally, with one file that imports it."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "movierec").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            else:
                continue
            for top in {name.split(".")[0] for name in names}:
                third_party = top != "movierec" and top not in sys.stdlib_module_names
                if third_party and not _optional(node, parents):
                    found.setdefault(top, str(path.relative_to(ROOT)))
    return found


def test_every_package_the_code_imports_is_declared():
    declared = {
        canonicalize_name(Requirement(d).name)
        for d in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    }
    distributions = importlib.metadata.packages_distributions()
    imported = _imported_top_levels()
    assert {"torch", "streamlit", "scipy", "threadpoolctl"} <= set(imported)  # the scan sees what it should
    undeclared = {
        module: where
        for module, where in imported.items()
        if not declared & {canonicalize_name(d) for d in distributions.get(module, [module])}
    }
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"


@pytest.mark.timeout(900)  # a fresh environment installs every dependency
def test_pip_install_gives_a_movierec_command(tmp_path, movierec_home):
    source = tmp_path / "source"  # a copy, so the build leaves nothing in the checkout
    shutil.copytree(ROOT / "movierec", source / "movierec", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    venv = tmp_path / "venv"
    # A fresh environment that sees none of the running one's packages: the build runs isolated and the
    # package's declared dependencies are all it gets (held to the pinned versions, so torch stays the CPU build).
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    environment = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    environment.pop("PYTHONPATH", None)
    subprocess.run(
        [venv / "bin" / "python", "-m", "pip", "install", "-q", "-c", ROOT / "requirements.txt", str(source)],
        check=True,
        env=environment,
        timeout=600,
    )
    command = venv / "bin" / "movierec"
    outside = {"cwd": tmp_path, "env": environment, "capture_output": True, "text": True, "timeout": 300}
    listing = subprocess.run([command, "datasets"], check=True, **outside).stdout
    assert "ml-latest-small" in listing and "ready (bundled)" in listing
    tiny = ["--epochs", "1", "--n-factors", "4", "--hidden", "4", "--dropouts", "0", "--batch-size", "65536"]
    trained = subprocess.run([command, "train", *tiny, "--json"], check=True, **outside).stdout
    report = json.loads(trained.strip().splitlines()[-1])
    assert report["n_ratings"] == 100836 and Path(report["model_path"]).is_file()
    assert subprocess.run([command, "train", "--lr", "nan"], **outside).returncode == 2
