"""Bad input on the command line: every case ends with a message on stderr and exit code 2, nothing stored changes."""

from __future__ import annotations

import contextlib
import copy
import io
import json

import pytest

from movierec.cli.commands import main
from movierec.errors import MovieRecError
from tests.bad_input_harness import Case, Setting, check, cli
from tests.data_fixtures import write_release
from tests.factories import planted_dataset, tiny_model

MODEL = "planted"
_BIG_ID = "9" * 25


@pytest.fixture(scope="module")
def trained():
    return tiny_model(planted_dataset(n_users=40, n_movies=30, per_user=15))


@pytest.fixture
def setting(movierec_home, tmp_path, trained):
    trained.save(MODEL)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    return Setting(movierec_home, scratch, {"model": trained})


def _rate(text: str) -> Case:
    return Case(
        f"rate:{text!r}", lambda s: cli("recommend", "--model", MODEL, "--rate", text, "--json"), r"--rate|scale|rating"
    )


RATE_CASES = [
    _rate(text)
    for text in (
        "1=",
        "=5",
        "a=5",
        "1=five",
        "1=nan",
        "1=NaN",
        "1=inf",
        "1=-inf",
        "1=-1",
        "1=0",
        "1=5.5",
        "1=7",
        "1=4.3",
        "1=1e309",
        f"{_BIG_ID}=4",
        "-3=4",
        "1=5,1=4",
        "1==4",
        "1=4=4",
        "1.5=4",
        "1_0=4",
        "\uff11=4",
        "1=\u0664",
        "0x1=4",
        "1=4 stars",
        "1=1e-400",
    )
]


def _ratings_file(
    label: str, content: bytes | str, expect: str = r"line|rating|movie|read|text|header|large|long"
) -> Case:
    def action(s: Setting) -> str:
        path = s.scratch / "mine.csv"
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        return cli("recommend", "--model", MODEL, "--ratings", str(path), "--json")

    return Case(f"ratings-file:{label}", action, expect)


RATINGS_FILE_CASES = [
    _ratings_file("empty", ""),
    _ratings_file("no header", "1,4\n"),
    _ratings_file("wrong header", "movie,stars\n1,4\n"),
    _ratings_file("three values", "movie_id,rating\n1,4,5\n"),
    _ratings_file("nan", "movie_id,rating\n1,nan\n"),
    _ratings_file("inf", "movie_id,rating\n1,inf\n"),
    _ratings_file("off scale", "movie_id,rating\n1,6\n"),
    _ratings_file("off step", "movie_id,rating\n1,4.2\n"),
    _ratings_file("negative", "movie_id,rating\n1,-2\n"),
    _ratings_file("not a number", "movie_id,rating\n1,good\n"),
    _ratings_file("fractional id", "movie_id,rating\n1.5,4\n"),
    _ratings_file("huge id", f"movie_id,rating\n{_BIG_ID},4\n"),
    _ratings_file("underscore id", "movie_id,rating\n1_0,4\n"),
    _ratings_file("duplicate", "movie_id,rating\n1,4\n1,3\n"),
    _ratings_file("long field", "movie_id,rating\n" + "1" * 200_000 + ",4\n"),
    _ratings_file("latin-1", "movie_id,rating\n1,4 \xe9toiles\n".encode("latin-1")),
    _ratings_file("binary", b"\x00\x01\x02PK\x03\x04" * 100),
    _ratings_file("too large", "movie_id,rating\n" + "".join(f"{i},4\n" for i in range(1, 1_500_000))),
    Case(
        "ratings-file:missing",
        lambda s: cli("recommend", "--model", MODEL, "--ratings", str(s.scratch / "none.csv")),
        r"read|exist|find",
    ),
    Case(
        "ratings-file:a folder",
        lambda s: cli("recommend", "--model", MODEL, "--ratings", str(s.scratch)),
        r"read|folder",
    ),
]


def _model_file(label: str, content: bytes) -> Case:
    def action(s: Setting) -> str:
        path = s.scratch / "odd.pt"
        path.write_bytes(content)
        return cli("recommend", "--model", str(path), "--rate", "1=4")

    return Case(f"model-arg:{label}", action, r"model|damaged|not")


