"""Bad downloads (from a server on 127.0.0.1) and bad folders in the dashboard's folder panel."""

from __future__ import annotations

import io
import os
import warnings
import zipfile

import pytest

from movierec.data import DATASETS, download_dataset
from movierec.errors import MovieRecError
from tests.app_support import open_app
from tests.bad_input_harness import Case, Setting, check
from tests.data_fixtures import pin_md5, release_files, write_release, zip_release


@pytest.fixture
def setting(movierec_home, tmp_path, release_server, monkeypatch):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    return Setting(movierec_home, scratch, {"server": release_server, "monkeypatch": monkeypatch})


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buffer.getvalue()


def _release_plus(name: str, extra: dict[str, bytes]) -> bytes:
    folder = DATASETS[name].archive_folder
    return _zip({**{f"{folder}/{file}": content for file, content in release_files(name).items()}, **extra})


def _twice(name: str, file_name: str) -> bytes:
    """A release whose zip holds a second, different ``file_name`` (which one is unpacked depends on the unpacker)."""
    buffer = io.BytesIO(_release_plus(name, {}))
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "a") as zf:
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name, which is the point
        zf.writestr(f"{DATASETS[name].archive_folder}/{file_name}", b"1\t1\t9\t0\n")
    return buffer.getvalue()


def _download(
    label: str,
    name: str,
    body: bytes | None,
    md5: str | None = "match",
    sidecar: bytes | None = None,
    truncated: bool = False,
    expect: str = r"could not download|download",
) -> Case:
    def action(s: Setting):
        server = s.extras["server"]
        if body is not None:
            server.serve(name, body)
        if truncated:
            server.truncated.add(f"/{name}.zip")
        if sidecar is not None:
            server.files[f"/{name}.zip.md5"] = sidecar
        if md5 == "match":
            pin_md5(s.extras["monkeypatch"], name, body)
        else:
            s.extras["monkeypatch"].setitem(
                DATASETS, name, DATASETS[name].__class__(**{**DATASETS[name].__dict__, "md5": md5})
            )
        return download_dataset(name)

    return Case(f"download:{label}", action, expect)


_BOMB = {"ml-100k/padding.bin": b"\x00" * 300_000_000}
_GOOD_100K = zip_release("ml-100k")

DOWNLOAD_CASES = [
    _download("not served", "ml-100k", None),
    _download("truncated", "ml-100k", _GOOD_100K, truncated=True),
    _download("not a zip", "ml-100k", b"<html>moved</html>"),
    _download("empty", "ml-100k", b""),
    _download("missing files", "ml-100k", zip_release("ml-100k", drop=("u.item",))),
    _download("checksum mismatch", "ml-100k", _GOOD_100K, md5="0" * 32),
    _download("wrong release inside", "ml-100k", zip_release("ml-1m")),
    _download("unpacks to 300 MB", "ml-100k", _release_plus("ml-100k", _BOMB), expect=r"unpack|large|ratio"),
    _download(
        "path escape",
        "ml-100k",
        _release_plus("ml-100k", {"ml-100k/../../escape.txt": b"x"}),
        expect=r"path|unsafe|outside",
    ),
    _download(
        "absolute member",
        "ml-100k",
        _release_plus("ml-100k", {"/ml-100k/abs.txt": b"x"}),
        expect=r"path|unsafe|outside",
    ),
    _download("published checksum unreachable", "ml-32m", zip_release("ml-32m"), md5=None, expect=r"checksum|verif"),
    _download(
        "published checksum garbage",
        "ml-32m",
        zip_release("ml-32m"),
        md5=None,
        sidecar=b"<html>nope</html>",
        expect=r"checksum|verif",
    ),
    _download(
        "published checksum differs",
        "ml-32m",
        zip_release("ml-32m"),
        md5=None,
        sidecar=b"0" * 32 + b"  ml-32m.zip\n",
        expect=r"checksum",
    ),
    Case("download:unknown release", lambda s: download_dataset("ml-7"), r"unknown dataset"),
    _download("two members with one name", "ml-100k", _twice("ml-100k", "u.data"), expect=r"two files named"),
]


