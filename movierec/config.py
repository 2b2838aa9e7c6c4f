"""Training configuration: one frozen dataclass, the named presets, and what each setting means and accepts."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from functools import cache
from numbers import Integral, Real
from typing import Any, get_args, get_type_hints

from movierec.errors import MovieRecError

DEVICES = ("auto", "cpu", "cuda")


@dataclass(frozen=True)
class TrainConfig:
    """Everything that shapes a training run; ``asdict()`` gives its JSON form.

    What each field means, its label and the values it accepts are in :data:`SETTINGS`.
    """

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
        for f in fields(self):
            object.__setattr__(self, f.name, _plain(f.name, getattr(self, f.name)))
        problems = validate(self.values())
        if problems:
            raise MovieRecError("Invalid training settings: " + "; ".join(problems.values()))

    def values(self) -> dict[str, Any]:
        """Field values by name (tuples kept)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

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


@dataclass(frozen=True)
class Setting:
    """How one :class:`TrainConfig` field is shown to people and which values it accepts.

    Numeric bounds apply to the value, or to each entry of a list; ``None`` leaves that side open.
    """

    label: str  # the Train form's label
    help: str  # one sentence for the form's tooltip and ``train --help``
    group: str  # the Train form's column
    low: float | None = None
    high: float | None = None
    low_open: bool = False  # ``low`` itself is refused (a learning rate of 0 learns nothing)
    high_open: bool = False  # ``high`` itself is refused (a dropout of 1 drops everything)
    max_items: int | None = None  # longest accepted list
    flag: str | None = None  # the CLI flag where it is not the field name with dashes
    step: float | None = None  # the form's +/- step for a float

    def range_text(self) -> str:
        """The accepted values for people, e.g. ``"in [0, 1)"`` or ``"from 1 to 1024"``; empty when unbounded."""
        if self.low is None or self.high is None:
            return ""
        if self.low_open and self.high_open:
            return f"between {_number(self.low)} and {_number(self.high)}"
        if self.low_open or self.high_open:
            return f"in {'(' if self.low_open else '['}{_number(self.low)}, {_number(self.high)}{')' if self.high_open else ']'}"
        return f"from {_number(self.low)} to {_number(self.high)}"


