"""Measuring a model: how ratings are split, rating accuracy, and top-10 quality of suggestions."""
