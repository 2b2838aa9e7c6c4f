"""Non-regular files and endless streams: a pipe or device where a file is expected, a response that never ends.

Each is refused with a sentence (or, for a listing, left out) without waiting on the pipe and without
reading more than the kind of file can hold.
"""

from __future__ import annotations

import os

import pytest

from movierec.data import DATASETS, download_dataset, load_ratings_csv
from tests.bad_input_harness import Case, Setting, check, cli
from tests.data_fixtures import pin_md5, zip_release
from tests.factories import planted_dataset, tiny_model

MODEL = "planted"


@pytest.fixture(scope="module")
def trained():
    return tiny_model(planted_dataset(n_users=40, n_movies=30, per_user=15))


@pytest.fixture
def setting(movierec_home, tmp_path, trained, release_server, monkeypatch):
    trained.save(MODEL)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    return Setting(movierec_home, scratch, {"server": release_server, "monkeypatch": monkeypatch})


def _pipe(s: Setting) -> str:
    path = s.scratch / "pipe"
    os.mkfifo(path)
    return str(path)


def _endless(name: str):
    def action(s: Setting):
        s.extras["server"].endless.add(f"/{name}.zip")
        pin_md5(s.extras["monkeypatch"], name, b"")
        return download_dataset(name)

    return action


def _announces_too_much(s: Setting):
    body = zip_release("ml-100k")
    pin_md5(s.extras["monkeypatch"], "ml-100k", body)
    s.extras["monkeypatch"].setitem(
        DATASETS, "ml-100k", DATASETS["ml-100k"].__class__(**{**DATASETS["ml-100k"].__dict__, "size_hint": "0.5 KB"})
    )
    s.extras["server"].serve("ml-100k", body)
    return download_dataset("ml-100k")


_NOT_A_FILE = r"not a regular file"
CASES = [
    Case(
        "non-regular:pipe as --ratings",
        lambda s: cli("recommend", "--model", MODEL, "--ratings", _pipe(s)),
        _NOT_A_FILE,
    ),
    Case(
        "non-regular:/dev/zero as --ratings",
        lambda s: cli("recommend", "--model", MODEL, "--ratings", "/dev/zero"),
        _NOT_A_FILE,
    ),
    Case("non-regular:pipe as an uploaded ratings file", lambda s: load_ratings_csv(_pipe(s)), _NOT_A_FILE),
    Case("endless:a response that never ends", _endless("ml-100k"), r"more than"),
    Case("endless:a length beyond the release's size", _announces_too_much, r"more than"),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_pipes_devices_and_endless_streams_are_refused_clearly(case, setting):
    check(case, setting)


def test_the_download_limit_follows_the_release_size():
    from movierec.data.download import download_limit

    assert 250 << 20 < download_limit(DATASETS["ml-25m"]) < 1 << 30
    assert 5 << 20 < download_limit(DATASETS["ml-100k"]) < 50 << 20
