"""The t-SNE map: computed once per saved model and movie count in a background thread, shared by every visitor.

t-SNE takes seconds to minutes, so the page never waits for it: the first visitor who asks starts a job,
a timed fragment shows how long it has run, and the finished map is kept for everyone in this server
process until another model takes its place.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

import pandas as pd
import streamlit as st

from movierec.explore.pca import Projection
from movierec.explore.tsne import MAX_TSNE_MOVIES, project_tsne
from movierec.model.artifacts import TrainedModel
from movierec.ui import cache
from movierec.ui.polling import poll
from movierec.ui.runs import BackgroundJob

MAX_KEPT = 16  # finished maps kept per server; the oldest goes first


class TsneJob(BackgroundJob):
    """:func:`project_tsne` of a projection's movies in a worker thread (which never calls Streamlit)."""

    def __init__(self, model: TrainedModel, table: pd.DataFrame) -> None:
        super().__init__("The t-SNE map")
        self.model, self.table = model, table

    def work(self) -> pd.DataFrame:
        """The projection's table with the t-SNE coordinates added."""
        return project_tsne(self.model, self.table)

    def outcome(self) -> tuple[pd.DataFrame | None, str | None, float]:
        """``(table or None, error or None, seconds so far)``, read under the lock."""
        with self._lock:
            return self._result, self._error, self._elapsed()


@st.cache_resource(show_spinner=False)
def _registry() -> tuple[threading.Lock, OrderedDict[tuple[cache.ModelKey, int], TsneJob]]:
    return threading.Lock(), OrderedDict()


def tsne_job(model: TrainedModel, projection: Projection) -> TsneJob:
    """The t-SNE job of this model and movie count, started on first request (a failed one is retried)."""
    key = (cache.model_key(model), projection.requested)
    lock, jobs = _registry()
    with lock:
        job = jobs.get(key)
        if job is None or job.outcome()[1] is not None:
            job = jobs[key] = TsneJob(model, projection.table)
            job.start()
        jobs.move_to_end(key)
        while len(jobs) > MAX_KEPT:
            jobs.popitem(last=False)
    return job


def render_tsne(model: TrainedModel, projection: Projection, draw: Callable[[pd.DataFrame], None]) -> None:
    """Draw the t-SNE map with ``draw(table)`` once it exists; until then, a progress note that updates itself."""
    n = len(projection.table)
    if n > MAX_TSNE_MOVIES:
        st.warning(
            f"t-SNE maps at most {MAX_TSNE_MOVIES:,} movies (it would take many minutes for {n:,}); "
            "choose fewer movies to project, or use the PCA map."
        )
        return
    job = tsne_job(model, projection)
    table, error, _ = job.outcome()
    if table is not None:
        draw(table)
    elif error is not None:
        st.error(error)
    else:
        poll(job, lambda: _progress(job, n))


def _progress(job: TsneJob, n: int) -> None:
    table, error, seconds = job.outcome()
    if table is None and error is None:
        st.info(
            f"Computing the t-SNE map of {n:,} movies in the background: {seconds:.0f} s so far "
            "(it is done once per model and number of movies; the rest of the page works meanwhile)."
        )
