"""Property-based bad input: generated model payloads, CSV lines, names and titles, against the one rule.

The rule: a clear :class:`MovieRecError` or a correct result, within the harness's time and memory
budget, and a refusal changes nothing on disk. Each property runs a few dozen examples (the "ci"
profile); ``MOVIEREC_HYPOTHESIS_PROFILE=many`` runs thousands.
"""

from __future__ import annotations

import io
import os
import shutil
import unicodedata

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from movierec.cli.display import terminal_text
from movierec.data import load_movielens, load_ratings_csv
from movierec.model.artifacts import load_model
from movierec.profiles.names import reading_key, stacking_problem
from movierec.profiles.store import MAX_NAME, ProfileStore
from tests.bad_input_harness import CLEAR, Case, Setting, attempt, stored_state
from tests.data_fixtures import write_release
from tests.factories import planted_dataset, tiny_model

_QUIET = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]
settings.register_profile("ci", max_examples=30, deadline=None, suppress_health_check=_QUIET)
settings.register_profile("many", max_examples=3000, deadline=None, suppress_health_check=_QUIET)
settings.load_profile(os.environ.get("MOVIEREC_HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """One MOVIEREC_HOME for all examples of a module (Hypothesis reruns a test body, not its fixtures)."""
    folder = tmp_path_factory.mktemp("property-home")
    previous = os.environ.get("MOVIEREC_HOME")
    os.environ["MOVIEREC_HOME"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("MOVIEREC_HOME", None)
    else:
        os.environ["MOVIEREC_HOME"] = previous


@pytest.fixture(scope="module")
def saved_payload(home) -> bytes:
    model = tiny_model(planted_dataset(n_users=30, n_movies=20, per_user=12))
    return model.save("base", directory=home / "scratch").read_bytes()


def _holds(case: Case, setting: Setting):
    """Run ``case`` under the rule; return what it produced when it was accepted (None when refused)."""
    box: dict = {}

    def action(s: Setting):
        box["result"] = case.action(s)
        return box["result"]

    before = stored_state(setting.home)
    outcome = attempt(Case(case.id, action, accept=lambda _: True), setting)
    assert outcome.kind == CLEAR, f"{case.id}: {outcome.kind}: {outcome.message}"
    assert "Traceback" not in outcome.message
    if "result" not in box:
        assert stored_state(setting.home) == before, f"{case.id}: a refusal changed stored data"
    return box.get("result")


# Mutated model payloads: any field replaced by a hostile value of any kind.
_FIELDS = (
    "scale",
    "user_ids",
    "movie_ids",
    "movie_titles",
    "movie_years",
    "movie_genres",
    "movie_counts",
    "movie_means",
    "dataset",
    "created",
    "history",
    "metrics",
    "preset",
    "config",
    "ranking",
    "ranking.weights",
    "ranking.rows",
    "ranking.genres",
    "ranking.blend",
    "ranking.genre_weight",
    "ranking.regularisation",
    "state_dict",
)
_NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.booleans(),
)


def _tensors(original):
    """Tensors shaped from the original: scaled, cast, flipped, expanded over one value, or replaced."""
    like = original if isinstance(original, torch.Tensor) else torch.zeros(3)
    return st.one_of(
        _NUMBERS.map(lambda v: like.double() * 0 + float(v) if not isinstance(v, bool) else like > 0),
        st.just(like.flip(0) if like.dim() else like),
        st.just(like.flatten()[:1].clone().expand(like.shape) if like.numel() else like),
        st.integers(0, 50).map(lambda n: torch.arange(n)),
        st.just(-like),
        st.just(like.to(torch.float16) if like.is_floating_point() else like.to(torch.int32)),
    )


def _hostile(original):
    return st.one_of(
        _NUMBERS,
        st.text(max_size=30),
        st.lists(_NUMBERS, max_size=5),
        st.lists(st.text(max_size=5), max_size=5),
        st.none(),
        st.dictionaries(st.text(max_size=5), _NUMBERS, max_size=3),
        _tensors(original),
    )


def _location(payload: dict, path: str) -> tuple[dict, str]:
    *parents, last = path.split(".")
    target = payload
    for part in parents:
        target = target[part] if isinstance(target.get(part), dict) else {}
    return target, last


@given(data=st.data())
def test_a_mutated_model_file_is_refused_clearly_or_loads_whole(home, saved_payload, data):
    payload = torch.load(io.BytesIO(saved_payload), weights_only=True)
    for path in data.draw(st.lists(st.sampled_from(_FIELDS), min_size=1, max_size=3, unique=True)):
        target, key = _location(payload, path)
        target[key] = data.draw(_hostile(target.get(key)), label=path)
    scratch = home / "scratch"
    torch.save(payload, scratch / "mutated.pt")
    setting = Setting(home, scratch)
    model = _holds(Case("mutated model", lambda s: load_model(scratch / "mutated.pt")), setting)
    if model is not None:  # accepted: it must predict within its own scale
        predicted = model.predict(model.users.ids[:3], model.movie_index.ids[:3])
        assert np.isfinite(predicted).all()
        assert (predicted >= model.scale[0]).all() and (predicted <= model.scale[1]).all()


# Malformed CSV lines, through two doors: an extracted folder and an upload.
_CSV_CHARACTERS = [*"0123456789,.-+eE x\"'\t;:|", "é", "\ufffd", "\x00"]
_CSV_TEXT = st.text(alphabet=st.sampled_from(_CSV_CHARACTERS), max_size=40)


@given(lines=st.lists(_CSV_TEXT, min_size=1, max_size=3))
def test_a_malformed_ratings_line_is_refused_clearly_or_read_correctly(home, lines):
    folder = home / "scratch" / "lines"
    shutil.rmtree(folder, ignore_errors=True)
    release = write_release("ml-latest", folder)
    with (release / "ratings.csv").open("a", encoding="utf-8") as ratings:
        ratings.write("".join(f"{line}\n" for line in lines))
    setting = Setting(home, home / "scratch")
    upload_text = "user_id,movie_id,rating,timestamp\n1,1,4.0,0\n" + "".join(f"{line}\n" for line in lines)
    for door, action in (
        ("folder", lambda s: load_movielens("ml-latest", data_dir=folder)),
        ("upload", lambda s: load_ratings_csv(io.StringIO(upload_text))),
    ):
        dataset = _holds(Case(f"{door}: {lines!r}", action), setting)
        if dataset is not None:  # accepted: every rating on the scale, whole ids, one rating per pair
            ratings = dataset.ratings
            assert dataset.scale.allows(ratings["rating"].to_numpy()).all()
            assert (ratings[["user_id", "movie_id"]].to_numpy() >= 0).all()
            assert not ratings.duplicated(["user_id", "movie_id"]).any()


# Hostile profile names.
_NAME_CHARACTERS = st.characters(codec="utf-8") | st.sampled_from(
    ["\u3164", "\u115f", "\u2800", "\u0301", "\u202e", "\u200b", "\u0251", "\u0585", "а", "ｌ", "ⓐ", " ", "\n"]
)


@given(name=st.text(alphabet=_NAME_CHARACTERS, max_size=12))
def test_a_hostile_profile_name_is_refused_clearly_or_shows_as_what_it_is(home, name):
    store = ProfileStore(home / "scratch" / "profiles.sqlite3")
    setting = Setting(home, home / "scratch")
    created = _holds(Case(f"name {name!r}", lambda s: store.create(name)), setting)
    if created is not None:  # accepted: printable, not blank, no stacked marks, and a second one is refused
        assert 0 < len(created) <= MAX_NAME and created.isprintable() and reading_key(created).strip()
        assert stacking_problem(created) is None
        again = attempt(Case("again", lambda s: store.create(created)), setting)
        assert again.kind == CLEAR and "already exists" in again.message


# Hostile titles in the terminal.
@given(title=st.text(max_size=40))
def test_a_title_shows_in_the_terminal_as_text(title):
    shown = terminal_text(title)
    active = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
    assert all(char == "\n" or unicodedata.category(char) not in active for char in shown)
    if shown == title:  # nothing to escape: the title is shown unchanged
        assert all(char == "\n" or unicodedata.category(char) not in active for char in title)
