"""Bad profile names, ratings and files, and bad model files: refused clearly, nothing stored changes."""

from __future__ import annotations

import io
import pickle
import unicodedata

import pytest
import torch

from movierec.data import RatingScale
from movierec.model.artifacts import list_models, load_model
from movierec.profiles.store import ProfileStore
from tests.bad_input_harness import Case, Setting, check
from tests.factories import planted_dataset, tiny_model

HALF = RatingScale(0.5, 5.0, 0.5)
_BIG_ID = "9" * 25


@pytest.fixture(scope="module")
def trained():
    return tiny_model(planted_dataset(n_users=40, n_movies=30, per_user=15))


@pytest.fixture
def setting(movierec_home, tmp_path, trained):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    store = ProfileStore()
    store.create("Zoë")
    store.create("alex")
    store.set_rating("alex", 1, 4.0, HALF)
    path = trained.save("planted")
    return Setting(movierec_home, scratch, {"store": store, "model": trained, "model_path": path})


def _create(name: str) -> Case:
    return Case(f"profile-name:{name!r}", lambda s: s.extras["store"].create(name), r"profile|name")


NAME_CASES = [
    _create(name)
    for name in (
        "",
        "   ",
        "\t",
        "a" * 81,
        "bad\nname",
        "bad\x00name",
        "\u202eevil",
        "bell\x07",
        "Alex",
        "ALEX",
        " alex ",
        "Zoe",
        "ZOË",
        unicodedata.normalize("NFD", "Zoë"),
        "\u0430lex",
        "\uff41lex",
        "ａｌｅｘ",
        "Zoë\u200b",
        "alex\u00ad",
        "ⓐlex",
    )
]

# Names that show as what they are: blank-drawing letters, look-alikes of other scripts, stacked marks.
SHOWN_NAME_CASES = [
    _create(name)
    for name in (
        "\u3164",
        "\u115f\u1160",
        "\u2800\u2800",
        "\uffa0",
        "alex\u3164",
        "\u0251lex",
        "Z\u0585\u00eb",
        "a" + "\u0301" * 12,
        "Zo\u0308\u0308\u0308\u0308",
    )
]


def _rate(value) -> Case:
    return Case(f"profile-rating:{value!r}", lambda s: s.extras["store"].set_rating("alex", 2, value, HALF), r"rating")


RATING_CASES = [
    _rate(value) for value in (float("nan"), float("inf"), -float("inf"), 0.0, 5.5, 4.2, -1, "x", None, 1e309, True)
]


def _import(label: str, text: str) -> Case:
    return Case(
        f"profile-import:{label}", lambda s: s.extras["store"].import_csv("alex", text, HALF), r"line|header|long|large"
    )


IMPORT_CASES = [
    _import("empty", ""),
    _import("wrong header", "id,score\n1,4\n"),
    _import("nan", "movie_id,rating\n3,nan\n"),
    _import("inf", "movie_id,rating\n3,inf\n"),
    _import("off scale", "movie_id,rating\n3,9\n"),
    _import("huge id", f"movie_id,rating\n{_BIG_ID},4\n"),
    _import("underscore id", "movie_id,rating\n1_0,4\n"),
    _import("fullwidth id", "movie_id,rating\n\uff13,4\n"),
    _import("duplicate", "movie_id,rating\n3,4\n3,2\n"),
    _import("long field", "movie_id,rating\n3," + "4" * 300_000 + "\n"),
    _import("too large", "movie_id,rating\n" + "".join(f"{i},4\n" for i in range(3, 1_500_000))),
    Case(
        "profile-import:unknown profile",
        lambda s: s.extras["store"].import_csv("nobody", "movie_id,rating\n3,4\n", HALF),
        r"no profile",
    ),
    Case("profile-rate:unknown profile", lambda s: s.extras["store"].set_rating("nobody", 3, 4.0, HALF), r"no profile"),
    Case("profile-rate:huge id", lambda s: s.extras["store"].set_rating("alex", 10**25, 4.0, HALF), r"movie|id"),
]


def _damaged_db(s: Setting) -> list[str]:
    path = s.scratch / "broken.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    return ProfileStore(path).list_profiles()


def _db_is_folder(s: Setting) -> list[str]:
    return ProfileStore(s.scratch).list_profiles()


STORE_CASES = [
    Case("profile-db:damaged", _damaged_db, r"damaged|not a database"),
    Case("profile-db:a folder", _db_is_folder, r"cannot be used|database"),
]


