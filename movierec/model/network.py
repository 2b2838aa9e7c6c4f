"""The embedding network of the article: embeddings -> MLP -> sigmoid in the rating range."""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from movierec.config import TrainConfig
from movierec.model.dropout import ByteDropout

EVAL_BATCH = 65536  # rows per forward pass when scoring without gradients


class EmbeddingNet(nn.Module):
    """Predicts a rating from a user row and a movie row.

    User and movie embeddings are concatenated, passed through dropout and a stack of
    Linear+ReLU(+Dropout) layers to one unit, optionally joined by per-user/per-movie biases and a
    dot-product branch, then squashed by a sigmoid into ``rating_range``.

    Args:
        n_users: rows of the user embedding table.
        n_movies: rows of the movie embedding table.
        n_factors: width of each embedding.
        hidden: sizes of the hidden layers.
        dropouts: dropout after each hidden layer (0 adds none).
        embedding_dropout: dropout on the concatenated embeddings.
        rating_range: (low, high) that the sigmoid is stretched over.
        use_bias: add a learned bias per user and per movie.
        use_dot: add the dot product of the two embeddings.
        implicit: learn a second movie table whose rows, summed over the movies a user rated and
            scaled by ``1/sqrt(count)``, are added to the user's vector (SVD++). The rated lists are
            attached with :meth:`set_rated` for training and folded into the user table by
            :meth:`bake`, which drops the second table: a trained network needs neither to predict.

    Genres work the same way: :meth:`set_genres` adds to each movie's vector (and bias) a learned
    vector per genre it belongs to, so a movie with few ratings starts from its genres; :meth:`bake`
    folds that part into the movie table.
    """

    # Buffers: moved by ``.to()`` with the module; only ``rating_range`` is saved in ``state_dict()``.
    rating_range: torch.Tensor  # (low, high)
    rated_indptr: torch.Tensor | None  # training only: user row u rated rated_movies[indptr[u]:indptr[u + 1]]
    rated_movies: torch.Tensor | None
    genres: torch.Tensor | None  # training only: (movie rows, genres), each row of unit length

    def __init__(
        self,
        n_users: int,
        n_movies: int,
        n_factors: int = 50,
        hidden: Sequence[int] = (10,),
        dropouts: Sequence[float] = (0.2,),
        embedding_dropout: float = 0.02,
        rating_range: tuple[float, float] = (0.5, 5.5),
        use_bias: bool = False,
        use_dot: bool = False,
        implicit: bool = False,
    ) -> None:
        super().__init__()
        self.u = nn.Embedding(n_users, n_factors)
        self.m = nn.Embedding(n_movies, n_factors)
        self.drop = ByteDropout(embedding_dropout)
        layers: list[nn.Module] = []
        n_in = 2 * n_factors
        for n_out, rate in zip(hidden, dropouts, strict=True):
            layers += [nn.Linear(n_in, n_out), nn.ReLU()]
            if rate > 0:
                layers.append(ByteDropout(rate))
            n_in = n_out
        self.hidden: nn.Sequential = nn.Sequential(*layers)
        self.fc = nn.Linear(n_in, 1)
        self.user_bias = nn.Embedding(n_users, 1) if use_bias else None
        self.movie_bias = nn.Embedding(n_movies, 1) if use_bias else None
        self.use_dot = use_dot
        self.y = nn.Embedding(n_movies, n_factors) if implicit else None
        for name in ("rated_indptr", "rated_movies", "genres"):
            self.register_buffer(name, None, persistent=False)
        self.genre_vectors: nn.Linear | None = None
        self.genre_bias: nn.Linear | None = None
        self.held: HeldImplicit | None = None  # set by hold_implicit() during training
        self.register_buffer("rating_range", torch.tensor(rating_range, dtype=torch.float32))
        self.initialise()

    def initialise(self, generator: torch.Generator | None = None) -> None:
        """The article's initialisation: small uniform embeddings, Xavier weights, biases at 0.01.

        With ``generator`` the draw depends on it alone, not on torch's global random state, so runs in
        other threads of the same process cannot change it.
        """
        self.u.weight.data.uniform_(-0.05, 0.05, generator=generator)
        self.m.weight.data.uniform_(-0.05, 0.05, generator=generator)
        for layer in [*self.hidden, self.fc]:
            if isinstance(layer, nn.Linear):
                nn.init.xavier_uniform_(layer.weight, generator=generator)
                layer.bias.data.fill_(0.01)
        for table in (self.user_bias, self.movie_bias, self.y):
            if table is not None:
                table.weight.data.zero_()

    @property
    def n_users(self) -> int:
        """Rows of the user table."""
        return self.u.num_embeddings

    @property
    def n_movies(self) -> int:
        """Rows of the movie table."""
        return self.m.num_embeddings

    @property
    def n_factors(self) -> int:
        """Width of each user and movie vector."""
        return self.u.embedding_dim

    @property
    def use_bias(self) -> bool:
        """Whether a learned bias per user and per movie is added."""
        return self.user_bias is not None

    @property
    def rating_bounds(self) -> tuple[float, float]:
        """The (low, high) the sigmoid spans.

        A range, not a ``RatingScale``: the step between allowed ratings belongs to the data, not the network.
        """
        low, high = self.rating_range.tolist()
        return low, high

    def user_table(self) -> torch.Tensor:
        """Every user row's vector, ``(n_users, n_factors)``, detached (it shares the weights' memory)."""
        return self.u.weight.detach()

    def movie_table(self) -> torch.Tensor:
        """Every movie row's vector, ``(n_movies, n_factors)``, detached (it shares the weights' memory)."""
        return self.m.weight.detach()

    def user_biases(self) -> torch.Tensor | None:
        """Every user row's bias, ``(n_users,)`` and detached; None without biases."""
        return None if self.user_bias is None else self.user_bias.weight.detach().squeeze(1)

    def movie_biases(self) -> torch.Tensor | None:
        """Every movie row's bias, ``(n_movies,)`` and detached; None without biases."""
        return None if self.movie_bias is None else self.movie_bias.weight.detach().squeeze(1)

    def average_user(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The average user row and the per-dimension spread of user rows around it.

        Both are laid out as one user's parameters: the vector, then the bias when there is one (see
        :meth:`split_user`).
        """
        biases = self.user_biases()
        tables = [self.user_table()] + ([] if biases is None else [biases.unsqueeze(1)])
        mean = torch.cat([table.mean(dim=0) for table in tables])
        users = torch.cat(tables, dim=1)
        # A spread floor keeps the prior usable for a network with a single (or untrained) user row.
        spread = users.std(dim=0).nan_to_num(0.0).clamp_min(1e-2) if len(users) > 1 else torch.full_like(mean, 1e-2)
        return mean, spread

    def split_user(self, parameters: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """One user's parameters, laid out as by :meth:`average_user`, as (vector, bias or None)."""
        return parameters[: self.n_factors], (parameters[self.n_factors] if self.use_bias else None)

    def init_output(self, mean_rating: float) -> None:
        """Start the output at ``mean_rating``: the constant of the logit becomes its inverse sigmoid.

        Biases and the dot product then only learn deviations from the mean, which they do faster.
        """
        low, high = self.rating_bounds
        share = min(max((mean_rating - low) / (high - low), 1e-3), 1 - 1e-3)
        self.fc.bias.data.fill_(float(torch.logit(torch.tensor(share))))

    def set_genres(self, genres: torch.Tensor) -> None:
        """Attach each movie row's genres (``(n_movies, n_genres)``, rows of unit length or zero) and
        start a vector and a bias per genre at zero."""
        device = self.m.weight.device
        self.genres = genres.to(device=device, dtype=torch.float32)
        self.genre_vectors = nn.Linear(genres.shape[1], self.m.embedding_dim, bias=False, device=device)
        self.genre_vectors.weight.data.zero_()
        if self.movie_bias is not None:
            self.genre_bias = nn.Linear(genres.shape[1], 1, bias=False, device=device)
            self.genre_bias.weight.data.zero_()

    def set_rated(self, indptr: torch.Tensor, movies: torch.Tensor) -> None:
        """Attach what each user rated (CSR: user row ``u`` rated ``movies[indptr[u]:indptr[u + 1]]``)."""
        if self.y is None:
            raise ValueError("set_rated needs a network built with implicit=True and not yet baked")
        self.rated_indptr = indptr.to(self.u.weight.device)
        self.rated_movies = movies.to(self.u.weight.device)

    def tables_by_ids(self) -> list[tuple[nn.Embedding, ...]]:
        """The embedding tables, grouped by the ids a batch looks them up with: each vector table with its bias."""
        groups = ((self.u, self.user_bias), (self.m, self.movie_bias), (self.y,))
        return [tuple(table for table in group if table is not None) for group in groups if group[0] is not None]

    @property
    def groups_by_user(self) -> bool:
        """Whether batches should hold few users: true while the implicit part is attached (see ``batches``)."""
        return self.rated_indptr is not None

    @torch.no_grad()
    def bake(self) -> None:
        """Fold the implicit part into the user table and the genre part into the movie table and biases.

        Predictions stay the same; afterwards the tables alone hold each user's and movie's full
        vector, which is what :meth:`score` and saved models expect. The implicit table is dropped even
        when no lists were attached, so a saved network never carries it.
        """
        if self.rated_indptr is not None:
            all_users = torch.arange(self.u.num_embeddings, device=self.u.weight.device)
            self.u.weight += self._implicit(all_users)
            self.rated_indptr = self.rated_movies = None
        self.y = None
        if self.genres is not None and self.genre_vectors is not None:
            self.m.weight += self.genre_vectors(self.genres)
            if self.genre_bias is not None and self.movie_bias is not None:
                self.movie_bias.weight += self.genre_bias(self.genres)
            self.genres = self.genre_vectors = self.genre_bias = None

    def _implicit(self, users: torch.Tensor) -> torch.Tensor:
        """``sum(y[rated movies]) / sqrt(count)`` for each of ``users`` (distinct rows)."""
        indptr, rated = self.rated_indptr, self.rated_movies
        assert indptr is not None and rated is not None and self.y is not None, (
            "only while the rated lists are attached"
        )
        starts, counts = indptr[users], indptr[users + 1] - indptr[users]
        offsets = torch.cumsum(counts, 0) - counts
        # Positions of every rated movie of every user, without a Python loop over users.
        positions = torch.repeat_interleave(starts - offsets, counts) + torch.arange(
            int(counts.sum()), device=users.device
        )
        bags = F.embedding_bag(
            rated[positions], self.y.weight, offsets.to(rated.dtype), mode="sum", sparse=self.y.sparse
        )
        return bags * counts.clamp(min=1).rsqrt().unsqueeze(1)

    def hold_implicit(self, users: torch.Tensor) -> None:
        """Compute the implicit part of ``users`` once, for several batches that draw on the same users.

        Until :meth:`release_implicit`, :meth:`user_vectors` reads these users' parts from the held copy,
        whose gradient accumulates over the batches; releasing passes it on to the ``y`` table at once.
        ``users`` must cover every user of those batches.
        """
        distinct = torch.unique(users)  # sorted, so the held rows are found by binary search
        self.held = HeldImplicit(distinct, self._implicit(distinct))

    def release_implicit(self, pass_gradient: bool = True) -> None:
        """Stop holding the implicit parts, first passing the gradient they gathered on to ``y``."""
        if self.held is not None and pass_gradient:
            self.held.backward()
        self.held = None

    def user_vectors(self, users: torch.Tensor) -> torch.Tensor:
        """The vectors :meth:`score` takes for user rows: the table row, plus the implicit part while attached."""
        vectors = self.u(users)
        if self.held is not None:
            return vectors + self.held.lookup(users)
        if self.rated_indptr is None:
            return vectors
        distinct, inverse = torch.unique(users, return_inverse=True)
        # index_select's gradient adds rows in a fixed order; indexing's (index_put with accumulate) did
        # not with two threads, so two runs with the same seed drifted apart.
        return vectors + self._implicit(distinct).index_select(0, inverse)

    def movie_parts(self, movies: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The vectors and biases :meth:`score` takes for movie rows: table rows, plus the genre part while attached."""
        vectors = self.m(movies)
        bias = self.movie_bias(movies).squeeze(1) if self.movie_bias is not None else None
        if self.genres is None or self.genre_vectors is None:
            return vectors, bias
        genres = self.genres.index_select(0, movies)  # once for both parts; indexing took four times longer
        if bias is not None and self.genre_bias is not None:
            bias = bias + self.genre_bias(genres).squeeze(1)
        return vectors + self.genre_vectors(genres), bias

    def forward(self, users: torch.Tensor, movies: torch.Tensor) -> torch.Tensor:
        """Ratings for pairs of user and movie rows, shape ``(batch,)``.

        On CPU each distinct user and movie of the batch is looked up, given its implicit and genre parts
        and multiplied by the first layer once (see :meth:`score`), not once per rating. On a GPU the rows
        are used as given: the multiply is cheap there, and finding the distinct rows would make every
        batch wait for the device.
        """
        pairs = None
        if users.device.type == "cpu":
            users, user_at = torch.unique(users, return_inverse=True)
            movies, movie_at = torch.unique(movies, return_inverse=True)
            pairs = (user_at, movie_at)
        user_bias = self.user_bias(users).squeeze(1) if self.user_bias is not None else None
        movie_vectors, movie_bias = self.movie_parts(movies)
        return self.score(self.user_vectors(users), movie_vectors, user_bias, movie_bias, pairs)

    def score(
        self,
        user_vectors: torch.Tensor,
        movie_vectors: torch.Tensor,
        user_bias: torch.Tensor | None = None,
        movie_bias: torch.Tensor | None = None,
        pairs: tuple[torch.Tensor, torch.Tensor] | None = None,
    ) -> torch.Tensor:
        """Ratings from embedding vectors directly (used for people who are not in the table).

        Without ``pairs``, row ``k`` of each argument belongs to rating ``k``. With ``pairs = (user_at,
        movie_at)``, the users' and the movies' arguments hold distinct rows and rating ``k`` pairs user
        ``user_at[k]`` with movie ``movie_at[k]``: unless the embedding dropout is active, the first
        layer then splits into a user half and a movie half, each applied to distinct rows only.
        """
        user_at, movie_at = pairs if pairs is not None else (None, None)
        logit = self._mlp(user_vectors, movie_vectors, user_at, movie_at)
        if self.use_dot:
            logit = logit + (_spread(user_vectors, user_at) * _spread(movie_vectors, movie_at)).sum(dim=1)
        if user_bias is not None:
            logit = logit + _spread(user_bias, user_at)
        if movie_bias is not None:
            logit = logit + _spread(movie_bias, movie_at)
        low, high = self.rating_range[0], self.rating_range[1]
        return low + (high - low) * torch.sigmoid(logit)

    def _mlp(
        self,
        user_vectors: torch.Tensor,
        movie_vectors: torch.Tensor,
        user_at: torch.Tensor | None,
        movie_at: torch.Tensor | None,
    ) -> torch.Tensor:
        """The Linear+ReLU stack and the output unit over each rating's concatenated vectors: one logit per rating."""
        first, *rest = [*self.hidden, self.fc]
        assert isinstance(first, nn.Linear)
        if user_at is None or movie_at is None or self.drop.active:
            features = torch.cat([_spread(user_vectors, user_at), _spread(movie_vectors, movie_at)], dim=1)
            x = first(self.drop(features))
        else:
            # W [u; m] + b = (W_u u + b) + W_m m: each half for the distinct rows only, then spread over the ratings.
            user_weight, movie_weight = first.weight.split([user_vectors.shape[1], movie_vectors.shape[1]], dim=1)
            x = _spread(F.linear(user_vectors, user_weight, first.bias), user_at) + _spread(
                F.linear(movie_vectors, movie_weight), movie_at
            )
        for layer in rest:
            x = layer(x)
        return x.squeeze(1)


def _spread(rows: torch.Tensor, at: torch.Tensor | None) -> torch.Tensor:
    """``rows`` repeated per rating (``rows[at]``); unchanged when ``at`` is None."""
    return rows if at is None else rows.index_select(0, at)


class HeldImplicit:
    """Implicit parts computed once for a set of users: a leaf that gathers their gradient, and its source."""

    def __init__(self, users: torch.Tensor, parts: torch.Tensor) -> None:
        self.users = users  # distinct and sorted
        self.parts = parts  # still attached to the ``y`` table
        self.leaf = parts.detach().requires_grad_(parts.requires_grad)

    def lookup(self, users: torch.Tensor) -> torch.Tensor:
        """The held parts of ``users`` (each must be among the held users)."""
        return self.leaf.index_select(0, torch.searchsorted(self.users, users))

    def backward(self) -> None:
        """Send the gradient gathered so far back through the sum over rated movies."""
        if self.leaf.grad is not None:
            self.parts.backward(self.leaf.grad)


def build_network(config: TrainConfig, n_users: int, n_movies: int, scale_min: float, scale_max: float) -> EmbeddingNet:
    """The network a config describes; the sigmoid spans half a star beyond each end of the scale, as in the article."""
    return EmbeddingNet(
        n_users,
        n_movies,
        n_factors=config.n_factors,
        hidden=config.hidden,
        dropouts=config.dropouts,
        embedding_dropout=config.embedding_dropout,
        rating_range=(scale_min - 0.5, scale_max + 0.5),
        use_bias=config.use_bias,
        use_dot=config.use_dot,
        implicit=config.implicit,
    )


@torch.inference_mode()  # callers only read the result: it never enters autograd
def predict_rows(network: nn.Module, users: torch.Tensor, movies: torch.Tensor) -> torch.Tensor:
    """Predictions for row pairs in large batches, in eval mode (the mode is restored)."""
    was_training = network.training
    network.eval()
    parts = [network(users[i : i + EVAL_BATCH], movies[i : i + EVAL_BATCH]) for i in range(0, len(users), EVAL_BATCH)]
    network.train(was_training)
    return torch.cat(parts) if parts else torch.empty(0, device=users.device)
