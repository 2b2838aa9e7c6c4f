"""The Models page in AppTest: the table, overlaid curves, making a model active, renaming, deleting, the trash."""

from __future__ import annotations

import copy
import json

import pytest
from streamlit.testing.v1 import AppTest

from movierec.model.artifacts import list_models
from movierec.model.store import trashed_models
from tests.app_support import hand_back_labels, open_app, problems
from tests.factories import TINY, filed_as_bundled, planted_dataset, tiny_model

PAGE = "models"


@pytest.fixture(scope="module")
def model():
    return filed_as_bundled(tiny_model(planted_dataset(name="ml-latest-small"), config=TINY.with_changes(epochs=3)))


@pytest.fixture
def three(model):
    """Three saved models of the bundled data, ``c`` the newest, so the sidebar starts on it."""
    for index, name in enumerate(("a", "b", "c")):
        saved = copy.copy(model)
        saved.created = f"2026-12-0{index + 1}T10:00:00+00:00"
        saved.save(name)
    return model


def _sidebar_model(at: AppTest) -> str:
    return at.sidebar.selectbox(key="model_name").value


def _sidebar_options(at: AppTest) -> list[str]:
    """The model names the sidebar offers (its labels add the test RMSE)."""
    return [label.split(" · ")[0] for label in at.sidebar.selectbox(key="model_name").options]


def _traces(at: AppTest, index: int) -> list[str]:
    spec = json.loads(at.get("plotly_chart")[index].proto.spec)
    return [trace["name"] for trace in spec["data"] if trace.get("showlegend", True) is not False]


def _rename_button(at: AppTest):
    return next(b for b in at.button if b.label == "Rename")


def test_without_models_the_page_points_to_the_train_page():
    at = open_app(PAGE)
    assert not problems(at)
    assert any("no saved model for this dataset" in info.value for info in at.info)
    assert not at.dataframe


def test_the_table_lists_every_model_with_its_scores_and_marks_the_active_one(three, movierec_home):
    (movierec_home / "models" / "broken.pt").write_bytes(b"junk")
    at = open_app(PAGE)
    assert not problems(at)
    table = at.dataframe[0].value
    assert list(table["Name"]) == ["c", "b", "a"]
    assert list(table["Active"]) == [True, False, False]
    results = three.results
    assert table["Test RMSE"].iloc[0] == pytest.approx(results.test_rmse)
    assert table["P@10 most-popular"].iloc[0] == pytest.approx(results.ranking.most_popular.precision_at_10)
    assert table["Epochs"].iloc[0] == results.epochs_run and table["Device"].iloc[0] == "cpu"
    assert table["Settings changed"].iloc[0].startswith("vs default: n_factors 8")
    assert set(table["Data"]) == {"this data"}
    assert any("The file broken" in w.value and "cannot be read" in w.value for w in at.warning)


def test_the_overlay_draws_one_curve_per_picked_run(three):
    at = open_app(PAGE)
    assert _traces(at, 0) == ["c", "b", "a"] and _traces(at, 1) == ["c", "b", "a"]
    at.multiselect(key="models_overlay").set_value(["a"]).run()
    assert _traces(at, 0) == ["a"]
    spec = json.loads(at.get("plotly_chart")[1].proto.spec)
    star = next(trace for trace in spec["data"] if trace.get("showlegend") is False)
    assert star["x"] == [three.results.best_epoch]
    at.multiselect(key="models_overlay").set_value([]).run()
    assert not at.get("plotly_chart")


def test_make_active_moves_the_sidebars_choice(three):
    at = open_app(PAGE)
    assert _sidebar_model(at) == "c"
    at.selectbox(key="models_pick").set_value("a").run()
    at.button(key="models_activate").click().run()
    assert not problems(at)
    assert _sidebar_model(at) == "a"
    assert list(at.dataframe[0].value["Active"]) == [False, False, True]
    assert any("a is now the active model" in s.value for s in at.success)


