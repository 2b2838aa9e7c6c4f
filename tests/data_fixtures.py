"""Tiny made-up MovieLens releases in every format, for the data tests (never real MovieLens data)."""

from __future__ import annotations

import dataclasses
import hashlib
import http.server
import io
import time
import zipfile
from pathlib import Path

from movierec.data import DATASETS

# Four users rating five movies each: twenty ratings.
USERS = (1, 2, 3, 4)
MOVIES = (1, 2, 3, 4, 5)
N_RATINGS = len(USERS) * len(MOVIES)
SLOW_S = 12.0
ENDLESS_BYTES = 256 << 20  # far beyond any test release's download limit


def _ratings(half_stars: bool) -> list[tuple[int, int, float, int]]:
    rows = []
    for user in USERS:
        for movie in MOVIES:
            rating = float((user + movie) % 5 + 1)
            if half_stars and movie % 2 == 0:
                rating -= 0.5
            rows.append((user, movie, rating, 978300000 + 10 * user + movie))
    return rows


def _number(value: float) -> str:
    return f"{value:g}"


def files_100k() -> dict[str, bytes]:
    """``u.data``, ``u.item`` (latin-1, accented title, genre flags), ``u.genre`` and the five folds."""
    rows = _ratings(half_stars=False)
    flags = {  # 19 flags: unknown, Action, Adventure, Animation, Children's, Comedy, ...
        1: "0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0",
        2: "0|0|0|0|0|0|0|0|1|0|0|0|0|0|1|0|0|0|0",
        3: "1|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0",
        4: "0|1|0|0|0|0|0|0|0|0|0|0|0|0|0|1|1|0|0",
        5: "0|0|0|0|0|1|0|0|0|0|0|0|0|0|0|0|0|0|0",
    }
    titles = {
        1: "Toy Story (1995)",
        2: "Café au lait (Métisse) (1993)",
        3: "unknown",
        4: "Star Wars (1977)",
        5: "Nadja (1994) ",
    }
    item = "".join(f"{m}|{titles[m]}|01-Jan-1995||http://example.org/{m}|{flags[m]}\n" for m in MOVIES)
    files = {"u.data": _tab_separated(rows), "u.item": item.encode("latin-1"), "u.genre": b"unknown|0\nAction|1\n"}
    for fold in range(1, 6):
        in_test = [index % 5 == fold - 1 for index in range(len(rows))]
        files[f"u{fold}.base"] = _tab_separated([row for row, test in zip(rows, in_test, strict=True) if not test])
        files[f"u{fold}.test"] = _tab_separated([row for row, test in zip(rows, in_test, strict=True) if test])
    return files


def _tab_separated(rows: list[tuple[int, int, float, int]]) -> bytes:
    return "".join(f"{u}\t{m}\t{_number(r)}\t{t}\n" for u, m, r, t in rows).encode()


def files_dat(half_stars: bool, encoding: str) -> dict[str, bytes]:
    """``ratings.dat`` and ``movies.dat`` in the ``::`` format of ml-1m (latin-1) and ml-10m (UTF-8)."""
    ratings = "".join(f"{u}::{m}::{_number(r)}::{t}\n" for u, m, r, t in _ratings(half_stars))
    movies = (
        "1::Toy Story (1995)::Animation|Children's|Comedy\n"
        "2::Misérables, Les (1995)::Drama|Musical\n"
        "3::Star Wars: Episode IV - A New Hope (1977)::Action|Sci-Fi\n"
        "4::Nadja (1994)::Drama\n"
        "5::Strange Days (1995)::(no genres listed)\n"
    )
    return {"ratings.dat": ratings.encode(), "movies.dat": movies.encode(encoding)}


def files_csv() -> dict[str, bytes]:
    """``ratings.csv`` and ``movies.csv`` as in ml-20m and later, with quoted titles holding commas."""
    ratings = "userId,movieId,rating,timestamp\n" + "".join(
        f"{u},{m},{_number(r)},{t}\n" for u, m, r, t in _ratings(half_stars=True)
    )
    movies = (
        "movieId,title,genres\n"
        '1,"American President, The (1995)",Comedy|Drama|Romance\n'
        "2,Babylon 5 ,Sci-Fi\n"
        "3,Death Note: Desu nôto (2006–2007),(no genres listed)\n"
        '4,"Misérables, Les (1995)",Drama|Children\n'
        "5,Heat (1995),Action|Crime|Thriller\n"
    )
    return {"ratings.csv": ratings.encode(), "movies.csv": movies.encode("utf-8")}


def release_files(name: str) -> dict[str, bytes]:
    """The made-up files of release ``name``, by file name."""
    fmt = DATASETS[name].format
    if fmt == "100k":
        return files_100k()
    if fmt == "dat":
        return files_dat(half_stars=name != "ml-1m", encoding="latin-1" if name == "ml-1m" else "utf-8")
    return files_csv()


def write_release(name: str, folder: Path, nested: bool = True) -> Path:
    """Write release ``name`` under ``folder``, inside its archive folder when ``nested``.

    Returns the folder holding the files.
    """
    target = folder / DATASETS[name].archive_folder if nested else folder
    target.mkdir(parents=True, exist_ok=True)
    for file_name, content in release_files(name).items():
        (target / file_name).write_bytes(content)
    return target


def zip_release(name: str, drop: tuple[str, ...] = ()) -> bytes:
    """Release ``name`` zipped the way GroupLens ships it, optionally without some files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for file_name, content in release_files(name).items():
            if file_name not in drop:
                zf.writestr(f"{DATASETS[name].archive_folder}/{file_name}", content)
    return buffer.getvalue()


class ReleaseServer:
    """Serves ``files`` (URL path -> bytes); paths in ``truncated`` announce the full size but send half."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.truncated: set[str] = set()
        self.slow: set[str] = set()  # paths sent a byte at a time, for at most SLOW_S seconds
        self.endless: set[str] = set()  # paths answered without a length by zeros until the client hangs up
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path in server.endless:
                    self._endless()
                    return
                body = server.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.path in server.slow:
                    self._trickle(body)
                    return
                self.wfile.write(body[: len(body) // 2] if self.path in server.truncated else body)

            def _endless(self) -> None:
                self.send_response(200)
                self.end_headers()
                block = b"\x00" * (1 << 16)
                for _ in range(ENDLESS_BYTES // len(block)):  # a bound only so a client that never stops is caught
                    try:
                        self.wfile.write(block)
                    except OSError:  # the client gave up, as it should
                        return

            def _trickle(self, body: bytes) -> None:
                deadline = time.monotonic() + SLOW_S
                for index in range(len(body)):
                    if time.monotonic() > deadline:
                        return
                    try:
                        self.wfile.write(body[index : index + 1])
                        self.wfile.flush()
                    except OSError:  # the client gave up, as it should
                        return
                    time.sleep(0.05)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def serve(self, name: str, body: bytes) -> None:
        """Serve ``body`` as ``<base>/<name>.zip``."""
        self.files[f"/{name}.zip"] = body


def pin_md5(monkeypatch, name: str, body: bytes | None) -> None:
    """Make the registry expect ``body``'s md5 (None: no published checksum)."""
    md5 = hashlib.md5(body).hexdigest() if body is not None else None
    monkeypatch.setitem(DATASETS, name, dataclasses.replace(DATASETS[name], md5=md5))
