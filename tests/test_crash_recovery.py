"""A process killed in the middle of a save, a download's swap or an import leaves data that start-up puts right."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from movierec.data import load_movielens
from movierec.leftovers import clean_leftovers
from movierec.model.artifacts import list_models, load_model
from movierec.profiles.store import ProfileStore
from tests.data_fixtures import N_RATINGS, pin_md5, write_release, zip_release
from tests.factories import planted_dataset, tiny_model

ROOT = Path(__file__).resolve().parent.parent


def _killed(script: str, home: Path, **env: str) -> None:
    """Run ``script`` in a fresh interpreter that kills itself (SIGKILL) at the point it marks."""
    prelude = "import os, signal\ndef die():\n    os.kill(os.getpid(), signal.SIGKILL)\n"
    done = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(script)],
        cwd=ROOT,
        timeout=120,
        env={**os.environ, "MOVIEREC_HOME": str(home), **env},
        capture_output=True,
        text=True,
    )
    assert done.returncode == -9, done.stderr


def test_a_save_killed_half_way_keeps_the_old_model(movierec_home):
    model = tiny_model(planted_dataset(n_users=30, n_movies=20, per_user=10))
    model.save("kept")
    before = load_model("kept").network.state_dict()["u.weight"].clone()
    _killed(
        """
        import torch
        from movierec.model.artifacts import load_model
        model = load_model("kept")
        def half_then_die(payload, handle):
            handle.write(b"PK half a model")
            handle.flush()
            die()
        torch.save = half_then_die
        model.save("kept")
    """,
        movierec_home,
    )
    assert list((movierec_home / "models").glob(".kept.*.tmp")), "the crash should have left its temp file"
    assert (load_model("kept").network.state_dict()["u.weight"] == before).all()
    clean_leftovers(min_age_s=0)
    assert not list((movierec_home / "models").glob(".*")) and [m.name for m in list_models()] == ["kept"]


def test_a_download_killed_between_its_renames_is_restored(movierec_home, release_server, monkeypatch):
    write_release("ml-100k", movierec_home / "datasets")
    body = zip_release("ml-100k")
    release_server.serve("ml-100k", body)
    _killed(
        f"""
        import dataclasses, os
        from movierec.data import DATASETS, download
        DATASETS["ml-100k"] = dataclasses.replace(DATASETS["ml-100k"], md5={__import__("hashlib").md5(body).hexdigest()!r})
        real_rename = os.rename
        def rename_then_die(source, target):
            real_rename(source, target)
            if "-old-" in str(target):
                die()
        download.os.rename = rename_then_die
        download.download_dataset("ml-100k")
    """,
        movierec_home,
        MOVIEREC_DOWNLOAD_URL=release_server.base,
    )
    datasets = movierec_home / "datasets"
    assert not (datasets / "ml-100k").exists() and list(datasets.glob(".ml-100k-old-*"))
    done = clean_leftovers(min_age_s=0)
    assert any("restored" in line for line in done)
    assert load_movielens("ml-100k", download=False).n_ratings == N_RATINGS
    assert not [p for p in datasets.iterdir() if p.name.startswith(".")]
    pin_md5(monkeypatch, "ml-100k", body)  # and a later download still works and replaces it
    assert load_movielens("ml-100k").n_ratings == N_RATINGS


def test_an_import_killed_before_commit_changes_nothing(movierec_home):
    store = ProfileStore()
    store.create("Ann")
    store.set_rating("Ann", 1, 4.0)
    _killed(
        """
        from movierec.profiles.store import ProfileStore
        store = ProfileStore()
        real = ProfileStore._upsert
        def write_then_die(db, name, ratings):
            real(db, name, ratings)
            die()
        ProfileStore._upsert = staticmethod(write_then_die)
        store.import_csv("Ann", "movie_id,rating\\n1,1\\n2,2\\n3,3\\n")
    """,
        movierec_home,
    )
    assert ProfileStore().ratings("Ann") == {1: 4.0}
    ProfileStore().set_rating("Ann", 2, 5.0)  # the database is still writable
    assert ProfileStore().ratings("Ann") == {1: 4.0, 2: 5.0}


def test_a_parse_killed_while_caching_is_rebuilt(movierec_home, tmp_path):
    folder = write_release("ml-latest", tmp_path / "data")
    _killed(
        f"""
        import numpy as np
        from movierec.data import load_movielens
        def half_then_die(handle, **arrays):
            handle.write(b"PK half an npz")
            handle.flush()
            die()
        np.savez = half_then_die
        load_movielens("ml-latest", data_dir={str(folder)!r})
    """,
        movierec_home,
    )
    parsed = movierec_home / "datasets" / "parsed"
    assert list(parsed.glob(".*.npz")) and not list(parsed.glob("[!.]*.npz"))
    clean_leftovers(min_age_s=0)
    assert not list(parsed.glob(".*"))
    assert load_movielens("ml-latest", data_dir=folder).n_ratings == N_RATINGS


@pytest.mark.parametrize("age", [0.0, 3600.0])
def test_young_leftovers_may_belong_to_a_running_save(movierec_home, age):
    models = movierec_home / "models"
    models.mkdir(parents=True)
    temp = models / ".busy.abc.tmp"
    temp.write_bytes(b"being written")
    clean_leftovers(min_age_s=age)
    assert temp.exists() == (age > 0)
