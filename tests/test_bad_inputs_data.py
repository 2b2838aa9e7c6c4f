"""Bad ratings data in uploads, extracted folders and the parsed-data cache: refused clearly or recovered from."""

from __future__ import annotations

import io

import numpy as np
import pytest

from movierec.data import load_movielens, load_ratings_csv
from movierec.data.cache import cache_file
from tests.bad_input_harness import Case, Setting, check
from tests.data_fixtures import N_RATINGS, write_release

_BIG_ID = "9" * 25
_GOOD = "user_id,movie_id,rating\n1,1,4\n1,2,3.5\n2,1,5\n"


@pytest.fixture
def setting(movierec_home, tmp_path):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    return Setting(movierec_home, scratch)


def _upload(
    label: str,
    ratings: bytes | str,
    movies: bytes | str | None = None,
    expect: str = r"line|column|file|rating|large|long|empty",
) -> Case:
    def action(s: Setting):
        def handle(content):
            return None if content is None else io.BytesIO(content if isinstance(content, bytes) else content.encode())

        return load_ratings_csv(handle(ratings), handle(movies), name="upload")

    return Case(f"upload:{label}", action, expect)


_WIDE_HEADER = "user_id,movie_id,rating," + ",".join(f"c{i}" for i in range(20_000))

UPLOAD_CASES = [
    _upload("empty", ""),
    _upload("only spaces", "   \n  \n"),
    _upload("header only", "user_id,movie_id,rating\n"),
    _upload("no rating column", "user_id,movie_id\n1,1\n"),
    _upload("no user column", "movie_id,rating\n1,4\n"),
    _upload("headerless", "1,1,4\n2,1,5\n"),
    _upload("nan", "user_id,movie_id,rating\n1,1,nan\n"),
    _upload("NaN upper", "user_id,movie_id,rating\n1,1,NaN\n"),
    _upload("inf", "user_id,movie_id,rating\n1,1,inf\n"),
    _upload("-inf", "user_id,movie_id,rating\n1,1,-inf\n"),
    _upload("1e400", "user_id,movie_id,rating\n1,1,1e400\n"),
    _upload("rating 0", "user_id,movie_id,rating\n1,1,0\n"),
    _upload("rating 5.5", "user_id,movie_id,rating\n1,1,5.5\n"),
    _upload("rating 4.25", "user_id,movie_id,rating\n1,1,4.25\n"),
    _upload("rating -1", "user_id,movie_id,rating\n1,1,-1\n"),
    _upload("rating text", "user_id,movie_id,rating\n1,1,great\n"),
    _upload("rating empty", "user_id,movie_id,rating\n1,1,\n"),
    _upload("huge user id", f"user_id,movie_id,rating\n{_BIG_ID},1,4\n"),
    _upload("19-digit id", "user_id,movie_id,rating\n9999999999999999999,1,4\n"),
    _upload("negative id", "user_id,movie_id,rating\n-1,1,4\n"),
    _upload("fractional id", "user_id,movie_id,rating\n1.5,1,4\n"),
    _upload("fullwidth id", "user_id,movie_id,rating\n\uff11,1,4\n"),
    _upload("duplicate pair", "user_id,movie_id,rating\n1,1,4\n1,1,3\n"),
    _upload("extra field", "user_id,movie_id,rating\n1,1,4,9\n"),
    _upload("unclosed quote", 'user_id,movie_id,rating\n1,"1,4\n'),
    _upload("latin-1 text", "user_id,movie_id,rating\n1,1,4\n# caf\xe9\n".encode("latin-1")),
    _upload("nul bytes", b"user_id,movie_id,rating\n1,1,4\x00\n"),
    _upload("zip archive", b"PK\x03\x04" + b"\x00" * 200),
    _upload("long field", "user_id,movie_id,rating,timestamp\n1,1,4," + "1" * 300_000 + "\n"),
    _upload("too many columns", _WIDE_HEADER + "\n" + "1,1,4" + ",x" * 20_000 + "\n"),
    _upload("too large", _GOOD + "".join(f"{u},{m},4\n" for u in range(3, 2003) for m in range(1, 1001))),
    _upload("timestamp text", "user_id,movie_id,rating,timestamp\n1,1,4,yesterday\n"),
    _upload("movies: no title", _GOOD, "movie_id,name\n1,A\n"),
    _upload("movies: duplicate id", _GOOD, "movie_id,title\n1,A\n1,B\n"),
    _upload("movies: text id", _GOOD, "movie_id,title\none,A\n"),
    _upload("movies: huge id", _GOOD, f"movie_id,title\n{_BIG_ID},A\n"),
    _upload("movies: long title", _GOOD, "movie_id,title\n1," + "A" * 300_000 + "\n"),
    _upload("movies: binary", _GOOD, b"\x00\xff" * 50),
    _upload("movies: empty", _GOOD, ""),
    _upload(
        "movies: too many columns",
        _GOOD,
        "movie_id,title," + ",".join(f"g{i}" for i in range(20_000)) + "\n1,A" + ",x" * 20_000 + "\n",
    ),
]


