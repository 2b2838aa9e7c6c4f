"""Shared fixtures: every test writes under its own MOVIEREC_HOME."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def movierec_home(tmp_path, monkeypatch):
    """Point MOVIEREC_HOME at a fresh temporary folder for each test."""
    home = tmp_path / "movierec-home"
    monkeypatch.setenv("MOVIEREC_HOME", str(home))
    return home
