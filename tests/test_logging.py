"""What is skipped or refused quietly (an unreadable cache, a damaged model file, a checksum not fetched) is said in the log."""

from __future__ import annotations

import logging

import pytest

from movierec.cli.commands import main
from movierec.data import load_movielens
from movierec.data.cache import read_cache
from movierec.data.download import _check_md5, _DownloadFailure
from movierec.data.registry import get_variant
from movierec.model.artifacts import list_models


def test_a_damaged_model_file_is_skipped_with_a_warning(movierec_home, caplog):
    (movierec_home / "models").mkdir(parents=True)
    (movierec_home / "models" / "broken.pt").write_bytes(b"not a model")
    with caplog.at_level(logging.WARNING, logger="movierec"):
        assert list_models() == []
    assert "broken.pt" in caplog.text and "movierec.model.artifacts" in caplog.text


def test_an_unreadable_parsed_copy_is_logged_and_rebuilt(tmp_path, caplog):
    damaged = tmp_path / "copy.npz"
    damaged.write_bytes(b"PK\x03\x04 truncated")
    with caplog.at_level(logging.INFO, logger="movierec"):
        assert read_cache(damaged, "key") is None
    assert "copy.npz is unreadable" in caplog.text


def test_a_checksum_that_cannot_be_fetched_is_logged_and_the_archive_refused(caplog):
    variant = get_variant("ml-32m")  # GroupLens publishes its checksum only beside the zip
    with (
        caplog.at_level(logging.WARNING, logger="movierec"),
        pytest.raises(_DownloadFailure, match="cannot be verified"),
    ):
        _check_md5(variant, "http://127.0.0.1:9/ml-32m.zip", "0" * 32)  # port 9: nothing listens
    assert "could not fetch the checksum http://127.0.0.1:9/ml-32m.zip.md5" in caplog.text


def _damage_parsed_copies(home) -> None:
    for copy in (home / "datasets" / "parsed").glob("*.npz"):
        copy.write_bytes(b"damaged")


def test_verbose_tells_on_stderr_what_was_rebuilt_and_a_quiet_run_does_not(movierec_home, capsys):
    tiny = ["--epochs", "1", "--n-factors", "4", "--hidden", "4", "--dropouts", "0", "--batch-size", "65536"]
    load_movielens("ml-latest-small")  # builds the parsed copy
    _damage_parsed_copies(movierec_home)
    assert main(["train", *tiny]) == 0
    assert "unreadable" not in capsys.readouterr().err
    _damage_parsed_copies(movierec_home)
    assert main(["train", "-v", *tiny]) == 0
    err = capsys.readouterr().err
    assert "INFO movierec.data.cache: parsed copy" in err and "unreadable" in err