def test_rename_follows_the_name_rules_and_the_sidebar_follows_the_active_model(three):
    at = open_app(PAGE)
    at.text_input(key="models_new_name").set_value("c renamed")
    _rename_button(at).click().run()
    assert any("Invalid model name" in e.value for e in at.error)
    at.text_input(key="models_new_name").set_value("b")
    _rename_button(at).click().run()
    assert any("A model named 'b' already exists" in e.value for e in at.error)
    assert {info.name for info in list_models()} == {"a", "b", "c"}
    at.text_input(key="models_new_name").set_value("c-best")
    _rename_button(at).click().run()
    assert not problems(at)
    assert {info.name for info in list_models()} == {"a", "b", "c-best"}
    assert _sidebar_model(at) == "c-best" and at.selectbox(key="models_pick").value == "c-best"
    assert "c" not in _sidebar_options(at)


def test_delete_asks_first_moves_into_the_trash_and_can_be_undone(three):
    at = open_app(PAGE)
    at.selectbox(key="models_pick").set_value("c").run()
    at.button(key="models_delete").click().run()
    assert any("Move c into the trash" in w.value for w in at.warning)
    at.button(key="models_delete_cancel").click().run()
    assert {info.name for info in list_models()} == {"a", "b", "c"}
    at.button(key="models_delete").click().run()
    at.button(key="models_delete_yes").click().run()
    assert not problems(at)
    assert {info.name for info in list_models()} == {"a", "b"}
    assert "c" not in _sidebar_options(at) and _sidebar_model(at) == "b"  # the newest left takes over
    assert list(at.dataframe[0].value["Name"]) == ["b", "a"]
    assert [t.name for t in trashed_models()] == ["c"]
    at.button(key="models_undo").click().run()
    assert {info.name for info in list_models()} == {"a", "b", "c"}
    assert "c" in _sidebar_options(at) and "models_undo" not in [button.key for button in at.button]


def test_the_trash_restores_a_deleted_model_and_empties_after_a_confirmation(three):
    at = open_app(PAGE)
    for name in ("a", "b"):
        at.selectbox(key="models_pick").set_value(name).run()
        at.button(key="models_delete").click().run()
        at.button(key="models_delete_yes").click().run()
    assert [t.name for t in trashed_models()] == ["b", "a"]
    at.selectbox(key="models_trash_pick").set_value(trashed_models()[1].path.name).run()
    at.button(key="models_restore").click().run()
    assert {info.name for info in list_models()} == {"a", "c"}
    at.button(key="models_empty").click().run()
    assert any("for good" in w.value for w in at.warning)
    at.button(key="models_empty_yes").click().run()
    assert trashed_models() == [] and {info.name for info in list_models()} == {"a", "c"}
    assert any("Erased 1 deleted model" in s.value for s in at.success)


def test_a_deleted_model_handed_back_as_its_label_falls_back_to_one_in_the_trash(three, monkeypatch):
    at = open_app(PAGE)
    at.selectbox(key="models_pick").set_value("a").run()
    at.button(key="models_delete").click().run()
    at.button(key="models_delete_yes").click().run()
    hand_back_labels(monkeypatch, "selectbox", "models_trash_pick")
    at.run()
    assert not problems(at)
    at.button(key="models_restore").click().run()
    assert {info.name for info in list_models()} == {"a", "b", "c"} and not problems(at)


def test_a_model_of_other_data_is_listed_but_cannot_be_made_active(three):
    stranger = copy.copy(three)
    stranger.fingerprint = "other-data"
    stranger.created = "2026-11-01T10:00:00+00:00"
    stranger.save("stranger")
    at = open_app(PAGE)
    table = at.dataframe[0].value
    assert table.loc[table["Name"] == "stranger", "Data"].item() == "other data"
    assert "stranger" not in _sidebar_options(at)
    at.selectbox(key="models_pick").set_value("stranger").run()
    at.button(key="models_activate").click().run()
    assert any("trained on different data" in e.value for e in at.error)
    assert _sidebar_model(at) == "c"
