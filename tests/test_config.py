from __future__ import annotations

import pytest

from movierec.config import ARTICLE, DEFAULT, TrainConfig, parse_list, preset, shown_value
from movierec.errors import MovieRecError


def test_article_preset_matches_the_article():
    assert (ARTICLE.n_factors, ARTICLE.hidden, ARTICLE.dropouts) == (150, (500, 500, 500), (0.5, 0.5, 0.25))
    assert (ARTICLE.embedding_dropout, ARTICLE.lr, ARTICLE.weight_decay) == (0.05, 1e-3, 1e-5)
    assert (ARTICLE.batch_size, ARTICLE.restart_epochs, ARTICLE.patience) == (2000, 2.0, 10)
    assert not ARTICLE.use_bias and not ARTICLE.use_dot


def test_round_trip_through_plain_values():
    values = DEFAULT.to_dict()
    assert isinstance(values["hidden"], list)
    assert TrainConfig.from_dict({**values, "unknown_future_field": 1}) == DEFAULT


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"hidden": (10, 10), "dropouts": (0.1,)}, "dropouts"),
        ({"hidden": (-5,), "dropouts": (0.1,)}, "hidden"),
        ({"dropouts": (0.5, 1.0, 0.2)}, "dropouts"),
        ({"embedding_dropout": -0.1}, "embedding_dropout"),
        ({"epochs": 0}, "epochs"),
        ({"n_factors": 0}, "n_factors"),
        ({"lr": 0.0}, "lr"),
        ({"batch_size": 0}, "batch_size"),
        ({"test_size": 1.0}, "test_size"),
        ({"device": "tpu"}, "device"),
    ],
)
def test_invalid_settings_are_refused_with_the_field_named(changes, field):
    with pytest.raises(MovieRecError, match=field):
        ARTICLE.with_changes(**changes)


def test_unknown_preset_lists_the_valid_ones():
    with pytest.raises(MovieRecError, match="default, article"):
        preset("fastest")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (True, "on"),
        (False, "off"),
        (1e-5, "1e-05"),
        (0.001, "0.001"),
        (2.0, "2"),
        (4096, "4096"),
        (10**30, "a 31-digit number"),
        ((500, 500, 500), "500,500,500"),
        ((0.5, 0.25), "0.5,0.25"),
        ("auto", "auto"),
    ],
)
def test_a_setting_value_is_shown_short(value, text):
    assert shown_value(value) == text


@pytest.mark.parametrize("name", ["hidden", "dropouts"])
def test_a_shown_list_parses_back_to_the_same_value(name):
    for config in (DEFAULT, ARTICLE):
        value = getattr(config, name)
        assert parse_list(name, shown_value(value, ", ")) == value
