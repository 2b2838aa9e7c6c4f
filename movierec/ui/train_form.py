"""The Train page's settings: presets, one widget per hyper-parameter, inline validation, the CUDA toggle."""
from __future__ import annotations

import dataclasses
from types import SimpleNamespace
from typing import Any

import streamlit as st
import torch

from movierec.config import PRESETS, TrainConfig, validate
from movierec.ui.state import keep_widget_values

PRESET_KEY = "train_preset"
CUDA_KEY = "train_cuda"

# Label and help per field, grouped as the page shows them; fields added to TrainConfig later still get
# a widget (under "Other", labelled with their name) so every hyper-parameter stays editable.
GROUPS: dict[str, dict[str, tuple[str, str]]] = {
    "Network": {
        "n_factors": ("Embedding factors", "Width of each user and movie embedding."),
        "hidden": ("Hidden layer sizes", "Comma-separated sizes of the Linear+ReLU layers, e.g. 500, 500, 500."),
        "dropouts": ("Dropout after each layer", "Comma-separated, one value in [0, 1) per hidden layer."),
        "embedding_dropout": ("Embedding dropout", "Dropout on the concatenated embeddings, in [0, 1)."),
        "use_bias": ("Per-user and per-movie bias", "Learn a bias for every user and movie."),
        "use_dot": ("Dot-product branch", "Add the user-movie dot product beside the layers (NeuMF style)."),
        "implicit": ("Implicit feedback (SVD++)", "Add what each user rated to their vector."),
        "use_genres": ("Genre vectors", "Add to each movie a learned vector per genre, so rarely rated movies start from their genres."),
        "init_mean": ("Start at the mean rating", "Initialise the output at the mean training rating."),
    },
    "Optimisation": {
        "lr": ("Learning rate", "Adam's peak learning rate."),
        "weight_decay": ("Weight decay", "Adam weight decay on every parameter."),
        "batch_size": ("Batch size", "Ratings per optimisation step."),
        "epochs": ("Maximum epochs", "Early stopping usually ends sooner."),
        "patience": ("Patience (epochs)", "Epochs without a better validation RMSE before stopping."),
        "restart_epochs": ("Restart period (epochs)", "Cosine annealing restarts every this many epochs; 0 keeps lr constant."),
        "refit": ("Refit on train + validation", "After early stopping, retrain on both for the best epoch count."),
    },
    "Data split": {
        "test_size": ("Test fraction", "Share of all ratings held out for the final test."),
        "valid_size": ("Validation fraction", "Share of the remaining ratings used for early stopping."),
        "seed": ("Random seed", "Seeds the split, the initialisation and the batch order."),
    },
}
FLOAT_STEPS = {"lr": 1e-4, "weight_decay": 1e-5, "restart_epochs": 0.5}
DEFAULTS = TrainConfig()
EDITABLE = tuple(f for f in dataclasses.fields(TrainConfig) if f.name != "device")  # device is the CUDA toggle


def _key(name: str) -> str:
    return f"train_{name}"


def _shown(value: Any) -> Any:
    return ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value) if isinstance(value, tuple) else value


def apply_preset() -> None:
    """Copy the chosen preset into every field (the preset picker's callback, and the first visit)."""
    preset = PRESETS[st.session_state[PRESET_KEY]]
    for f in EDITABLE:
        st.session_state[_key(f.name)] = _shown(getattr(preset, f.name))


def _parse(f: dataclasses.Field, raw: Any) -> Any:
    """A widget's value as the field's type; a ValueError's message is shown under the field."""
    if isinstance(getattr(DEFAULTS, f.name), tuple):
        number = int if f.name == "hidden" else float
        try:
            return tuple(number(part) for part in str(raw).replace(";", ",").split(",") if part.strip())
        except ValueError:
            kind = "whole numbers" if number is int else "numbers"
            raise ValueError(f"{GROUPS['Network'][f.name][0]} must be {kind} separated by commas (got {raw!r})") from None
    return raw


def _check() -> tuple[dict[str, Any], dict[str, str]]:
    """Parsed values and problems per field, from the widgets' current values."""
    values, problems = {}, {}
    for f in EDITABLE:
        try:
            values[f.name] = _parse(f, st.session_state[_key(f.name)])
        except ValueError as exc:
            problems[f.name] = str(exc)
            values[f.name] = getattr(DEFAULTS, f.name)  # lets the other fields still be checked
    # TrainConfig raises on the first invalid set; validate() only reads attributes, so a namespace
    # yields every field's message at once.
    checked = validate(SimpleNamespace(**values, device="cpu"))  # type: ignore[arg-type]
    return values, {**checked, **problems}


def _widget(f: dataclasses.Field, label: str, help: str, problem: str | None) -> None:
    kind = type(getattr(DEFAULTS, f.name))
    key = _key(f.name)
    if kind is bool:
        st.checkbox(label, key=key, help=help)
    elif kind is int:
        st.number_input(label, key=key, step=1, help=help)
    elif kind is float:
        st.number_input(label, key=key, step=FLOAT_STEPS.get(f.name, 0.01), format="%g", help=help)
    else:
        st.text_input(label, key=key, help=help)
    if problem:
        st.error(problem, icon="⚠️")


def settings() -> tuple[TrainConfig | None, str | None]:
    """Draw the settings; return the config (None while any field is invalid) and its preset name.

    The preset name is kept only when the settings still equal that preset (apart from the device).
    """
    keep_widget_values(PRESET_KEY, CUDA_KEY, *(_key(f.name) for f in EDITABLE))
    if PRESET_KEY not in st.session_state:
        st.session_state[PRESET_KEY] = "default"
        apply_preset()
    st.selectbox(
        "Preset", list(PRESETS), key=PRESET_KEY, on_change=apply_preset,
        format_func=lambda n: {"default": "Project default (fast)", "article": "The article's configuration"}.get(n, n),
        help="Fills every field below; edit any of them afterwards.",
    )
    values, problems = _check()
    known = {name for group in GROUPS.values() for name in group}
    groups = {**GROUPS, "Other": {f.name: (f.name, "") for f in EDITABLE if f.name not in known}}
    by_name = {f.name: f for f in EDITABLE}
    columns = st.columns(len([g for g in groups.values() if g]))
    for column, (title, entries) in zip(columns, ((t, e) for t, e in groups.items() if e)):
        with column:
            st.subheader(title)
            for name, (label, help) in entries.items():
                if name in by_name:
                    _widget(by_name[name], label, help, problems.get(name))
    device = device_toggle()
    if problems:
        st.error(f"Fix the {len(problems)} setting(s) marked above to start training.")
        return None, None
    config = TrainConfig(**values, device=device)
    chosen = st.session_state[PRESET_KEY]
    same = dataclasses.replace(config, device=PRESETS[chosen].device) == PRESETS[chosen]
    return config, chosen if same else None


def device_toggle() -> str:
    """The CUDA toggle, labelled with the GPU's name, or disabled with the reason; returns the device."""
    if torch.cuda.is_available():
        on = st.toggle(f"Train on CUDA: {torch.cuda.get_device_name(0)}", value=True, key=CUDA_KEY)
        return "cuda" if on else "cpu"
    if torch.version.cuda is None:
        reason = "this PyTorch build has no CUDA support (CPU-only wheel)"
    else:
        reason = "PyTorch sees no CUDA device (no NVIDIA GPU or driver here)"
    st.toggle("Train on CUDA", value=False, disabled=True, key=CUDA_KEY, help=f"Unavailable: {reason}.")
    st.caption(f"CUDA unavailable: {reason}. Training runs on the CPU.")
    return "cpu"
