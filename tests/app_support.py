"""Helpers for the AppTest tests of the dashboard: open the app, upload planted ratings, wait for runs."""

from __future__ import annotations

import time
from pathlib import Path

import streamlit as st
from factories import planted_dataset
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from movierec.ui.runs import BackgroundJob

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def open_app(page: str | None = None) -> AppTest:
    """The dashboard after its first run, optionally switched to ``pages/<page>.py``."""
    at = AppTest.from_file(APP, default_timeout=60).run()
    if page is not None:
        at.switch_page(f"pages/{page}.py").run()
    return at


def upload_planted(at: AppTest, filename: str = "synthetic.csv", **shape: int) -> AppTest:
    """Upload :func:`planted_dataset` ratings as a CSV through the sidebar and make it the active dataset."""
    ratings = planted_dataset(**shape).ratings[["user_id", "movie_id", "rating"]]
    at.file_uploader(key="upload_ratings").set_value((filename, ratings.to_csv(index=False).encode(), "text/csv"))
    at.run()
    at.button(key="upload_use").click().run()
    return at


def wait_until(condition, timeout: float = 30.0) -> None:
    """Poll ``condition()`` until it is true (background workers run in their own threads)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def finish(at: AppTest, job: BackgroundJob, timeout: float = 60.0) -> AppTest:
    """Wait for ``job`` to end, then rerun the app (as the polling fragment would)."""
    job.join(timeout)
    assert not job.running
    return at.run()


def problems(at: AppTest) -> list[str]:
    """Exceptions shown on the page (there must never be any)."""
    return [e.value for e in at.exception]


def hand_back_labels(monkeypatch, method: str, *keys: str) -> None:
    """Make the ``method`` widgets ("selectbox", "multiselect") with ``keys`` return their shown labels instead
    of their options, as Streamlit can when one rerun cuts another short and the browser sends a label."""
    real = getattr(DeltaGenerator, method)

    def as_labels(self, label, options, *args, **kwargs):
        value = real(self, label, options, *args, **kwargs)
        if kwargs.get("key") not in keys or value is None:
            return value
        shown = kwargs.get("format_func", str)
        return [shown(v) for v in value] if isinstance(value, list) else shown(value)

    monkeypatch.setattr(DeltaGenerator, method, as_labels)
    monkeypatch.setattr(st, method, lambda *args, **kwargs: as_labels(st._main, *args, **kwargs))
