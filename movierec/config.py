"""Training configuration: one frozen dataclass and the named presets."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from movierec.errors import MovieRecError

DEVICES = ("auto", "cpu", "cuda")


@dataclass(frozen=True)
class TrainConfig:
    """Everything that shapes a training run; ``asdict()`` gives its JSON form."""

    n_factors: int = 150  # width of each user and movie embedding
    hidden: tuple[int, ...] = (500, 500, 500)  # sizes of the Linear+ReLU layers after the embeddings
    dropouts: tuple[float, ...] = (0.5, 0.5, 0.25)  # dropout after each hidden layer (same length as hidden)
    embedding_dropout: float = 0.05  # dropout on the concatenated embeddings
    use_bias: bool = False  # learn a bias per user and per movie, added before the sigmoid
    use_dot: bool = False  # add the user-movie dot product beside the MLP (NeuMF style)
    implicit: bool = False  # add to each user's vector the scaled sum of vectors of the movies they rated (SVD++)
    use_genres: bool = False  # add to each movie's vector and bias a learned part per genre it belongs to
    init_mean: bool = False  # start the output at the mean training rating instead of mid-scale
    lr: float = 1e-3  # Adam learning rate (peak of the cosine schedule)
    weight_decay: float = 1e-5  # Adam weight decay on every parameter
    batch_size: int = 2000  # ratings per optimisation step
    epochs: int = 100  # upper bound on epochs; early stopping usually ends sooner
    patience: int = 10  # epochs without a better validation RMSE before stopping
    restart_epochs: float = 2.0  # cosine annealing restart period in epochs; 0 keeps the lr constant
    test_size: float = 0.2  # share of all ratings held out for the final test
    valid_size: float = 0.05  # share of the remaining ratings used for early stopping
    refit: bool = False  # after early stopping, retrain on train+validation for the best epoch count
    seed: int = 1  # seeds the split, the initialisation and the batch order
    device: str = "auto"  # "auto" (CUDA when present), "cpu" or "cuda"

    def __post_init__(self) -> None:
        object.__setattr__(self, "hidden", tuple(int(h) for h in self.hidden))
        object.__setattr__(self, "dropouts", tuple(float(d) for d in self.dropouts))
        problems = validate(self)
        if problems:
            raise MovieRecError("Invalid training settings: " + "; ".join(problems.values()))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (tuples become lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TrainConfig:
        """Rebuild from :meth:`to_dict` output, ignoring keys this version does not know."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})

    def with_changes(self, **changes: Any) -> TrainConfig:
        """A copy with some fields replaced (validated again)."""
        return replace(self, **changes)


def validate(config: TrainConfig) -> dict[str, str]:
    """Problems with a configuration, keyed by field name; empty when it is valid."""
    c = config
    problems: dict[str, str] = {}
    if c.n_factors < 1:
        problems["n_factors"] = f"n_factors must be at least 1 (got {c.n_factors})"
    if len(c.hidden) != len(c.dropouts):
        problems["dropouts"] = (
            f"hidden has {len(c.hidden)} layers but dropouts has {len(c.dropouts)} values; give one dropout per layer"
        )
    if any(h < 1 for h in c.hidden):
        problems["hidden"] = f"hidden layer sizes must be positive (got {list(c.hidden)})"
    if any(not 0 <= d < 1 for d in c.dropouts):
        problems.setdefault("dropouts", f"dropouts must be in [0, 1) (got {list(c.dropouts)})")
    if not 0 <= c.embedding_dropout < 1:
        problems["embedding_dropout"] = f"embedding_dropout must be in [0, 1) (got {c.embedding_dropout})"
    if not c.lr > 0:
        problems["lr"] = f"lr must be positive (got {c.lr})"
    if c.weight_decay < 0:
        problems["weight_decay"] = f"weight_decay must not be negative (got {c.weight_decay})"
    if c.batch_size < 1:
        problems["batch_size"] = f"batch_size must be at least 1 (got {c.batch_size})"
    if c.epochs < 1:
        problems["epochs"] = f"epochs must be at least 1 (got {c.epochs})"
    if c.patience < 1:
        problems["patience"] = f"patience must be at least 1 (got {c.patience})"
    if c.restart_epochs < 0:
        problems["restart_epochs"] = f"restart_epochs must be 0 (no schedule) or positive (got {c.restart_epochs})"
    if not 0 < c.test_size < 1:
        problems["test_size"] = f"test_size must be between 0 and 1 (got {c.test_size})"
    if not 0 < c.valid_size < 1:
        problems["valid_size"] = f"valid_size must be between 0 and 1 (got {c.valid_size})"
    if c.device not in DEVICES:
        problems["device"] = f"device must be one of {', '.join(DEVICES)} (got {c.device!r})"
    return problems


# The article's run (ml-1m there): 150 factors, three 500-unit layers, cosine restarts every 2 epochs.
ARTICLE = TrainConfig()

# The project's default: the same family, with biases, a dot-product branch, implicit feedback and
# genre vectors, smaller and faster. Nothing here depends on one dataset: the output offset comes from
# the data, and every MovieLens variant lists genres.
DEFAULT = TrainConfig(
    n_factors=64,
    hidden=(128,),
    dropouts=(0.3,),
    embedding_dropout=0.05,
    use_bias=True,
    use_dot=True,
    implicit=True,
    use_genres=True,
    init_mean=True,
    lr=5e-3,
    weight_decay=1e-3,  # strong decay: without it the network overfits after a few epochs
    batch_size=4096,
    epochs=40,
    patience=3,
    restart_epochs=2.0,  # the best epochs fall at the ends of cycles, where the learning rate is lowest
)

PRESETS: dict[str, TrainConfig] = {"default": DEFAULT, "article": ARTICLE}


def preset(name: str) -> TrainConfig:
    """The named preset; an unknown name raises an error that lists the valid ones."""
    try:
        return PRESETS[name]
    except KeyError:
        raise MovieRecError(f"Unknown preset {name!r}; choose one of: {', '.join(PRESETS)}") from None
