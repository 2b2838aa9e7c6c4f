"""One description per setting, and the same input refused with the same words by TrainConfig, the CLI and the form."""

from __future__ import annotations

import dataclasses
import math

import pandas as pd
import pytest
import torch
from app_support import open_app, problems, upload_planted

from movierec.cli.commands import build_parser, main
from movierec.config import (
    ARTICLE,
    DEFAULT,
    SETTINGS,
    TrainConfig,
    validate,
)
from movierec.errors import MovieRecError
from movierec.model.network import build_network
from movierec.model.ranker import genre_rows
from movierec.train.sizing import MEMORY_BUDGET_BYTES, parameter_count, training_bytes, validate_for_data

# field, a bad value, the CLI words for it, what the message must say
BAD_VALUES = [
    ("lr", math.nan, "nan", "lr must be a finite number (got nan)"),
    ("lr", math.inf, "inf", "lr must be a finite number (got inf)"),
    ("lr", 0.0, "0", "lr must be in (0, 1] (got 0)"),
    ("lr", 5.0, "5", "lr must be in (0, 1] (got 5)"),
    ("weight_decay", -1e-5, "-1e-5", "weight_decay must be at least 0 (got -1e-05)"),
    ("weight_decay", math.nan, "nan", "weight_decay must be a finite number (got nan)"),
    ("embedding_dropout", 1.0, "1", "embedding_dropout must be in [0, 1) (got 1)"),
    ("embedding_dropout", -0.1, "-0.1", "embedding_dropout must be in [0, 1) (got -0.1)"),
    ("dropouts", (1.0,), "1", "every value of dropouts must be in [0, 1) (got [1])"),
    ("hidden", (0,), "0", "every value of hidden must be at least 1 (got [0])"),
    ("hidden", (100_000,), "100000", "every value of hidden must be at most 8192 (got [100000])"),
    ("n_factors", 0, "0", "n_factors must be at least 1 (got 0)"),
    ("n_factors", 10**9, "1000000000", "n_factors must be at most 1024 (got 1000000000)"),
    ("batch_size", 0, "0", "batch_size must be at least 1 (got 0)"),
    ("batch_size", 10**12, "1000000000000", "batch_size must be at most 1048576 (got 1000000000000)"),
    ("epochs", 0, "0", "epochs must be at least 1 (got 0)"),
    ("epochs", 10**7, "10000000", "epochs must be at most 10000 (got 10000000)"),
    ("patience", -3, "-3", "patience must be at least 1 (got -3)"),
    ("restart_epochs", -1.0, "-1", "restart_epochs must be at least 0 (got -1)"),
    ("restart_epochs", math.inf, "inf", "restart_epochs must be a finite number (got inf)"),
    ("test_size", 1.0, "1", "test_size must be between 0 and 1 (got 1)"),
    ("test_size", 0.0, "0", "test_size must be between 0 and 1 (got 0)"),
    ("valid_size", math.nan, "nan", "valid_size must be a finite number (got nan)"),
    ("seed", -1, "-1", "seed must be at least 0 (got -1)"),
    ("seed", 2**64, str(2**64), "seed must be at most 4294967295 (got 18446744073709551616)"),
]
IDS = [f"{field}={cli}" for field, _, cli, _ in BAD_VALUES]
# A one-layer network, so a single --hidden or --dropouts value is a complete list.
ONE_LAYER = {"hidden": (16,), "dropouts": (0.1,)}
TINY_RUN = ["--epochs", "1", "--n-factors", "8", "--hidden", "16", "--dropouts", "0.1", "--batch-size", "4096"]


def _flag(field: str) -> str:
    return "--" + (SETTINGS[field].flag or field).replace("_", "-")


def test_every_field_is_described_once_and_every_description_is_a_field():
    assert sorted(SETTINGS) == sorted(f.name for f in dataclasses.fields(TrainConfig))
    for name, setting in SETTINGS.items():
        assert setting.label and setting.help.endswith("."), name
        assert setting.group in {"Network", "Optimisation", "Data split"}, name


def test_every_field_has_a_cli_flag_with_its_description():
    train = build_parser()._subparsers._group_actions[0].choices["train"]  # type: ignore[union-attr]
    by_dest = {action.dest: action for action in train._actions}
    for name, setting in SETTINGS.items():
        assert _flag(name) in by_dest[name].option_strings
        assert setting.help.rstrip(".") in by_dest[name].help


@pytest.mark.parametrize(("field", "value", "cli", "message"), BAD_VALUES, ids=IDS)
def test_a_bad_value_is_refused_by_the_config_with_its_message(field, value, cli, message):
    assert validate({**ARTICLE.values(), **ONE_LAYER, field: value}) == {field: message}
    with pytest.raises(MovieRecError, match=field):
        ARTICLE.with_changes(**{**ONE_LAYER, field: value})


