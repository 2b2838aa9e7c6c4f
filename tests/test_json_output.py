"""JSON on the command line is strict: a number that is not finite is null, never a NaN token."""

from __future__ import annotations

import json
import math

from movierec.cli.commands import main
from movierec.cli.json_output import finite_only, to_json


def _strict(text: str):
    def refuse(token: str):
        raise ValueError(f"non-standard JSON token {token}")

    return json.loads(text, parse_constant=refuse)


def test_numbers_that_are_not_finite_become_null_at_any_depth():
    value = {"rmse": math.nan, "runs": [{"best": math.inf, "epochs": 3}], "pair": (1.5, -math.inf), "name": "x"}
    assert finite_only(value) == {"rmse": None, "runs": [{"best": None, "epochs": 3}], "pair": [1.5, None], "name": "x"}
    assert _strict(to_json(value))["runs"][0]["best"] is None


def test_train_json_is_read_by_a_strict_parser(capsys):
    tiny = ["--epochs", "1", "--n-factors", "4", "--hidden", "4", "--dropouts", "0", "--batch-size", "65536"]
    assert main(["train", *tiny, "--json"]) == 0
    report = _strict(capsys.readouterr().out.strip().splitlines()[-1])
    assert math.isfinite(report["test_rmse"])
