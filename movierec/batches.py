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
    the ratings of each run of ``mix`` batches are shuffled among them: each batch then holds about
    ``mix`` times more users, for ``mix`` times the implicit work.

    Args:
        users: the user row of every training rating.
        n_users: rows of the user table (users without ratings are skipped).
        generator: the source of randomness (on the device of ``users``).
        span: ratings shuffled together (``mix`` batches); 0 or 1 keeps users' ratings together.
    """

    def __init__(self, users: torch.Tensor, n_users: int, generator: torch.Generator, span: int = 0) -> None:
        self.generator, self.span = generator, span
        noise = torch.rand(len(users), generator=generator, device=users.device)
        within_user = torch.argsort(noise)
        # Stable sort by user of a shuffled order: each user's ratings end up together, in random order.
        self.by_user = within_user[torch.argsort(users[within_user], stable=True)]
        self.counts = torch.bincount(users, minlength=n_users)
        self.starts = torch.cumsum(self.counts, 0) - self.counts

    def epoch(self) -> torch.Tensor:
        """Positions into the training ratings for one epoch."""
        users = torch.randperm(len(self.counts), generator=self.generator, device=self.counts.device)
        counts = self.counts[users]
        offsets = torch.cumsum(counts, 0) - counts
        positions = torch.repeat_interleave(self.starts[users] - offsets, counts, output_size=len(self.by_user))
        positions += torch.arange(len(self.by_user), device=positions.device)
        order = self.by_user[positions]
        if self.span <= 1:
            return order
        whole = len(order) // self.span * self.span
        blocks = order[:whole].view(-1, self.span)
        shuffle = torch.rand(blocks.shape, generator=self.generator, device=order.device).argsort(dim=1)
        tail = order[whole:][torch.randperm(len(order) - whole, generator=self.generator, device=order.device)]
        return torch.cat([blocks.gather(1, shuffle).view(-1), tail])


class ShuffledOrder:
    """Epoch orders that are a fresh random permutation of all ratings."""

    def __init__(self, n_ratings: int, generator: torch.Generator, device: torch.device) -> None:
        self.n_ratings, self.generator, self.device = n_ratings, generator, device

    def epoch(self) -> torch.Tensor:
        """Positions into the training ratings for one epoch."""
        return torch.randperm(self.n_ratings, generator=self.generator, device=self.device)
