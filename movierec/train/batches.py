"""The order in which an epoch visits the training ratings: shuffled, or shuffled users with their ratings together.

A network with an implicit part computes, for every distinct user in a batch, a sum over all the movies
that user rated. In a shuffled batch of a large release nearly every rating belongs to a different
user, so that sum cost about a hundred times the rating itself; when a batch holds the ratings of a few
dozen users, each user's sum is computed once and serves all of them.
"""

from __future__ import annotations

import torch


class UserGroupedOrder:
    """Epoch orders that keep each user's ratings together: users shuffled anew every epoch.

    Each user's ratings are shuffled once, at construction; an epoch then lays the users out in a fresh
    random order, so batch boundaries and neighbours change from epoch to epoch. With ``mix`` above 1,
    each run of ``mix`` batches is dealt out like cards (batch ``j`` of the run takes every ``mix``-th
    rating from the ``j``-th on): each batch then holds about ``mix`` times more users, and a user's
    ratings are spread over ``mix`` batches, for ``mix`` times the implicit work. Positions are int32,
    so an epoch's order of 25 million ratings takes 100 MB.

    Args:
        users: the user row of every training rating.
        n_users: rows of the user table (users without ratings are skipped).
        generator: the source of randomness (on the device of ``users``).
        batch_size: ratings per batch (only needed with ``mix``).
        mix: batches whose ratings are dealt out together; 1 keeps users' ratings together.
    """

    def __init__(
        self, users: torch.Tensor, n_users: int, generator: torch.Generator, batch_size: int = 1, mix: int = 1
    ) -> None:
        self.generator, self.batch_size, self.mix = generator, batch_size, mix
        shuffled = torch.randperm(len(users), generator=generator, device=users.device)
        # Stable sort by user of a shuffled order: each user's ratings end up together, in random order.
        self.by_user = shuffled[torch.argsort(users[shuffled], stable=True)].to(torch.int32)
        del shuffled
        self.counts = torch.bincount(users, minlength=n_users).to(torch.int32)
        self.starts = torch.cumsum(self.counts, 0, dtype=torch.int32) - self.counts

    @property
    def run_length(self) -> int:
        """Batches in a row that draw on the same users (1: no sharing to exploit): the runs dealt out together."""
        return max(1, self.mix)

    def epoch(self) -> torch.Tensor:
        """Positions into the training ratings for one epoch."""
        users = torch.randperm(len(self.counts), generator=self.generator, device=self.counts.device)
        counts = self.counts[users]
        offsets = torch.cumsum(counts, 0, dtype=torch.int32) - counts
        positions = torch.repeat_interleave(self.starts[users] - offsets, counts, output_size=len(self.by_user))
        positions += torch.arange(len(self.by_user), dtype=torch.int32, device=positions.device)
        order = self.by_user[positions]
        del positions
        span = self.batch_size * self.mix
        if self.mix <= 1 or len(order) < span:
            return order
        whole = len(order) // span * span
        dealt = order[:whole].view(-1, self.batch_size, self.mix).transpose(1, 2).reshape(-1)
        return torch.cat([dealt, order[whole:]])


class ShuffledOrder:
    """Epoch orders that are a fresh random permutation of all ratings."""

    def __init__(self, n_ratings: int, generator: torch.Generator, device: torch.device) -> None:
        self.n_ratings, self.generator, self.device = n_ratings, generator, device
        self.run_length = 1  # batches share no users to speak of

    def epoch(self) -> torch.Tensor:
        """Positions into the training ratings for one epoch."""
        return torch.randperm(self.n_ratings, generator=self.generator, device=self.device)