def _folder(release: str, file_name: str, label: str, mutate) -> Case:
    def action(s: Setting):
        folder = write_release(release, s.scratch / "data")
        path = folder / file_name
        path.write_bytes(mutate(path.read_bytes()))
        return load_movielens(release, data_dir=s.scratch / "data")

    return Case(f"folder:{release}:{label}", action, r"line|rating|id|read|file|long|scale")


def _append(line: str):
    return lambda content: content + line.encode()


def _replace_first_rating(value: str, sep: str):
    """Replace the rating of the first data line (the line after a header when there is one)."""

    def mutate(content: bytes) -> bytes:
        lines = content.decode("latin-1").split("\n")
        index = 1 if lines[0].startswith("userId") else 0
        parts = lines[index].split(sep)
        rating_at = 4 if sep == ":" else 2
        parts[rating_at] = value
        lines[index] = sep.join(parts)
        return "\n".join(lines).encode("latin-1")

    return mutate


_RELEASES = (("ml-latest", "ratings.csv", ","), ("ml-1m", "ratings.dat", ":"), ("ml-100k", "u.data", "\t"))
_VALUES = ("nan", "inf", "-inf", "9", "0", "-1", "abc", "")

FOLDER_CASES = [
    _folder(release, file_name, f"rating {value!r}", _replace_first_rating(value, sep))
    for release, file_name, sep in _RELEASES
    for value in _VALUES
] + [
    _folder("ml-latest", "ratings.csv", "half star 4.25", _replace_first_rating("4.25", ",")),
    _folder("ml-1m", "ratings.dat", "half star on whole stars", _replace_first_rating("3.5", ":")),
    _folder("ml-latest", "ratings.csv", "huge user id", _append(f"{_BIG_ID},1,4,0\n")),
    _folder("ml-latest", "ratings.csv", "text user id", _append("bob,1,4,0\n")),
    _folder("ml-latest", "ratings.csv", "missing fields", _append("1,1\n")),
    _folder("ml-latest", "ratings.csv", "long field", _append("1,1,4," + "1" * 300_000 + "\n")),
    _folder("ml-latest", "movies.csv", "long title", _append("6," + "T" * 300_000 + ",Drama\n")),
    _folder("ml-latest", "movies.csv", "text movie id", _append("six,Six,Drama\n")),
    _folder("ml-latest", "movies.csv", "huge movie id", _append(f"{_BIG_ID},Six,Drama\n")),
    _folder("ml-latest", "ratings.csv", "binary", lambda content: b"\x00\xff\xfe" * 100),
    _folder("ml-latest", "ratings.csv", "empty", lambda content: b""),
    _folder("ml-1m", "ratings.dat", "huge movie id", _append(f"1::{_BIG_ID}::4::0\n")),
    _folder("ml-1m", "movies.dat", "text movie id", _append("x::Film::Drama\n")),
    _folder("ml-1m", "movies.dat", "no separator", _append("just a line\n")),
    _folder(
        "ml-100k",
        "u.item",
        "text movie id",
        _append("x|Film|01-Jan-1995||http://e|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0\n"),
    ),
    _folder("ml-100k", "u.data", "huge movie id", _append(f"1\t{_BIG_ID}\t4\t0\n")),
]


def _strict(release: str, file_name: str, label: str, mutate, expect: str) -> Case:
    """A folder case whose refusal must use the given words (and no column-name or dtype jargon)."""
    case = _folder(release, file_name, label, mutate)
    return Case(f"one-reader:{release}:{label}", case.action, rf"^(?!.*'userId')(?!.*dtype).*{expect}")


def _header(old: bytes, new: bytes):
    return lambda content: content.replace(old, new, 1)


