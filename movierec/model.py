"""The embedding network of the article: embeddings -> MLP -> sigmoid in the rating range."""
from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn


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
    """

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
    ) -> None:
        super().__init__()
        self.u = nn.Embedding(n_users, n_factors)
        self.m = nn.Embedding(n_movies, n_factors)
        self.drop = nn.Dropout(embedding_dropout)
        layers: list[nn.Module] = []
        n_in = 2 * n_factors
        for n_out, rate in zip(hidden, dropouts, strict=True):
            layers += [nn.Linear(n_in, n_out), nn.ReLU()]
            if rate > 0:
                layers.append(nn.Dropout(rate))
            n_in = n_out
        self.hidden = nn.Sequential(*layers)
        self.fc = nn.Linear(n_in, 1)
        self.user_bias = nn.Embedding(n_users, 1) if use_bias else None
        self.movie_bias = nn.Embedding(n_movies, 1) if use_bias else None
        self.use_dot = use_dot
        self.register_buffer("rating_range", torch.tensor(rating_range, dtype=torch.float32))
        self._init()

    def _init(self) -> None:
        """The article's initialisation: small uniform embeddings, Xavier weights, biases at 0.01."""
        self.u.weight.data.uniform_(-0.05, 0.05)
        self.m.weight.data.uniform_(-0.05, 0.05)
        for layer in [*self.hidden, self.fc]:
            if isinstance(layer, nn.Linear):
                nn.init.xavier_uniform_(layer.weight)
                layer.bias.data.fill_(0.01)
        for bias in (self.user_bias, self.movie_bias):
            if bias is not None:
                bias.weight.data.zero_()

    def forward(self, users: torch.Tensor, movies: torch.Tensor) -> torch.Tensor:
        """Ratings for pairs of user and movie rows, shape ``(batch,)``."""
        user_bias = self.user_bias(users).squeeze(1) if self.user_bias is not None else None
        movie_bias = self.movie_bias(movies).squeeze(1) if self.movie_bias is not None else None
        return self.score(self.u(users), self.m(movies), user_bias, movie_bias)

    def score(
        self,
        user_vectors: torch.Tensor,
        movie_vectors: torch.Tensor,
        user_bias: torch.Tensor | None = None,
        movie_bias: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Ratings from embedding vectors directly (used for people who are not in the table)."""
        features = self.drop(torch.cat([user_vectors, movie_vectors], dim=1))
        logit = self.fc(self.hidden(features)).squeeze(1)
        if self.use_dot:
            logit = logit + (user_vectors * movie_vectors).sum(dim=1)
        if user_bias is not None:
            logit = logit + user_bias
        if movie_bias is not None:
            logit = logit + movie_bias
        low, high = self.rating_range[0], self.rating_range[1]
        return low + (high - low) * torch.sigmoid(logit)