def _number(value: float) -> str:
    """A bound for people: whole numbers in full (1048576, not 1.04858e+06), others as ``:g``."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


NETWORK, OPTIMISATION, SPLIT = "Network", "Optimisation", "Data split"
MAX_SEED = 2**32 - 1  # numpy's and torch's generators both take any seed up to here
# Upper bounds are far above any sensible run; they stop a typing slip (an extra zero or three) from
# allocating gigabytes before the data-size check (sizing.training_bytes) even gets a say.
SETTINGS: dict[str, Setting] = {
    "n_factors": Setting("Embedding factors", "Width of each user and movie embedding.", NETWORK, 1, 1024),
    "hidden": Setting(
        "Hidden layer sizes",
        "Sizes of the Linear+ReLU layers after the embeddings, comma-separated (e.g. 500,500,500).",
        NETWORK,
        1,
        8192,
        max_items=16,
    ),
    "dropouts": Setting(
        "Dropout after each layer",
        "Dropout after each hidden layer, comma-separated, one per layer (e.g. 0.5,0.5,0.25).",
        NETWORK,
        0,
        1,
        high_open=True,
    ),
    "embedding_dropout": Setting(
        "Embedding dropout", "Dropout on the concatenated embeddings.", NETWORK, 0, 1, high_open=True
    ),
    "use_bias": Setting("Per-user and per-movie bias", "Learn a bias for every user and movie.", NETWORK, flag="bias"),
    "use_dot": Setting(
        "Dot-product branch", "Add the user-movie dot product beside the layers (NeuMF style).", NETWORK, flag="dot"
    ),
    "implicit": Setting("Implicit feedback (SVD++)", "Add what each user rated to their vector.", NETWORK),
    "use_genres": Setting(
        "Genre vectors",
        "Add to each movie a learned vector per genre, so rarely rated movies start from their genres.",
        NETWORK,
        flag="genres",
    ),
    "init_mean": Setting("Start at the mean rating", "Initialise the output at the mean training rating.", NETWORK),
    "lr": Setting(
        "Learning rate",
        "Adam's peak learning rate (top of the cosine schedule).",
        OPTIMISATION,
        0,
        1,
        low_open=True,
        step=1e-4,
    ),
    "weight_decay": Setting("Weight decay", "Adam weight decay on every parameter.", OPTIMISATION, 0, 1, step=1e-5),
    "batch_size": Setting("Batch size", "Ratings per optimisation step.", OPTIMISATION, 1, 2**20),
    "epochs": Setting(
        "Maximum epochs", "Upper bound on epochs; early stopping usually ends sooner.", OPTIMISATION, 1, 10_000
    ),
    "patience": Setting(
        "Patience (epochs)", "Epochs without a better validation RMSE before stopping.", OPTIMISATION, 1, 10_000
    ),
    "restart_epochs": Setting(
        "Restart period (epochs)",
        "Cosine annealing restarts every this many epochs; 0 keeps the learning rate constant.",
        OPTIMISATION,
        0,
        10_000,
        step=0.5,
    ),
    "refit": Setting(
        "Refit on train + validation", "After early stopping, retrain on both for the best epoch count.", OPTIMISATION
    ),
    "test_size": Setting("Test fraction", "Share of all ratings held out for the final test.", SPLIT, 0, 1, True, True),
    "valid_size": Setting(
        "Validation fraction", "Share of the remaining ratings used for early stopping.", SPLIT, 0, 1, True, True
    ),
    "seed": Setting("Random seed", "Seeds the split, the initialisation and the batch order.", SPLIT, 0, MAX_SEED),
    "device": Setting("Device", "Where to train: auto (CUDA when present), cpu or cuda.", OPTIMISATION),
}


@cache
def _hints() -> dict[str, Any]:
    return get_type_hints(TrainConfig)


def field_type(name: str) -> type:
    """The type of a :class:`TrainConfig` field, or of each entry for a list field (``hidden`` -> ``int``)."""
    hint = _hints()[name]
    return get_args(hint)[0] if get_args(hint) else hint


def is_list(name: str) -> bool:
    """Whether the field holds a list of numbers (``hidden``, ``dropouts``)."""
    return bool(get_args(_hints()[name]))


def parse_list(name: str, text: str) -> tuple[Any, ...]:
    """A comma-separated list typed for field ``name``; a ValueError says what was expected."""
    number = field_type(name)
    try:
        return tuple(number(part) for part in str(text).replace(";", ",").split(",") if part.strip())
    except ValueError:
        kind = "whole numbers" if number is int else "numbers"
        raise ValueError(f"{name} must be {kind} separated by commas (got {text!r})") from None


def _plain(name: str, value: Any) -> Any:
    """Lists as tuples and numpy numbers as Python ones (so the config stays JSON-ready); anything else as given."""
    if is_list(name) and isinstance(value, list | tuple):
        return tuple(_plain_number(v, field_type(name)) for v in value)
    return _plain_number(value, field_type(name))


def _plain_number(value: Any, kind: type) -> Any:
    if isinstance(value, bool) or kind is bool:
        return value
    if isinstance(value, Integral):
        return int(value) if kind is int else float(value)
    return float(value) if kind is float and isinstance(value, Real) else value


def _number_rule(value: Any, setting: Setting, kind: type) -> str | None:
    """What ``value`` fails to be (``"a whole number"``, ``"at least 1"``, ...), or None when it is accepted."""
    whole = kind is int
    if isinstance(value, bool) or not isinstance(value, Integral if whole else Real):
        return "a whole number" if whole else "a number"
    number: float = int(value) if isinstance(value, Integral) else float(value)  # an int may be too large for a float
    if not isinstance(number, Integral) and not math.isfinite(number):
        return "a finite number"
    low, high = setting.low, setting.high
    too_low = low is not None and (number <= low if setting.low_open else number < low)
    too_high = high is not None and (number >= high if setting.high_open else number > high)
    if (too_low or too_high) and (setting.low_open or setting.high_open):
        return setting.range_text()
    if too_low and low is not None:
        return f"at least {_number(low)}"
    if too_high and high is not None:
        return f"at most {_number(high)}"
    return None


def shown_value(value: Any, joiner: str = ",") -> str:
    """A setting's value as a person reads it: ``on``/``off``, numbers short (``0.001``, ``1e-05``), lists joined.

    The inverse of :func:`parse_list` for lists; a whole number too long to read is named by its length instead.
    """
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, tuple | list):
        return joiner.join(shown_value(v) for v in value)
    if isinstance(value, Integral):
        digits = str(value)
        return digits if len(digits) <= 20 else f"a {len(digits)}-digit number"
    return f"{value:g}" if isinstance(value, Real) else str(value)


def _got(value: Any) -> str:
    """A refused value in an error message: lists in brackets, anything that is not a number as Python writes it."""
    if isinstance(value, tuple):
        return "[" + ", ".join(_got(v) for v in value) + "]"
    return repr(value) if isinstance(value, bool) or not isinstance(value, Real) else shown_value(value)


def _problem(name: str, value: Any) -> str | None:
    """Why ``value`` is refused for field ``name`` on its own, or None."""
    setting, kind = SETTINGS[name], field_type(name)
    if name == "device":
        return None if value in DEVICES else f"device must be one of {', '.join(DEVICES)} (got {value!r})"
    if kind is bool:
        return None if isinstance(value, bool) else f"{name} must be true or false (got {value!r})"
    if not is_list(name):
        rule = _number_rule(value, setting, kind)
        return f"{name} must be {rule} (got {_got(value)})" if rule else None
    if not isinstance(value, tuple):
        return f"{name} must be a list of numbers (got {value!r})"
    if setting.max_items is not None and len(value) > setting.max_items:
        return f"{name} may hold at most {setting.max_items} values (got {len(value)})"
    rule = next((r for r in (_number_rule(v, setting, kind) for v in value) if r), None)
    return f"every value of {name} must be {rule} (got {_got(value)})" if rule else None


def validate(values: Mapping[str, Any]) -> dict[str, str]:
    """Problems with a set of field values, keyed by field name; empty when they make a valid config.

    Shared by :class:`TrainConfig`, the ``train`` command and the Train form, so the same input is
    refused with the same words everywhere.
    """
    problems = {name: problem for name in SETTINGS if (problem := _problem(name, values[name]))}
    if "hidden" not in problems and "dropouts" not in problems and len(values["hidden"]) != len(values["dropouts"]):
        problems["dropouts"] = (
            f"hidden has {len(values['hidden'])} layers but dropouts has {len(values['dropouts'])} values; "
            "give one dropout per layer"
        )
    return problems


# The article's run (ml-1m there): 150 factors, three 500-unit layers, cosine restarts every 2 epochs.
ARTICLE = TrainConfig()

# The project's default: the same family, with biases, a dot-product branch, implicit feedback and
# genre vectors, smaller and faster. Nothing here depends on one dataset: the output offset comes from
# the data, and every MovieLens variant lists genres.
DEFAULT = TrainConfig(
    n_factors=64,
    # 64 units, not 128: as accurate on the bundled data, and faster per epoch at the large releases
    # (README, "How it is measured").
    hidden=(64,),
    dropouts=(0.3,),
    # No embedding dropout: it did not change the accuracy, and without it the first layer multiplies each
    # distinct user and movie of a batch once (EmbeddingNet.score), which makes batches faster at the large
    # releases (README, "How it is measured").
    embedding_dropout=0.0,
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

# A plain biased matrix factorisation inside the same network family and fit(): no hidden layer,
# no dropout, only biases and the dot product (the linear output layer on the embeddings stays).
BIASED_MF = TrainConfig(
    n_factors=64,
    hidden=(),
    dropouts=(),
    embedding_dropout=0.0,
    use_bias=True,
    use_dot=True,
    init_mean=True,
    lr=3e-3,
    weight_decay=1e-3,
    batch_size=4096,
    epochs=40,
    patience=4,
)
PRESETS: dict[str, TrainConfig] = {"default": DEFAULT, "article": ARTICLE}


def preset(name: str) -> TrainConfig:
    """The named preset; an unknown name raises an error that lists the valid ones."""
    try:
        return PRESETS[name]
    except KeyError:
        raise MovieRecError(f"Unknown preset {name!r}; choose one of: {', '.join(PRESETS)}") from None