@pytest.mark.parametrize(("field", "value", "cli", "message"), BAD_VALUES, ids=IDS)
def test_the_cli_refuses_the_same_value_with_the_same_message_before_any_work(
    field, value, cli, message, capsys, movierec_home
):
    assert main(["train", *TINY_RUN, f"{_flag(field)}={cli}"]) == 2
    assert message in capsys.readouterr().err
    assert not (movierec_home / "models").exists()  # nothing trained, nothing saved


def test_the_form_refuses_the_same_values_with_the_same_messages():
    at = open_app("train")
    # A browser number box holds neither NaN nor infinity nor integers past 2**53.
    form_rows = [
        row for row in BAD_VALUES if isinstance(row[1], int | float) and math.isfinite(row[1]) and abs(row[1]) < 2**53
    ]
    shown = {}
    for field, value, _, message in form_rows:  # one value at a time: each message must stand on its own
        at.number_input(key=f"train_{field}").set_value(value).run()
        shown[field] = " ".join(e.value for e in at.error)
        assert message in shown[field], field
        assert at.button(key="train_start").disabled
        at.number_input(key=f"train_{field}").set_value(getattr(DEFAULT, field)).run()
    at.text_input(key="train_hidden").set_value("0").run()
    assert "every value of hidden must be at least 1 (got [0])" in " ".join(e.value for e in at.error)
    assert not problems(at)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"test_size": 0.99999}, "valid_size", "1 train / 0 validation / 100,835 test"),
        (
            {"n_factors": 1024, "hidden": (8192,), "dropouts": (0.0,), "batch_size": 1_000_000},
            "batch_size",
            "GiB to train",
        ),
    ],
)
def test_settings_that_do_not_fit_the_dataset_are_refused_before_training(changes, field, words, capsys, movierec_home):
    config = DEFAULT.with_changes(**changes)
    problems_found = validate_for_data(config, 100_836, 610, 9_742)
    assert list(problems_found) == [field] and words in problems_found[field]
    args = [f"{_flag(k)}={','.join(map(str, v)) if isinstance(v, tuple) else v}" for k, v in changes.items()]
    assert main(["train", *args]) == 2
    assert words in capsys.readouterr().err
    assert not (movierec_home / "models").exists()


SIZED = [
    ARTICLE,
    DEFAULT,
    ARTICLE.with_changes(use_bias=True),
    ARTICLE.with_changes(use_dot=True, hidden=(), dropouts=()),
    ARTICLE.with_changes(implicit=True, hidden=(7, 5), dropouts=(0.0, 0.1)),
    DEFAULT.with_changes(use_genres=False, use_bias=False),
]


@pytest.mark.parametrize("config", SIZED, ids=range(len(SIZED)))
def test_the_sized_parameter_count_is_the_trained_networks_less_its_genre_part(config):
    n_users, n_movies = 7, 11
    genres = genre_rows(pd.Series([["Comedy"], ["Drama", "Crime"]] + [[]] * (n_movies - 2)))
    network = build_network(config, n_users, n_movies, 0.5, 5.0)
    if config.implicit:
        network.set_rated(torch.zeros(n_users + 1, dtype=torch.long), torch.zeros(0, dtype=torch.long))
    if config.use_genres:
        network.set_genres(genres)
    genre_part = genres.shape[1] * (config.n_factors + config.use_bias) if config.use_genres else 0
    trained = sum(parameter.numel() for parameter in network.parameters())
    assert parameter_count(config, n_users, n_movies) == trained - genre_part


def test_the_sized_parameter_count_of_the_presets_on_ml_latest_small():
    users, movies = 610, 9_742
    article_layers = (300 + 1) * 500 + 2 * (500 + 1) * 500 + (500 + 1)
    assert parameter_count(ARTICLE, users, movies) == (users + movies) * 150 + article_layers
    default_layers = (128 + 1) * 64 + (64 + 1)
    default_tables = (users + 2 * movies) * 64 + users + movies  # implicit table and biases
    assert parameter_count(DEFAULT, users, movies) == default_tables + default_layers


def test_the_memory_budget_admits_the_presets_at_the_largest_size_and_refuses_what_would_not_fit():
    largest = (200_948, 87_585)  # ml-32m's users and movies
    for config in (ARTICLE, DEFAULT):
        assert training_bytes(config, *largest) < MEMORY_BUDGET_BYTES / 4
        assert validate_for_data(config, 32_000_204, *largest) == {}
    huge = ARTICLE.with_changes(n_factors=1024)
    assert training_bytes(huge, *largest) > MEMORY_BUDGET_BYTES
    assert list(validate_for_data(huge, 32_000_204, *largest)) == ["n_factors"]


def test_the_form_refuses_a_split_that_leaves_a_part_of_a_small_upload_empty():
    at = upload_planted(open_app(), n_users=2, per_user=5)  # 10 ratings: 2 test, 8 left, 0.4 of one to validate
    at.switch_page("pages/train.py").run()
    assert "10 ratings into 8 train / 0 validation / 2 test" in " ".join(e.value for e in at.error)
    assert at.button(key="train_start").disabled
    at.number_input(key="train_valid_size").set_value(0.2).run()
    assert not at.button(key="train_start").disabled
    assert not problems(at)