def _payload(s: Setting) -> dict:
    return torch.load(s.extras["model_path"], weights_only=True)


def _tamper(label: str, change) -> Case:
    """Writing the tampered file is set-up (a large one takes seconds to write); loading it is the case."""

    def prepare(s: Setting) -> None:
        payload = _payload(s)
        change(payload)
        torch.save(payload, s.scratch / "tampered.pt")

    return Case(
        f"model-file:{label}",
        lambda s: load_model(s.scratch / "tampered.pt"),
        r"damaged|not a movierec model|incompatible|modified|large|budget",
        prepare=prepare,
    )


def _set(path: str, value):
    def change(payload: dict) -> None:
        *parents, last = path.split(".")
        target = payload
        for part in parents:
            target = target[part]
        target[last] = value(target[last]) if callable(value) else value

    return change


def _drop(key: str):
    return lambda payload: payload.pop(key)


def _raw_model_file(label: str, content: bytes) -> Case:
    def action(s: Setting):
        path = s.scratch / "raw.pt"
        path.write_bytes(content)
        return load_model(path)

    return Case(f"model-file:{label}", action, r"damaged|not a movierec model")


class _Evil:
    def __reduce__(self):
        return (print, ("unpickled!",))


def _pickled() -> bytes:
    buffer = io.BytesIO()
    torch.save({"format": "movierec-model", "evil": _Evil()}, buffer)
    return buffer.getvalue()


MODEL_CASES = [
    _raw_model_file("empty", b""),
    _raw_model_file("text", b"not a model"),
    _raw_model_file("plain pickle", pickle.dumps({"format": "movierec-model"})),
    _raw_model_file("pickled object", _pickled()),
    _raw_model_file("truncated", b"PK\x03\x04" + b"\x00" * 64),
    _tamper("wrong format", _set("format", "something-else")),
    _tamper("future version", _set("version", 99)),
    _tamper("no state", _drop("state_dict")),
    _tamper("no config", _drop("config")),
    _tamper("no user ids", _drop("user_ids")),
    _tamper("config not a dict", _set("config", "big")),
    _tamper("huge n_factors", _set("config.n_factors", 4_000_000)),
    _tamper("huge hidden layers", _set("config.hidden", [200_000, 200_000])),
    _tamper("negative n_factors", _set("config.n_factors", -4)),
    _tamper("layers and dropouts disagree", _set("config.dropouts", [0.1, 0.1, 0.1])),
    _tamper("weights of the wrong shape", lambda p: p["state_dict"].update({"u.weight": torch.zeros(3, 2)})),
    _tamper("nan weights", lambda p: p["state_dict"]["u.weight"].fill_(float("nan"))),
    _tamper("more user ids than rows", _set("user_ids", lambda ids: torch.arange(len(ids) + 5))),
    _tamper("duplicate user ids", _set("user_ids", lambda ids: torch.zeros_like(ids))),
    _tamper("duplicate movie ids", _set("movie_ids", lambda ids: torch.zeros_like(ids))),
    _tamper("titles missing", _set("movie_titles", lambda titles: titles[:-3])),
    _tamper("scale reversed", _set("scale", [5.0, 0.5, 0.5])),
    _tamper("scale nan", _set("scale", [float("nan"), 5.0, 0.5])),
    _tamper("scale too short", _set("scale", [0.5])),
    _tamper("metrics not a dict", _set("metrics", [1, 2])),
    _tamper("title not text", _set("movie_titles", lambda titles: [1] * len(titles))),
    _tamper("huge declared tables", _set("user_ids", torch.arange(50_000_000))),
]


def _ranking(key: str, value):
    return _set(f"ranking.{key}", value)


def _expanded(tensor: torch.Tensor) -> torch.Tensor:
    """The same shape over one stored value: tiny in the file, full size on its first copy."""
    return tensor.flatten()[:1].clone().expand(tensor.shape)


