"""Two sessions saving one model name, and several processes writing profiles at once."""

from __future__ import annotations

import contextlib
import multiprocessing
import threading

import pytest

from movierec.errors import MovieRecError
from movierec.model.artifacts import load_model
from movierec.profiles.store import ProfileStore
from tests.factories import planted_dataset, tiny_model


@pytest.fixture(scope="module")
def model():
    return tiny_model(planted_dataset(n_users=30, n_movies=20, per_user=10))


def _save(model, name: str, created: str, barrier: threading.Barrier, outcomes: list[str]) -> None:
    copy = tiny_copy(model, created)
    barrier.wait()
    try:
        copy.save(name, overwrite=False)
        outcomes.append(f"saved {created}")
    except MovieRecError as exc:
        outcomes.append(f"refused: {exc}")


def test_two_sessions_saving_one_name_are_never_both_told_saved(model, movierec_home):
    for round_ in range(10):
        name, barrier, outcomes = f"shared-{round_}", threading.Barrier(2), []
        threads = [
            threading.Thread(target=_save, args=(model, name, f"2020-01-0{i + 1}T00:00:00+00:00", barrier, outcomes))
            for i in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        saved = [o for o in outcomes if o.startswith("saved")]
        assert len(saved) == 1 and "already exists" in next(o for o in outcomes if o.startswith("refused"))
        assert load_model(name).created == saved[0].removeprefix("saved ")  # the one told "Saved" is the one kept
    assert not list((movierec_home / "models").glob(".*"))  # no temp file left behind


def tiny_copy(model, created: str):
    """The same model with its own creation stamp, so the two saves can be told apart."""
    import copy

    twin = copy.copy(model)
    twin.created = created
    return twin


def _rate_many(path: str, worker: int, count: int) -> list[str]:
    store = ProfileStore()
    errors = []
    for movie in range(count):
        try:
            store.set_rating("shared", worker * 1000 + movie, 0.5 + (movie % 10) / 2)
        except MovieRecError as exc:
            errors.append(str(exc))
    for name in ("alex", "Alex", "ÁLEX", "аlex"):  # one person's name typed four ways, from four processes
        with contextlib.suppress(MovieRecError):
            store.create(name)
    return errors


def test_several_processes_write_profiles_without_losing_a_rating(movierec_home):
    ProfileStore().create("shared")
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        errors = pool.starmap(_rate_many, [(str(movierec_home), worker, 40) for worker in range(4)])
    assert errors == [[], [], [], []]
    ratings = ProfileStore().ratings("shared")
    assert len(ratings) == 160 and ratings[3005] == 3.0
    assert [n for n in ProfileStore().list_profiles() if n != "shared"] in (["alex"], ["Alex"], ["ÁLEX"], ["аlex"])
