"""The benchmarks' printed tables, pinned to the character: the README's tables are pasted from them."""

from __future__ import annotations

from movierec.bench.accuracy import MODELS, format_spread, format_table
from movierec.bench.foldin import format_fold_in
from movierec.bench.ranking import format_ranking
from movierec.bench.scale import format_scale_table
from movierec.bench.tables import markdown_table

ACCURACY = {
    "dataset": "ml-latest-small",
    "protocol": "random 80/20 split, seed 1",
    "results": [
        {
            "model": "article",
            "test_rmse": 0.91234,
            "test_mae": 0.70111,
            "epochs": 12.0,
            "train_seconds": 3.456,
            "ratings_per_second": 123456.7,
            "peak_memory_mb": 87.4,
            "time_ratio_to_article": 1.0,
        },
        {
            "model": "global_mean",
            "test_rmse": 1.04,
            "test_mae": 0.83,
            "epochs": None,
            "train_seconds": 0.0123,
            "ratings_per_second": 9876543.2,
            "peak_memory_mb": None,
            "time_ratio_to_article": 0.00356,
        },
    ],
}
SPREAD_SEEDS = (1, 2, 3)
RANKING = {
    "dataset": "ml-latest-small",
    "protocol": "per-user split, seed 42",
    "results": [
        {
            "model": "most_popular",
            "precision_at_10": 0.1234,
            "recall_at_10": 0.05678,
            "ndcg_at_10": 0.15,
            "liked_ndcg_at_10": 0.16789,
            "coverage": 0.01234,
            "mean_count": 187.25,
            "train_seconds": 0.0421,
        },
        {
            "model": "ease",
            "precision_at_10": 0.3,
            "recall_at_10": 0.2,
            "ndcg_at_10": 0.35,
            "liked_ndcg_at_10": 0.4,
            "coverage": 0.25,
            "mean_count": 60.0,
            "train_seconds": 2.5,
            "note": "penalty 400 chosen on validation",
        },
    ],
}
FOLD_IN = {
    "dataset": "ml-latest-small",
    "fold_in": [
        {
            "model": "ml-latest-small",
            "movies": 9724,
            "users": 610,
            "ratings": 1,
            "fold_in_ms": 1.234,
            "recommend_ms": 12.345,
        },
        {
            "model": "ml-32m size",
            "movies": 87585,
            "users": 200948,
            "ratings": 50,
            "fold_in_ms": 4.56,
            "recommend_ms": 45.678,
        },
    ],
}
SCALE = {
    "n_ratings": 25000095,
    "n_users": 162541,
    "n_movies": 62423,
    "parse_s": 61.23,
    "load_s": 2.345,
    "load_peak_mb": 2345.6,
    "device": "cuda:0 (NVIDIA H200)",
    "results": [
        {
            "preset": "default",
            "s_per_epoch": 123.45,
            "estimated": False,
            "ratings_per_s": 198765.4,
            "peak_mb": 3456.7,
            "gpu_peak_mb": 1234.5,
        },
        {"preset": "article", "s_per_epoch": 1234.5, "estimated": True, "ratings_per_s": 19876.5, "peak_mb": 2345.6},
    ],
}

ACCURACY_TABLE = [
    "ml-latest-small: random 80/20 split, seed 1",
    "| model | test RMSE | test MAE | epochs | train s | ratings/s | peak MB | time / article |",
    "|---|---|---|---|---|---|---|---|",
    "| article | 0.9123 | 0.7011 | 12 | 3.46 | 123,457 | 87 | 1.000 |",
    "| global_mean | 1.0400 | 0.8300 | - | 0.01 | 9,876,543 | - | 0.004 |",
]
SPREAD_TABLE = [
    "test RMSE over seeds 1, 2, 3",
    "| model | mean | sd | min | max |",
    "|---|---|---|---|---|",
    "| article | 0.8100 | 0.0100 | 0.8000 | 0.8200 |",
    "| default | 0.8110 | 0.0100 | 0.8010 | 0.8210 |",
    "| biased_mf | 0.8120 | 0.0100 | 0.8020 | 0.8220 |",
    "| global_mean | 0.8130 | 0.0100 | 0.8030 | 0.8230 |",
    "| user_movie_bias | 0.8140 | 0.0100 | 0.8040 | 0.8240 |",
]
RANKING_TABLE = [
    "ml-latest-small: per-user split, seed 42",
    "| model | P@10 | R@10 | nDCG@10 | liked nDCG@10 | coverage | mean count | train s |",
    "|---|---|---|---|---|---|---|---|",
    "| most_popular | 0.1234 | 0.0568 | 0.1500 | 0.1679 | 0.0123 | 187.2 | 0.04 |",
    "| ease | 0.3000 | 0.2000 | 0.3500 | 0.4000 | 0.2500 | 60.0 | 2.50 |",
    "ease: penalty 400 chosen on validation",
]
FOLD_IN_TABLE = [
    "| model | movies | users | ratings given | fold-in ms | suggestions ms |",
    "|---|---|---|---|---|---|",
    "| ml-latest-small | 9,724 | 610 | 1 | 1.2 | 12.3 |",
    "| ml-32m size | 87,585 | 200,948 | 50 | 4.6 | 45.7 |",
]
SCALE_TABLE = [
    "synthetic ml-25m-shaped release: 25,000,095 ratings, 162,541 users, 62,423 movies; first load 61.2 s, cached load 2.3 s, peak 2346 MB; on cuda:0 (NVIDIA H200), 4 torch CPU thread(s)",
    "| preset | load s | s / epoch | ratings/s | peak MB | GPU peak MB |",
    "|---|---|---|---|---|---|",
    "| default | 2.3 | 123.5 | 198,765 | 3457 | 1234 |",
    "| article | 2.3 | 1234.5 (est.) | 19,876 | 2346 | – |",
]


def test_markdown_table_has_a_header_a_rule_and_a_line_per_row() -> None:
    assert markdown_table(("a", "bc"), [("1", "2"), ("x", "")]) == "| a | bc |\n|---|---|\n| 1 | 2 |\n| x |  |"
    assert markdown_table(("only",), []) == "| only |\n|---|"


def test_accuracy_table() -> None:
    assert format_table(ACCURACY).split("\n") == ACCURACY_TABLE


def test_spread_table() -> None:
    reports = [
        {"results": [{"model": m, "test_rmse": 0.8 + 0.01 * k + 0.001 * i} for i, m in enumerate(MODELS)]}
        for k in range(3)
    ]
    assert format_spread(reports, SPREAD_SEEDS).split("\n") == SPREAD_TABLE


def test_ranking_table() -> None:
    assert format_ranking(RANKING).split("\n") == RANKING_TABLE


def test_fold_in_table() -> None:
    assert format_fold_in(FOLD_IN).split("\n") == FOLD_IN_TABLE


def test_scale_table() -> None:
    assert format_scale_table(SCALE, threads=4).split("\n") == SCALE_TABLE
