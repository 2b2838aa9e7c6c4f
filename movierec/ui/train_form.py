"""The Train page's settings: presets, one widget per hyper-parameter, inline validation, the CUDA toggle."""

from __future__ import annotations

import dataclasses
from typing import Any

import streamlit as st
import torch

from movierec.config import PRESETS, SETTINGS, TrainConfig, field_type, is_list, parse_list, shown_value, validate
from movierec.data import Dataset
from movierec.train.sizing import validate_for_data
from movierec.ui import cache
from movierec.ui.choices import offered
from movierec.ui.keys import keep_widget_values

PRESET_KEY = "train_preset"
CUDA_KEY = "train_cuda"
EDITABLE = tuple(name for name in SETTINGS if name != "device")  # the device is the CUDA toggle
GROUPS = tuple(dict.fromkeys(SETTINGS[name].group for name in EDITABLE))  # the form's columns, in table order
PRESET_LABELS = {"default": "Project default (fast)", "article": "The article's configuration"}


def _key(name: str) -> str:
    return f"train_{name}"


def chosen_preset() -> str:
    """The preset picker's choice (the default preset when the picker hands back something it did not offer)."""
    return offered(st.session_state.get(PRESET_KEY), PRESETS, "default")


def apply_preset() -> None:
    """Copy the chosen preset into every field (the preset picker's callback, and the first visit)."""
    preset = PRESETS[chosen_preset()]
    for name in EDITABLE:
        value = getattr(preset, name)  # a list goes into a text field, as the text that parses back to it
        st.session_state[_key(name)] = shown_value(value, ", ") if is_list(name) else value


def _check(dataset: Dataset) -> tuple[dict[str, Any], dict[str, str]]:
    """Parsed values and problems per field, from the widgets' current values, on ``dataset``'s size."""
    values: dict[str, Any] = {"device": "cpu"}
    problems: dict[str, str] = {}
    for name in EDITABLE:
        raw = st.session_state[_key(name)]
        try:
            values[name] = parse_list(name, raw) if is_list(name) else raw
        except ValueError as exc:
            problems[name] = str(exc)
            values[name] = getattr(TrainConfig(), name)  # lets the other fields still be checked
    problems = {**validate(values), **problems}
    if not problems:
        n_users = len(cache.rating_counts(dataset.fingerprint, dataset)[0])
        problems = validate_for_data(TrainConfig(**values), dataset.n_ratings, n_users, dataset.n_movies)
    del values["device"]
    return values, problems


def _widget(name: str, problem: str | None) -> None:
    setting, kind, key = SETTINGS[name], field_type(name), _key(name)
    help_text = f"{setting.help} Accepted: {setting.range_text()}." if setting.range_text() else setting.help
    if is_list(name):
        st.text_input(setting.label, key=key, help=help_text)
    elif kind is bool:
        st.checkbox(setting.label, key=key, help=help_text)
    elif kind is int:
        st.number_input(setting.label, key=key, step=1, help=help_text)
    else:
        st.number_input(setting.label, key=key, step=setting.step or 0.01, format="%g", help=help_text)
    if problem:
        st.error(problem, icon="⚠️")


def settings(dataset: Dataset) -> tuple[TrainConfig | None, str | None]:
    """Draw the settings; return the config (None while any field is invalid for ``dataset``) and its preset name.

    The preset name is kept only when the settings still equal that preset (apart from the device).
    """
    keep_widget_values(PRESET_KEY, CUDA_KEY, *(_key(name) for name in EDITABLE))
    if PRESET_KEY not in st.session_state:
        st.session_state[PRESET_KEY] = "default"
        apply_preset()
    st.selectbox(
        "Preset",
        list(PRESETS),
        key=PRESET_KEY,
        on_change=apply_preset,
        format_func=lambda n: PRESET_LABELS.get(n, n),
        help="Fills every field below; edit any of them afterwards.",
    )
    values, problems = _check(dataset)
    for column, group in zip(st.columns(len(GROUPS)), GROUPS, strict=True):
        with column:
            st.subheader(group)
            for name in (n for n in EDITABLE if SETTINGS[n].group == group):
                _widget(name, problems.get(name))
    device = device_toggle()
    if problems:
        st.error(f"Fix the {len(problems)} setting(s) marked above to start training.")
        return None, None
    config = TrainConfig(**values, device=device)
    chosen = chosen_preset()
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