# Model files checked field by field: each field's kind and bound, from the model's own sizes.
MODEL_FIELD_CASES = [
    _tamper("field: scale of a hundred million values", _set("scale", [0.0, 1e8, 1.0])),
    _tamper("field: scale of tiny steps", _set("scale", [0.5, 5.0, 1e-300])),
    _tamper("field: scale over every float", _set("scale", [-1e308, 1e308, 1.0])),
    _tamper("field: scale that does not divide", _set("scale", [1.0, 5.0, 3.0])),
    _tamper("field: scale of booleans", _set("scale", [False, True, True])),
    _tamper("field: negative user id", _set("user_ids", lambda ids: ids - ids.max() - 1)),
    _tamper("field: negative movie id", _set("movie_ids", lambda ids: ids - ids.max() - 1)),
    _tamper("field: user ids as floats", _set("user_ids", lambda ids: ids.double())),
    _tamper("field: user ids out of order", _set("user_ids", lambda ids: ids.flip(0))),
    _tamper("field: weights that expand", lambda p: _expand_first(p)),
    _tamper("field: negative rating count", _set("movie_counts", lambda counts: -counts)),
    _tamper("field: year 99999", _set("movie_years", lambda years: years * 0 + 99_999)),
    _tamper("field: year -5", _set("movie_years", lambda years: years * 0 - 5)),
    _tamper("field: nan mean rating", _set("movie_means", lambda means: means * float("nan"))),
    _tamper("field: mean rating off the scale", _set("movie_means", lambda means: means + 1e9)),
    _tamper("field: a title of a million characters", _set("movie_titles", lambda t: ["x" * 1_000_000, *t[1:]])),
    _tamper("field: dataset of a million characters", _set("dataset", "d" * 1_000_000)),
    _tamper("field: date not text", _set("created", [2026, 12, 3])),
    _tamper("field: history of text", _set("history", ["epoch one"])),
    _tamper("ranker: nan weights", _ranking("weights", lambda w: w * float("nan"))),
    _tamper("ranker: huge weights", _ranking("weights", lambda w: w * 0 + 60_000)),
    _tamper("ranker: nan blend", _ranking("blend", float("nan"))),
    _tamper("ranker: huge blend", _ranking("blend", 1e300)),
    _tamper("ranker: negative genre weight", _ranking("genre_weight", -1.0)),
    _tamper("ranker: blend as text", _ranking("blend", "0.5")),
    _tamper("ranker: zero penalty", _ranking("regularisation", 0.0)),
    _tamper("ranker: rows repeated", _ranking("rows", lambda rows: rows * 0)),
    _tamper("ranker: weights that expand", _ranking("weights", _expanded)),
    _tamper("ranker: 5,000 genres", _ranking("genres", lambda g: torch.zeros(len(g), 5000, dtype=g.dtype))),
    _tamper("ranker: genres of nan", _ranking("genres", lambda g: g * float("nan"))),
]


def _expand_first(payload: dict) -> None:
    name = next(iter(payload["state_dict"]))
    payload["state_dict"][name] = _expanded(payload["state_dict"][name])


def _save_as(name: str) -> Case:
    return Case(f"model-name:{name!r}", lambda s: s.extras["model"].save(name, overwrite=False), r"name|exists")


NAME_SAVE_CASES = [
    _save_as(name)
    for name in (
        "planted",
        "",
        ".",
        "..",
        "a/b",
        "../x",
        "x\n",
        "x\x00",
        "-x",
        ".hidden",
        "x" * 81,
        "名前",
        "x y",
        "planted.pt/..",
    )
] + [
    Case("model-list:name with newline", lambda s: load_model("planted\n"), r"no saved model"),
    Case("model-list:partial name", lambda s: load_model("plant"), r"no saved model"),
]

CASES = (
    NAME_CASES
    + SHOWN_NAME_CASES
    + RATING_CASES
    + IMPORT_CASES
    + STORE_CASES
    + MODEL_CASES
    + MODEL_FIELD_CASES
    + NAME_SAVE_CASES
)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_profiles_and_model_files_are_refused_clearly(case, setting):
    check(case, setting)


def test_a_damaged_model_is_left_out_of_the_list(setting):
    (setting.home / "models" / "broken.pt").write_bytes(b"garbage")
    assert [info.name for info in list_models()] == ["planted"]


@pytest.mark.parametrize("metrics", [[1, 2], {"test_rmse": "0.1 **bold**"}, {"test_rmse": float("nan")}, "x"])
def test_odd_fields_of_a_listed_model_are_dropped(setting, metrics):
    payload = _payload(setting)
    payload.update(metrics=metrics, preset=["not", "text"])
    torch.save(payload, setting.home / "models" / "odd.pt")
    odd = next(info for info in list_models() if info.name == "odd")
    assert odd.test_rmse is None and odd.preset is None
