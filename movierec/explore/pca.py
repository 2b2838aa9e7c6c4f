"""PCA of the movie embeddings: projection, genre correlations, component labels and orientation.

The article's bonus: reduce the movie embedding table with PCA and read each component from the movies
at its two ends; its first component read as "seriousness" (dramas at one end; comedies, animation and
children's films at the other). Here that reading is measured: each component is correlated with every
genre, named after the genres at its ends, scored by how well it separates dramas from light films
(ROC AUC), and oriented so that the serious end is positive in every run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import rankdata
from sklearn.decomposition import PCA
from threadpoolctl import threadpool_limits

from movierec.data.frames import NO_GENRES
from movierec.errors import MovieRecError
from movierec.model.artifacts import MOVIE_COLUMNS, TrainedModel

SERIOUS_GENRES = ("Drama",)
LIGHT_GENRES = ("Comedy", "Animation", "Children")
MIN_MOVIES = 3  # PCA of two components needs at least three points to say anything
MIN_GENRE_MOVIES = 5  # genres rarer than this give correlations too noisy to name a component after
LABEL_MIN_CORRELATION = 0.1  # weaker correlations do not name an end


@dataclass(frozen=True)
class Projection:
    """The PCA of a set of movie embeddings and what each component means.

    Attributes:
        table: one row per movie, most rated first: ``movie_id, title, year, genres, n_ratings,
            mean_rating, main_genre, pc1 … pck``.
        explained_variance: share of the embedding variance each component explains, shape ``(k,)``.
        correlations: Pearson correlation of each component (columns ``pc1 …``) with each genre
            indicator (index: genre names, most frequent first).
        end_names: per component, the genres that name its low (negative) and its high (positive) end,
            e.g. ``("Comedy, Children", "Drama, War")``.
        separation: ROC AUC per component for "drama, not light" (positive) against "comedy/animation/
            children, not drama"; NaN where the movies lack one of the two groups.
        requested: the number of movies asked for (``table`` has fewer when the model knows fewer).
    """

    table: pd.DataFrame
    explained_variance: np.ndarray
    correlations: pd.DataFrame
    end_names: list[tuple[str, str]]
    separation: np.ndarray
    requested: int

    @property
    def components(self) -> list[str]:
        """Component column names, ``["pc1", "pc2", …]``."""
        return list(self.correlations.columns)

    @property
    def labels(self) -> list[str]:
        """A short name per component, low end first as the map reads (left to right, bottom to top)."""
        return [f"{low} ↔ {high}" for low, high in self.end_names]

    @property
    def best_component(self) -> str | None:
        """The component that best separates dramas from light films, or None when that cannot be measured."""
        if np.isnan(self.separation).all():
            return None
        return self.components[int(np.nanargmax(self.separation))]

    def ends(self, component: str, n: int = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The ``n`` movies with the highest and the ``n`` with the lowest scores on ``component``.

        Returns:
            ``(positive end, negative end)``, each ordered from the extreme inwards.
        """
        if component not in self.components:
            raise MovieRecError(f"Unknown component {component!r}; choose one of {', '.join(self.components)}.")
        ranked = self.table.sort_values([component, "movie_id"], ascending=[False, True], kind="stable")
        n = min(n, len(ranked) // 2)
        return ranked.head(n), ranked.tail(n).iloc[::-1]


def project_pca(
    model: TrainedModel,
    movies: pd.DataFrame | None = None,
    top_n: int = 1000,
    n_components: int = 5,
    min_ratings: int = 1,
) -> Projection:
    """PCA of the embeddings of the ``top_n`` most rated movies, oriented and labelled.

    Args:
        model: a trained model; its movie table (``network.movie_table()``) is projected.
        movies: the candidate movies (columns of :data:`MOVIE_COLUMNS`); default: the model's own table.
            Movies the model was not trained on are left out.
        top_n: how many of the most rated candidates to project (ties broken by movie id).
        n_components: components to keep (capped by the number of movies and the embedding width).
        min_ratings: leave out movies with fewer training ratings than this, whose vectors are mostly
            their random initialisation.

    Returns:
        The :class:`Projection`.

    Raises:
        MovieRecError: fewer than three movies qualify, or ``top_n``/``n_components`` is not positive.
    """
    if top_n < 1 or n_components < 1:
        raise MovieRecError(f"top_n and n_components must be positive (got {top_n} and {n_components}).")
    chosen = select_movies(model, model.movies if movies is None else movies, top_n, min_ratings)
    vectors = movie_vectors(model, chosen["movie_id"])
    k = min(n_components, len(chosen) - 1, vectors.shape[1])
    # The eigendecomposition of the small covariance matrix is exact and deterministic (the randomized
    # solver would vary with its seed) and, for many movies and few factors, far faster than a full SVD.
    # One BLAS thread: a matrix this small gains nothing from threads, and busy-waiting threads
    # made it 100x slower on a loaded two-core machine.
    with threadpool_limits(limits=1, user_api="blas"):
        pca = PCA(n_components=k, svd_solver="covariance_eigh").fit(vectors)
        scores = pca.transform(vectors)
    indicators = genre_matrix(chosen["genres"])
    labels = seriousness_labels(indicators)
    scores *= orientation_signs(scores, labels, chosen["mean_rating"].to_numpy(float))
    names = [f"pc{i + 1}" for i in range(k)]
    table = chosen.assign(main_genre=main_genres(chosen["genres"], indicators))
    table = pd.concat([table, pd.DataFrame(scores, columns=names, index=table.index)], axis=1)
    frequent = indicators.loc[:, indicators.sum() >= min(MIN_GENRE_MOVIES, len(chosen) // 2)]
    correlations = genre_correlations(scores, frequent).set_axis(names, axis=1)
    return Projection(
        table=table,
        explained_variance=pca.explained_variance_ratio_,
        correlations=correlations,
        end_names=[component_ends(correlations[name]) for name in names],
        separation=np.array([separation_auc(column, labels) for column in scores.T]),
        requested=top_n,
    )


def movie_vectors(model: TrainedModel, movie_ids: pd.Series | np.ndarray) -> np.ndarray:
    """The vectors the network uses for these movies (genre parts included), as float64 rows in the given order."""
    return model.network.movie_table().cpu().double().numpy()[model.movie_index.rows(movie_ids)]


def select_movies(model: TrainedModel, movies: pd.DataFrame, top_n: int, min_ratings: int = 1) -> pd.DataFrame:
    """The ``top_n`` most rated of ``movies`` that the model knows, most rated first, with a fresh index."""
    missing = [c for c in MOVIE_COLUMNS if c not in movies.columns]
    if missing:
        raise MovieRecError(f"The movie table lacks the column(s) {', '.join(missing)}.")
    known = movies[(model.movie_index.rows(movies["movie_id"]) >= 0) & (movies["n_ratings"] >= min_ratings)]
    chosen = known.sort_values(["n_ratings", "movie_id"], ascending=[False, True], kind="stable").head(top_n)
    if len(chosen) < MIN_MOVIES:
        raise MovieRecError(
            f"Only {len(chosen)} movie(s) have at least {min_ratings} rating(s) in this model; "
            f"a projection needs {MIN_MOVIES} or more. Train on more data or lower the minimum."
        )
    return chosen.loc[:, list(MOVIE_COLUMNS)].reset_index(drop=True)


def genre_matrix(genres: pd.Series) -> pd.DataFrame:
    """0/1 columns, one per genre that occurs (most frequent first, then by name); "no genres" is no genre.

    The same table as :func:`movierec.data.frames.genre_indicators`, built without a Python loop per
    movie, which took seconds at ml-32m's 87,585 movies.
    """
    lengths = genres.map(len).to_numpy()
    rows = np.repeat(np.arange(len(genres)), lengths)
    names = np.array([g for movie_genres in genres for g in movie_genres], dtype=object)
    keep = (names != "") & (names != NO_GENRES)
    codes, uniques = pd.factorize(pd.Series(names[keep], dtype=object))
    matrix = np.zeros((len(genres), len(uniques)), dtype=np.int64)
    matrix[rows[keep], codes] = 1
    counts = matrix.sum(axis=0)
    order = sorted(range(len(uniques)), key=lambda i: (-counts[i], uniques[i]))
    return pd.DataFrame(matrix[:, order], columns=[uniques[i] for i in order], index=genres.index)


def genre_correlations(scores: np.ndarray, indicators: pd.DataFrame) -> pd.DataFrame:
    """Pearson correlation of each score column with each genre indicator (genres as rows).

    A genre that every movie has, or none, has no defined correlation and gets 0.
    """
    x = scores - scores.mean(axis=0)
    g = indicators.to_numpy(float)
    g = g - g.mean(axis=0)
    norms = np.outer(np.linalg.norm(g, axis=0), np.linalg.norm(x, axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(norms > 0, (g.T @ x) / norms, 0.0)
    return pd.DataFrame(r, index=indicators.columns)


def component_ends(correlations: pd.Series, per_end: int = 2) -> tuple[str, str]:
    """Names for a component's two ends from the genres most correlated with each, low (negative) end first.

    Args:
        correlations: one component's correlation per genre (index: genre names).
        per_end: how many genres name each end.

    Returns:
        For example ``("Comedy, Children", "Drama, War")``; an end with no clear genre reads "mixed".
    """
    low = correlations[correlations <= -LABEL_MIN_CORRELATION].sort_values()
    high = correlations[correlations >= LABEL_MIN_CORRELATION].sort_values(ascending=False)
    low_name, high_name = (", ".join(side.index[:per_end]) or "mixed" for side in (low, high))
    return low_name, high_name


def main_genres(genres: pd.Series, indicators: pd.DataFrame) -> list[str]:
    """Each movie's most specific genre: the one of its genres that is rarest among these movies.

    MovieLens lists genres alphabetically, so the first one says nothing; and Drama or Comedy sit on half
    of all movies, so the rarest (Animation, War, Horror, …) tells most about a film. Ties go to the name.
    """
    frequency = indicators.sum()
    rarest_first = sorted(indicators.columns, key=lambda g: (frequency[g], g))
    matrix = indicators[rarest_first].to_numpy()
    names = np.array([*rarest_first, "(none)"], dtype=object)
    first = np.where(matrix.any(axis=1), matrix.argmax(axis=1), len(rarest_first))  # argmax: the first 1
    return list(names[first])


def seriousness_labels(indicators: pd.DataFrame) -> np.ndarray:
    """1 for "drama, not light", 0 for "comedy/animation/children, not drama", -1 for everything else."""
    serious = indicators.reindex(columns=list(SERIOUS_GENRES), fill_value=0).to_numpy().any(axis=1)
    light = indicators.reindex(columns=list(LIGHT_GENRES), fill_value=0).to_numpy().any(axis=1)
    return np.where(serious != light, serious.astype(int), -1)


def separation_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """ROC AUC of ``scores`` for dramas (label 1) against light films (label 0); NaN without both groups.

    0.5 is chance, 1.0 puts every drama above every light film, below 0.5 the order is reversed.
    """
    known = labels >= 0
    positive = labels[known] == 1
    n_positive, n_negative = int(positive.sum()), int((~positive).sum())
    if n_positive == 0 or n_negative == 0:
        return float("nan")
    # The Mann-Whitney form of the AUC (ties count half), without roc_auc_score's per-call checks.
    ranks = rankdata(scores[known])
    return float((ranks[positive].sum() - n_positive * (n_positive + 1) / 2) / (n_positive * n_negative))


def orientation_signs(scores: np.ndarray, labels: np.ndarray, mean_ratings: np.ndarray) -> np.ndarray:
    """+1 or -1 per component, so that the serious end is positive whatever sign the SVD picked.

    Dramas above light films decides; where the genres cannot decide (no dramas or no light films, or a
    tie), a positive correlation with the mean rating does; failing that, the largest score is positive.
    """
    signs = np.ones(scores.shape[1])
    for i, column in enumerate(scores.T):
        auc = separation_auc(column, labels)
        if not np.isnan(auc) and auc != 0.5:
            signs[i] = 1.0 if auc > 0.5 else -1.0
            continue
        centred = mean_ratings - mean_ratings.mean()
        tilt = float(centred @ (column - column.mean()))
        if tilt == 0.0:
            tilt = column[np.argmax(np.abs(column))]
        signs[i] = 1.0 if tilt >= 0 else -1.0
    return signs


def describe_separation(auc: float, component: str, toward: str = "the serious end") -> str:
    """One sentence for a non-specialist on how well ``component`` tells dramas from light films.

    Args:
        auc: the :func:`separation_auc` of the component (or of any axis).
        component: the axis's name as the page shows it.
        toward: the end that high scores lie toward, in words.
    """
    if np.isnan(auc):
        return (
            f"{component}: these movies lack dramas or comedies/animation/children's films, "
            "so the drama-versus-light split cannot be measured."
        )
    strength = "clearly" if auc >= 0.8 else "fairly well" if auc >= 0.7 else "weakly" if auc >= 0.6 else "hardly"
    if auc < 0.5:  # the order is reversed: say how well it separates, with dramas at the other end
        strength = "clearly" if auc <= 0.2 else "fairly well" if auc <= 0.3 else "weakly" if auc <= 0.4 else "hardly"
    return (
        f"{component} {strength} separates dramas from comedies, animation and children's films: "
        f"pick one of each at random and the drama lies further toward {toward} {auc:.0%} of the time "
        "(50% would be a coin toss, 100% or 0% a perfect split)."
    )
