"""``bench --ranking`` on a tiny planted fixture: every row, the JSON shape and the table."""

from __future__ import annotations

import json

import pytest

from movierec.bench import ranking as bench_ranking
from movierec.bench.ranking import format_ranking, run_ranking_bench
from tests.factories import TINY, planted_dataset

KEYS = {
    "model",
    "precision_at_10",
    "recall_at_10",
    "ndcg_at_10",
    "liked_ndcg_at_10",
    "coverage",
    "mean_count",
    "train_seconds",
}


@pytest.fixture(scope="module")
def report():
    dataset = planted_dataset(n_users=60, n_movies=40, per_user=16)
    return run_ranking_bench(
        dataset, networks={"default": TINY, "biased_mf": TINY.with_changes(hidden=(), dropouts=())}
    )


def test_every_row_has_the_protocol_columns_in_range(report) -> None:
    names = [row["model"] for row in report["results"]]
    assert names[:2] == ["most_popular", "ease"]
    assert {"default", "default_by_rating", "biased_mf"} <= set(names)
    for row in report["results"]:
        assert set(row) >= KEYS
        assert all(
            0.0 <= row[k] <= 1.0
            for k in ("precision_at_10", "recall_at_10", "ndcg_at_10", "liked_ndcg_at_10", "coverage")
        )
        assert row["train_seconds"] >= 0 and row["mean_count"] > 0
    assert "per-user split" in report["protocol"]
    json.loads(json.dumps(report))  # one JSON object, as --json prints it


def test_the_planted_taste_is_found_better_than_by_popularity(report) -> None:
    rows = {row["model"]: row for row in report["results"]}
    assert rows["default"]["liked_ndcg_at_10"] > rows["most_popular"]["liked_ndcg_at_10"]


def test_the_table_lists_every_model_and_the_notes(report) -> None:
    text = format_ranking(report)
    assert text.count("\n| ") == len(report["results"]) + 1  # header + one line per model
    assert "ease: penalty" in text and "default_by_rating: the Rate page ordered by predicted rating" in text


def test_implicit_peers_are_skipped_when_the_library_is_missing(monkeypatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_implicit(name, *args, **kwargs):
        if name.startswith("implicit"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_implicit)
    assert bench_ranking._implicit_peers(planted_dataset().ratings) == {}


def test_the_ranking_bench_trains_the_accuracy_benchmarks_networks_default_first() -> None:
    from movierec.bench.accuracy import NETWORKS
    from movierec.config import BIASED_MF, preset

    networks = bench_ranking.ranked_networks()
    assert list(networks) == ["default", "article", "biased_mf"]
    assert networks == {"default": preset("default"), "article": preset("article"), "biased_mf": BIASED_MF}
    assert networks == NETWORKS
