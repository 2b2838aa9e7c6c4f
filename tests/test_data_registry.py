"""The release registry, rating scales and the status listing."""

from __future__ import annotations

import pytest

from movierec.data import DATASETS, RatingScale, Variant, dataset_status
from movierec.data.registry import get_variant
from movierec.errors import MovieRecError
from tests.data_fixtures import write_release


def test_registry_lists_every_release_with_its_grouplens_url():
    assert list(DATASETS) == [
        "ml-latest-small",
        "ml-100k",
        "ml-1m",
        "ml-10m",
        "ml-20m",
        "ml-25m",
        "ml-32m",
        "ml-latest",
    ]
    for name, variant in DATASETS.items():
        assert isinstance(variant, Variant) and variant.name == name
        assert variant.url == f"https://files.grouplens.org/datasets/movielens/{name}.zip"
        assert variant.md5 is None or len(variant.md5) == 32
    assert [v.name for v in DATASETS.values() if v.bundled] == ["ml-latest-small"]
    assert DATASETS["ml-10m"].archive_folder == "ml-10M100K"
    assert DATASETS["ml-1m"].scale == RatingScale(1, 5, 1)
    assert DATASETS["ml-10m"].scale == RatingScale(0.5, 5, 0.5)


def test_rating_scale_values_and_membership():
    half = RatingScale(0.5, 5.0, 0.5)
    assert half.values() == [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0]
    assert RatingScale(1, 5, 1).values() == [1, 2, 3, 4, 5]
    assert half.contains(3.5) and half.contains(5) and half.contains(0.5)
    assert not half.contains(3.3) and not half.contains(0) and not half.contains(5.5)
    assert not RatingScale(1, 5, 1).contains(4.5)
    assert half.label == "0.5–5 (half stars)" and RatingScale(1, 5, 1).label == "1–5 (whole stars)"


def test_unknown_variant_names_the_choices():
    with pytest.raises(MovieRecError, match=r"Unknown dataset 'ml-2m'.*ml-100k, ml-1m"):
        get_variant("ml-2m")


def test_status_lists_every_release_and_what_is_ready(movierec_home, tmp_path):
    status = dataset_status()
    assert [entry["name"] for entry in status] == list(DATASETS)
    assert set(status[0]) == {"name", "description", "size_hint", "scale", "bundled", "ready", "location"}
    small = status[0]
    assert small["bundled"] and small["ready"] and small["location"] == "bundled"
    assert small["scale"] == "0.5–5 (half stars)"
    assert all(not entry["ready"] and entry["location"] is None for entry in status[1:])

    write_release("ml-1m", movierec_home / "datasets" / "ml-1m", nested=False)
    ready = {entry["name"]: entry for entry in dataset_status()}["ml-1m"]
    assert ready["ready"] and ready["location"] == str(movierec_home / "datasets" / "ml-1m")
    assert ready["scale"] == "1–5 (whole stars)"
