"""``python -m movierec recommend``: suggestions for ratings given on the command line or in a CSV file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from movierec.cli.display import terminal_text
from movierec.cli.json_output import to_json
from movierec.errors import MovieRecError

MAX_TOP = 1000
ORDER_NOTE = (
    "Ordered by what people with these ratings go on to watch, weighed with genre match and predicted "
    "rating, so the predicted stars (first column) are not in order."
)


def parse_rate(text: str, scale: Any = None) -> dict[int, float]:
    """``"1=5,318=4.5"`` -> ``{1: 5.0, 318: 4.5}``, checked like a ratings file (ids, the rating ``scale``).

    Raises:
        MovieRecError: a malformed pair, a rating off ``scale`` or a repeated id.
    """
    from movierec.profiles.ratings_csv import check_rating, parse_movie_id

    ratings: dict[int, float] = {}
    for pair in (p.strip() for p in text.split(",")):
        if not pair:
            continue
        movie, sep, rating = (part.strip() for part in pair.partition("="))
        if not sep or not movie or not rating:
            raise MovieRecError(f"--rate: {pair[:60]!r} is not MOVIE_ID=RATING (for example 318=4.5).")
        try:
            movie_id = parse_movie_id(movie)
            value = check_rating(movie_id, rating, scale)
        except MovieRecError as exc:
            raise MovieRecError(f"--rate: {pair[:60]!r}: {exc}") from None
        if movie_id in ratings:
            raise MovieRecError(f"--rate: {pair[:60]!r} rates movie {movie_id} twice.")
        ratings[movie_id] = value
    return ratings


def add_recommend(sub: argparse._SubParsersAction) -> None:
    """Register the ``recommend`` command."""
    p = sub.add_parser(
        "recommend",
        help="suggest movies for a person's ratings",
        description="Fold a person's ratings into a saved model and list the movies it predicts they will like.",
    )
    p.add_argument("--model", required=True, help="saved model name (see MOVIEREC_HOME/models) or path to a .pt file")
    p.add_argument("--rate", default="", help='ratings as MOVIE_ID=RATING pairs, e.g. "1=5,318=4.5,296=4"')
    p.add_argument(
        "--ratings", type=Path, help="a CSV file with the header movie_id,rating (merged with --rate, which wins)"
    )
    p.add_argument("--top", type=int, default=10, help="how many suggestions (default: 10)")
    p.add_argument(
        "--min-ratings", type=int, help="only suggest movies with at least this many training ratings (default: 10)"
    )
    p.add_argument(
        "--order",
        choices=["ranking", "rating"],
        default="ranking",
        help="ranking: what people with these ratings go on to watch and enjoy (default); rating: highest predicted rating first",
    )
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.set_defaults(handler=_recommend)


def _read_ratings(args: argparse.Namespace, scale: Any) -> dict[int, float]:
    from movierec.paths import open_regular
    from movierec.profiles.ratings_csv import MAX_CSV_BYTES, parse_ratings_csv

    rated = parse_rate(args.rate, scale)  # cheap, so checked before any file is read
    ratings: dict[int, float] = {}
    if args.ratings is not None:
        try:
            with open_regular(args.ratings, MAX_CSV_BYTES, "the file") as source:
                text = source.read(MAX_CSV_BYTES + 1).decode("utf-8")
        except MovieRecError as exc:
            raise MovieRecError(f"--ratings: {exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
            raise MovieRecError(f"--ratings: Cannot read {args.ratings} ({reason}).") from None
        try:
            ratings = parse_ratings_csv(text, scale)
        except MovieRecError as exc:
            raise MovieRecError(f"--ratings: {args.ratings}: {exc}") from None
    return {**ratings, **rated}


def _recommend(args: argparse.Namespace) -> int:
    from movierec.model.artifacts import load_model
    from movierec.suggest.recommend import Filters, recommend

    if not 1 <= args.top <= MAX_TOP:
        raise MovieRecError(f"--top must be at least 1 and at most {MAX_TOP} (got {str(args.top)[:30]}).")
    if args.min_ratings is not None and args.min_ratings < 0:
        raise MovieRecError(f"--min-ratings must be 0 or more (got {args.min_ratings}).")
    model = load_model(args.model)
    ratings = _read_ratings(args, model.rating_scale)
    filters = Filters() if args.min_ratings is None else Filters(min_ratings=args.min_ratings)
    result = recommend(model, ratings, top_n=args.top, filters=filters, order=args.order)
    rows = [
        {
            "movie_id": int(row.movie_id),
            "title": row.title,
            "year": None if row.year is None or row.year != row.year else int(row.year),
            "genres": list(row.genres),
            "n_ratings": int(row.n_ratings),
            "predicted": round(float(row.predicted), 3),
            "because": row.because,
            "reason": row.reason,
            "because_ids": [int(i) for i in row.because_ids],
        }
        for row in result.table.astype(object).where(result.table.notna(), None).itertuples()
    ]
    report = {
        "model": model.name,
        "dataset": model.dataset,
        "order": args.order if model.ranker else "rating",
        "popular": result.popular,
        "unknown": list(result.fold.unknown),
        "suggestions": rows,
    }
    print(to_json(report) if args.json else terminal_text(_as_text(report)))
    return 0


def _as_text(report: dict[str, Any]) -> str:
    lines = []
    if report["order"] == "ranking" and not report["popular"]:
        lines.append(ORDER_NOTE)
    if report["popular"]:
        lines.append("No rating of a movie this model knows: these are well-rated popular movies.")
    if report["unknown"]:
        lines.append(f"Not scored by this model (unknown movie ids): {', '.join(map(str, report['unknown']))}")
    for row in report["suggestions"]:
        because = f"  ({row['because']})" if row["because"] else ""
        lines.append(f"{row['predicted']:.2f}  {row['title']}{because}")
    if not report["suggestions"]:
        lines.append("No movie passes the filters; lower --min-ratings.")
    return "\n".join(lines)
