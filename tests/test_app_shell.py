"""The dashboard shell: navigation, the shared sidebar (datasets, models) and the Overview page."""

from __future__ import annotations

import dataclasses
import socket

from app_support import finish, open_app, problems, upload_planted
from factories import TINY, planted_dataset

from movierec.pipeline import train_model
from movierec.ui.keys import DATASET_KEY, MODEL_KEY


def _sidebar_box(at, label):
    return next(box for box in at.sidebar.selectbox if box.label == label)


def test_overview_shows_dataset_facts_charts_and_credit():
    at = open_app()
    assert not problems(at)
    facts = {m.label: m.value for m in at.metric}
    assert facts["Ratings"] == "100,836" and facts["Users"] == "610"
    assert "Sparsity" in facts
    assert len(at.get("plotly_chart")) == 3  # ratings histogram, per user, per movie
    assert any("No model is saved" in i.value for i in at.info)
    text = " ".join(m.value for m in at.markdown)
    assert "GroupLens" in text and "non-commercial" in text and "research" in text
    assert _sidebar_box(at, "Dataset").value == "ml-latest-small"


def test_cli_models_appear_newest_first_and_the_choice_survives_page_switches():
    at = upload_planted(open_app())
    dataset = planted_dataset()
    dataset.name = f"upload-{dataset.fingerprint[:12]}"  # uploads are named by their content
    for name in ("older", "newer"):
        model = train_model(dataset, TINY.with_changes(epochs=1), preset="tiny")
        model.created = {"older": "2020-01-01T00:00:00+00:00", "newer": "2021-01-01T00:00:00+00:00"}[name]
        model.save(name)
    at.run()
    assert _sidebar_box(at, "Dataset").value == f"upload:{dataset.name}"
    models = _sidebar_box(at, "Model")
    assert [option.split(" · ")[0] for option in models.options] == ["newer", "older"]
    assert {"Test RMSE", "P@10", "nDCG@10"} <= {m.label for m in at.metric}  # the active model's card
    assert models.value == "newer"
    models.set_value("older").run()
    at.switch_page("pages/train.py").run()
    at.switch_page("pages/overview.py").run()
    assert at.session_state[MODEL_KEY] == "older"
    assert at.session_state[DATASET_KEY] == f"upload:{dataset.name}"
    assert any("older" in m.value for m in at.markdown)  # the Overview's model card names the active model
    assert not problems(at)


def test_the_overview_says_when_a_ranker_was_kept_but_not_scored():
    at = upload_planted(open_app())
    dataset = planted_dataset()
    dataset.name = f"upload-{dataset.fingerprint[:12]}"
    model = train_model(dataset, TINY.with_changes(epochs=1), preset="tiny")
    assert model.ranker is not None
    model.results = dataclasses.replace(model.results, ranking=None, stopped=True)  # as a stop while scoring leaves it
    model.save("stopped-while-scoring")
    at.run()
    captions = " ".join(c.value for c in at.caption)
    assert "suggestion ranker was not scored on the test users" in captions
    assert "has no suggestion ranker" not in captions and not problems(at)


def test_a_wrong_upload_is_refused_with_the_line_and_value():
    at = open_app()
    at.file_uploader(key="upload_ratings").set_value(("bad.csv", b"user_id,movie_id,rating\n1,2,9\n", "text/csv"))
    at.run()
    at.button(key="upload_use").click().run()
    assert any("line 2" in e.value and "9" in e.value for e in at.error)
    assert at.session_state[DATASET_KEY] == "ml-latest-small"
    assert not problems(at)


def test_a_missing_folder_is_refused_in_plain_words(tmp_path):
    at = open_app()
    at.text_input(key="folder_path").set_value(str(tmp_path / "nowhere")).run()
    at.button(key="folder_use").click().run()
    assert any("cannot be used" in e.value and "nowhere" not in e.value for e in at.error)
    assert not problems(at)


def test_a_failed_download_shows_the_reason_and_offers_a_retry(monkeypatch):
    with socket.socket() as sock:  # a port nobody listens on: the connection is refused at once
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("MOVIEREC_DOWNLOAD_URL", f"http://127.0.0.1:{port}/")
    at = open_app()
    at.selectbox(key="download_choice").set_value("ml-100k").run()
    at.button(key="download_start").click().run()
    finish(at, at.session_state["download_job"])
    assert any("ml-100k" in e.value and "retry" in e.value for e in at.error)
    assert at.button(key="download_start").label == "Retry download"
    assert at.session_state[DATASET_KEY] == "ml-latest-small"
    assert not problems(at)