def _trickle(s: Setting):
    """A server that sends one byte at a time for far longer than the overall deadline."""
    from movierec.data import download

    s.extras["monkeypatch"].setattr(download, "DEADLINE_S", 1.5, raising=False)
    s.extras["server"].slow.add("/ml-100k.zip")
    s.extras["server"].serve("ml-100k", _GOOD_100K)
    pin_md5(s.extras["monkeypatch"], "ml-100k", _GOOD_100K)
    return download_dataset("ml-100k")


DOWNLOAD_CASES.append(Case("download:trickling server", _trickle, r"deadline|took longer|too long"))


def _open(s: Setting) -> None:
    s.extras["app"] = open_app()  # its first run loads the bundled data into the cache, before the snapshot


def _use_folder(path_of) -> object:
    def action(s: Setting):
        at = s.extras.get("app") or open_app()
        at.text_input(key="folder_path").set_value(path_of(s)).run()
        at.button(key="folder_use").click().run()
        if at.exception:
            raise RuntimeError(at.exception[0].value)
        if at.error:
            raise MovieRecError(" ".join(e.value for e in at.error))
        return at.session_state["dataset_name"]

    return action


def _outside_release(s: Setting) -> str:
    write_release("ml-latest-small", s.scratch / "outside")
    return str(s.scratch / "outside")


def _escaping_link(s: Setting) -> str:
    write_release("ml-latest-small", s.scratch / "outside")
    root = s.home / "data"
    root.mkdir(parents=True, exist_ok=True)
    os.symlink(s.scratch / "outside", root / "link")
    return str(root / "link")


def _secret_inside(s: Setting) -> None:
    folder = write_release("ml-latest-small", s.home / "data" / "mine")
    (folder / "ratings.csv").write_text("SECRET-TOKEN-123,not,a,rating\n")
    _open(s)


_FOLDER_MESSAGE = r"not .*allowed|cannot be used|not under"
FOLDER_CASES = [
    Case("folder:outside the roots", prepare=_open, action=_use_folder(_outside_release), expect=_FOLDER_MESSAGE),
    Case(
        "folder:missing",
        prepare=_open,
        action=_use_folder(lambda s: str(s.scratch / "nowhere")),
        expect=_FOLDER_MESSAGE,
    ),
    Case("folder:/etc", prepare=_open, action=_use_folder(lambda s: "/etc"), expect=_FOLDER_MESSAGE),
    Case("folder:/", prepare=_open, action=_use_folder(lambda s: "/"), expect=_FOLDER_MESSAGE),
    Case(
        "folder:dot-dot out of the root",
        prepare=_open,
        action=_use_folder(lambda s: str(s.home / "data" / ".." / "..")),
        expect=_FOLDER_MESSAGE,
    ),
    Case("folder:a link out of the root", prepare=_open, action=_use_folder(_escaping_link), expect=_FOLDER_MESSAGE),
    Case(
        "folder:damaged file inside",
        prepare=_secret_inside,
        action=_use_folder(lambda s: str(s.home / "data" / "mine")),
        expect=r"^(?!.*SECRET).*cannot be used",
    ),
    Case("folder:a file", prepare=_open, action=_use_folder(lambda s: __file__), expect=_FOLDER_MESSAGE),
]

CASES = DOWNLOAD_CASES + FOLDER_CASES


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_downloads_and_folders_are_refused_clearly(case, setting):
    check(case, setting)


def test_a_refused_folder_never_reveals_whether_it_exists(setting):
    """The message for a folder outside the roots is the same whether or not it exists."""
    from tests.bad_input_harness import attempt

    there = attempt(Case("x", _use_folder(_outside_release)), setting)
    missing = attempt(Case("y", _use_folder(lambda s: str(s.scratch / "outside-missing"))), setting)
    assert there.message.replace(str(setting.scratch / "outside"), "P") == missing.message.replace(
        str(setting.scratch / "outside-missing"), "P"
    )