_CSV_HEADER = b"userId,movieId,rating,timestamp"
# One reader of MovieLens text, as strict as the uploads: repeats, exponents, doubled columns, broken text.
ONE_READER_CASES = [
    _strict("ml-latest", "ratings.csv", "repeated pair", _append("1,1,2.0,0\n"), r"rates movie 1 twice"),
    _strict("ml-latest", "ratings.csv", "id 1e3", _append("1e3,1,4.0,0\n"), r"exponent"),
    _strict("ml-latest", "ratings.csv", "user id 1.0", _append("1.0,1,4.0,0\n"), r"decimal point"),
    _strict("ml-latest", "ratings.csv", "movie id 2.5", _append("7,2.5,4.0,0\n"), r"decimal point"),
    _strict("ml-latest", "ratings.csv", "timestamp 0.5", _append("7,1,4.0,0.5\n"), r"decimal point"),
    _strict(
        "ml-latest",
        "ratings.csv",
        "two rating columns",
        _header(_CSV_HEADER, b"userId,movieId,rating,rating"),
        r"column rating twice",
    ),
    _strict(
        "ml-latest",
        "ratings.csv",
        "no rating column",
        _header(_CSV_HEADER, b"userId,movieId,stars,timestamp"),
        r"lacks the column",
    ),
    _strict("ml-latest", "movies.csv", "movie listed twice", _append("1,Again (1999),Drama\n"), r"movie 1 twice"),
    _strict(
        "ml-latest",
        "movies.csv",
        "latin-1 title",
        lambda c: c + "6,Caf\xe9 (1999),Drama\n".encode("latin-1"),
        r"not UTF-8",
    ),
    _strict("ml-1m", "movies.dat", "movie listed twice", _append("1::Again (1999)::Drama\n"), r"movie 1 twice"),
    _strict("ml-1m", "ratings.dat", "repeated pair", _append("1::1::2::0\n"), r"rates movie 1 twice"),
    _strict("ml-1m", "ratings.dat", "user id 1.0", _append("1.0::1::2::0\n"), r"decimal point"),
    _strict("ml-100k", "u.data", "repeated pair", _append("1\t1\t2\t0\n"), r"rates movie 1 twice"),
    _strict("ml-100k", "u.data", "id 1e3", _append("1e3\t1\t4\t0\n"), r"exponent"),
    _strict("ml-100k", "u.data", "movie id 1.0", _append("1\t1.0\t4\t0\n"), r"decimal point"),
    _strict(
        "ml-100k",
        "u.item",
        "movie listed twice",
        _append("1|Again (1999)|01-Jan-1999||http://e|0|0|0|0|0|0|0|0|1|0|0|0|0|0|0|0|0|0|0\n"),
        r"movie 1 twice",
    ),
]


def _cache_damage(label: str, mutate) -> Case:
    def action(s: Setting):
        load_movielens("ml-latest", data_dir=write_release("ml-latest", s.scratch / "data"))
        for path in (s.home / "datasets" / "parsed").glob("*.npz"):
            path.write_bytes(mutate(path.read_bytes()))
        return load_movielens("ml-latest", data_dir=s.scratch / "data")

    return Case(f"cache:{label}", action, accept=lambda dataset: dataset is not None and dataset.n_ratings == N_RATINGS)


def _pickled_npz(content: bytes) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, key=np.array([{"evil": 1}], dtype=object))
    return buffer.getvalue()


CACHE_CASES = [
    _cache_damage("truncated", lambda content: content[: len(content) // 2]),
    _cache_damage("empty", lambda content: b""),
    _cache_damage("text", lambda content: b"not an npz file"),
    _cache_damage("pickled objects", _pickled_npz),
    _cache_damage(
        "flipped bytes", lambda content: content[:200] + bytes(255 - b for b in content[200:400]) + content[400:]
    ),
]

CASES = UPLOAD_CASES + FOLDER_CASES + ONE_READER_CASES


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_ratings_data_is_refused_clearly(case, setting):
    check(case, setting)


@pytest.mark.parametrize("case", CACHE_CASES, ids=[case.id for case in CACHE_CASES])
def test_a_damaged_cache_is_rebuilt(case, setting):
    """A damaged parsed copy is ignored and rebuilt: the load works and gives the right data."""
    from tests.bad_input_harness import CLEAR, attempt

    outcome = attempt(case, setting)
    assert outcome.kind == CLEAR, outcome.message
    rebuilt = cache_file("ml-latest", str((setting.scratch / "data" / "ml-latest").resolve()))
    with np.load(rebuilt, allow_pickle=False) as stored:
        assert len(stored["rating"]) == N_RATINGS