OPTION_CASES = [
    Case("top:0", lambda s: cli("recommend", "--model", MODEL, "--top", "0"), r"--top"),
    Case("top:-3", lambda s: cli("recommend", "--model", MODEL, "--top", "-3"), r"--top"),
    Case("top:huge", lambda s: cli("recommend", "--model", MODEL, "--top", _BIG_ID), r"--top"),
    Case("top:text", lambda s: cli("recommend", "--model", MODEL, "--top", "ten"), r"--top"),
    Case("min-ratings:-5", lambda s: cli("recommend", "--model", MODEL, "--min-ratings", "-5"), r"--min-ratings"),
    Case("model:unknown", lambda s: cli("recommend", "--model", "nobody"), r"no saved model"),
    Case("model:trailing newline", lambda s: cli("recommend", "--model", f"{MODEL}\n"), r"no saved model|name"),
    Case("model:path escape", lambda s: cli("recommend", "--model", "../../etc/passwd"), r"no saved model|model"),
    Case("model:a folder", lambda s: cli("recommend", "--model", str(s.scratch)), r"no saved model|model"),
    Case("model:/dev/null", lambda s: cli("recommend", "--model", "/dev/null"), r"no saved model|model"),
    _model_file("empty", b""),
    _model_file("text", b"hello, this is not a model\n"),
    _model_file("zip", b"PK\x05\x06" + b"\x00" * 18),
]


def _home_is_a_file(s: Setting) -> str:
    blocker = s.scratch / "home-file"
    blocker.write_text("not a folder")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MOVIEREC_HOME", str(blocker))
        return cli("datasets")


def _home_under_a_file(s: Setting) -> str:
    blocker = s.scratch / "plain-file"
    blocker.write_text("not a folder")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MOVIEREC_HOME", str(blocker / "home"))
        return cli("recommend", "--model", MODEL, "--rate", "1=4")


def _train_folder(s: Setting, *extra: str) -> str:
    folder = s.scratch / "data"
    return cli("train", "--dataset", "ml-100k", "--data-dir", str(folder), "--epochs", "1", *extra)


def _train_out(out: str) -> Case:
    def action(s: Setting) -> str:
        write_release("ml-100k", s.scratch / "data")
        (s.scratch / "plain-file").write_text("x")
        return _train_folder(s, "--out", out.format(scratch=s.scratch))

    return Case(f"train-out:{out}", action, r"--out|save|folder|name")


def _broken_100k(label: str, line: str) -> Case:
    def action(s: Setting) -> str:
        folder = write_release("ml-100k", s.scratch / "data")
        with (folder / "u.data").open("a") as data:
            data.write(line)
        return _train_folder(s)

    return Case(f"train-data:{label}", action, r"line|rating|id|u\.data|read")


TRAIN_CASES = [
    Case("home:is a file", _home_is_a_file, r"MOVIEREC_HOME"),
    Case("home:under a file", _home_under_a_file, r"MOVIEREC_HOME"),
    _train_out("{scratch}/plain-file/model.pt"),
    _train_out("{scratch}/plain-file"),
    _train_out("{scratch}/bad name.pt"),
    _train_out("{scratch}/x\n.pt"),
    _broken_100k("nan rating", "1\t1\tnan\t0\n"),
    _broken_100k("inf rating", "1\t9\tinf\t0\n"),
    _broken_100k("rating 9", "1\t9\t9\t0\n"),
    _broken_100k("rating 0", "1\t9\t0\t0\n"),
    _broken_100k("rating -1", "1\t9\t-1\t0\n"),
    _broken_100k("half star on a whole-star release", "1\t9\t3.5\t0\n"),
    _broken_100k("huge user id", f"{_BIG_ID}\t9\t3\t0\n"),
    _broken_100k("text id", "one\t9\t3\t0\n"),
    _broken_100k("missing field", "1\t9\n"),
    _broken_100k("long field", "1\t9\t3\t" + "7" * 300_000 + "\n"),
    Case("train:unknown dataset", lambda s: cli("train", "--dataset", "ml-5"), r"unknown dataset"),
    Case("train:missing folder", lambda s: _train_folder(s), r"folder|exist"),
]

_ESCAPES = "\x1b]0;owned\x07\x1b[31;5mRED\x1b[0m\u202eevil\r"


def _hostile_titles(s: Setting) -> None:
    model = s.extras["model"]
    hostile = copy.copy(model)
    hostile.movies = model.movies.assign(title=[f"{_ESCAPES}{i}" for i in range(len(model.movies))])
    hostile.save("hostile")


def _shown_as_text(output: str) -> bool:
    return "\\x1b]0;owned" in output and not any(char in output for char in "\x1b\x07\r\u202e")


TEXT_CASES = [
    Case(
        "text:terminal escapes in titles",
        lambda s: cli("recommend", "--model", "hostile", "--rate", "1=4"),
        accept=_shown_as_text,
        prepare=_hostile_titles,
    )
]


_SMALL = ("--ratings", "200", "--users", "10", "--movies", "50")


def _synth(s: Setting, *argv: str) -> str:
    return cli("synth", *argv)


def _downloaded_release(s: Setting) -> None:
    write_release("ml-100k", s.home / "datasets")
    (s.scratch / "plain-file").write_text("x")


def _broken_pipe(*argv: str):
    """Run the CLI with a stdout whose reader has gone, as `| head` leaves it."""

    class Gone(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    def action(s: Setting) -> int:
        err = io.StringIO()
        with contextlib.redirect_stdout(Gone()), contextlib.redirect_stderr(err):
            code = main(list(argv))
        if code == 2:
            raise MovieRecError(err.getvalue())
        return code

    return action


def _home_of_nobody(s: Setting) -> str:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MOVIEREC_HOME", "~no-such-user-here/movierec")
        return cli("datasets")


def _parsed_cache_is_a_file(s: Setting) -> None:
    (s.home / "datasets").mkdir(exist_ok=True)
    (s.home / "datasets" / "parsed").write_text("not a folder")


# Writers that never destroy; bounds on every number; no traceback, ever.
WRITER_CASES = [
    Case(
        "writer:synth over a downloaded release",
        lambda s: _synth(s, str(s.home / "datasets" / "ml-100k"), *_SMALL),
        r"did not write",
        prepare=_downloaded_release,
    ),
    Case(
        "writer:synth into a file",
        lambda s: _synth(s, str(s.scratch / "plain-file"), *_SMALL),
        r"file",
        prepare=_downloaded_release,
    ),
]
BOUND_CASES = [
    Case(
        "bounds:synth of 125 GB",
        lambda s: _synth(
            s, str(s.scratch / "big"), "--ratings", "4000000000", "--users", "9000000", "--movies", "9000000"
        ),
        r"--ratings may be at most",
    ),
    Case("bounds:synth seed -1", lambda s: _synth(s, str(s.scratch / "neg"), *_SMALL, "--seed", "-1"), r"--seed"),
    Case("bounds:bench --threads 99999", lambda s: cli("bench", "--threads", "99999"), r"--threads"),
    Case("bounds:bench --fold-in --ranking", lambda s: cli("bench", "--fold-in", "--ranking"), r"one at a time"),
    Case("bounds:bench --ratings without --scale", lambda s: cli("bench", "--ratings", "1000"), r"ignored"),
    Case("bounds:bench --seeds -1", lambda s: cli("bench", "--seeds", "-1"), r"--seeds"),
    Case(
        "bounds:train --out into folders that do not exist",
        lambda s: _train_folder(s, "--out", str(s.scratch / "a" / "b" / "c")),
        r"--out: the folder .* does not exist",
        prepare=lambda s: write_release("ml-100k", s.scratch / "data") and None,
    ),
]
NO_TRACEBACK_CASES = [
    Case(
        "no-traceback:parsed cache is a file",
        lambda s: cli("train", "--epochs", "1"),
        r"parsed.*not a folder",
        prepare=_parsed_cache_is_a_file,
    ),
    Case("no-traceback:MOVIEREC_HOME of an unknown ~user", _home_of_nobody, r"MOVIEREC_HOME"),
    Case("no-traceback:output piped to head", _broken_pipe("datasets"), r"output was closed"),
    Case(
        "no-traceback:synth under a file",
        lambda s: _synth(s, str(s.scratch / "plain-file" / "out"), *_SMALL),
        r"cannot write",
        prepare=_downloaded_release,
    ),
]


CASES = (
    RATE_CASES
    + RATINGS_FILE_CASES
    + OPTION_CASES
    + TRAIN_CASES
    + TEXT_CASES
    + WRITER_CASES
    + BOUND_CASES
    + NO_TRACEBACK_CASES
)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_command_line_input_is_refused_clearly(case, setting):
    check(case, setting)


def test_json_output_is_strict(setting, capsys):
    """No NaN token even where a value is missing: every line parses as strict JSON."""
    out = cli("recommend", "--model", MODEL, "--rate", "2=5,3=1", "--json")
    json.loads(out, parse_constant=lambda token: pytest.fail(f"non-standard JSON token {token}"))
