"""Who may see and change what in the dashboard: profiles, folders, uploads, models, training slots, file modes."""

from __future__ import annotations

import stat
import time

import pytest
import torch
from app_support import APP, open_app, problems, upload_planted
from streamlit.testing.v1 import AppTest

from movierec import paths
from movierec.profiles.store import ProfileStore
from movierec.ui import rate_state, runs
from tests.data_fixtures import write_release
from tests.factories import TINY, planted_dataset, tiny_model


@pytest.fixture
def planted_model():
    """A model of the planted upload, saved under the upload's content name."""
    dataset = planted_dataset()
    dataset.name = f"upload-{dataset.fingerprint[:12]}"
    model = tiny_model(dataset, TINY.with_changes(epochs=1))
    model.save("planted")
    return model


def _rate_page(at):
    at.switch_page("pages/rate.py").run()
    return at


def test_a_new_session_starts_without_a_profile_and_a_reload_keeps_its_own(planted_model):
    ProfileStore().create("Ann")
    at = _rate_page(upload_planted(open_app()))
    assert at.session_state["profile_name"] is None
    assert any("everyone using it shares these profiles" in c.value for c in at.caption)
    at.selectbox(key="rate_profile_pick").select("Ann").run()
    assert at.session_state["profile_name"] == "Ann" and at.query_params["profile"] in ("Ann", ["Ann"])
    assert not problems(at)
    reloaded = AppTest.from_file(APP, default_timeout=60)  # a reload of that tab: its address names the profile
    reloaded.query_params["profile"] = "Ann"
    reloaded.run()
    assert _rate_page(upload_planted(reloaded)).session_state["profile_name"] == "Ann"


def test_with_sign_in_each_person_sees_only_their_own_profiles(planted_model, monkeypatch):
    monkeypatch.setattr(rate_state, "sign_in_configured", lambda: True)
    seen = {}
    for person in ("alice", "bob"):
        monkeypatch.setattr(rate_state, "person_key", lambda person=person: person)
        at = _rate_page(upload_planted(open_app()))
        at.text_input(key="rate_new_profile").input(f"{person}'s list")
        at.button(key="rate_create").click().run()
        seen[person] = at.selectbox(key="rate_profile_pick").options
        assert not problems(at)
    assert seen == {"alice": ["alice's list"], "bob": ["bob's list"]}
    monkeypatch.setattr(rate_state, "person_key", lambda: None)  # signed out: no profile at all, a Sign in button
    at = _rate_page(upload_planted(open_app()))
    assert at.button(key="rate_sign_in").label == "Sign in"
    assert "profile_name" not in at.session_state
    assert ProfileStore().list_profiles() == []  # the shared database was never written


def test_folders_are_read_only_under_the_allowed_roots(movierec_home, tmp_path, monkeypatch):
    write_release("ml-1m", movierec_home / "data")
    write_release("ml-100k", tmp_path / "team-data")
    monkeypatch.setenv(paths.DATA_ROOTS_ENV, str(tmp_path / "team-data"))
    at = open_app()
    for release, folder in (("ml-1m", movierec_home / "data"), ("ml-100k", tmp_path / "team-data")):
        at.selectbox(key="folder_release").set_value(release).run()
        at.text_input(key="folder_path").set_value(str(folder)).run()
        at.button(key="folder_use").click().run()
        assert at.session_state["dataset_name"].startswith(f"folder:{release}:") and not at.error
    assert not problems(at)


def test_uploads_are_named_by_content_and_bounded_per_session():
    at = open_app()
    names = []
    for seed in range(5):
        upload_planted(at, filename="ratings.csv", seed=seed)
        names.append(at.session_state["dataset_name"])
    assert len(set(names)) == 5  # one file name, five contents, five datasets
    assert len(at.session_state["dataset_uploads"]) == 3 and names[-1] in at.session_state["dataset_uploads"]
    upload_planted(at, filename="other-name.csv", seed=4)
    assert at.session_state["dataset_name"] == names[-1]  # same content, same dataset whatever the file name
    assert not problems(at)


def test_models_of_other_data_are_not_offered_and_a_damaged_one_is_skipped(planted_model, movierec_home):
    impostor = tiny_model(planted_dataset(seed=9), TINY.with_changes(epochs=1))
    impostor.dataset = planted_model.dataset  # same name, other data
    impostor.save("impostor")
    planted_model.created = "2099-01-01T00:00:00+00:00"
    path = planted_model.save("broken-newest")
    payload = torch.load(path, weights_only=True)  # it lists fine, but its weights do not fit its settings
    payload["state_dict"]["u.weight"] = torch.zeros(2, 2)
    torch.save(payload, path)
    at = upload_planted(open_app())
    shown = " ".join(w.value for w in at.warning)
    assert "trained on different data" in shown and "broken-newest.pt is damaged" in shown.replace("\\", "")
    assert str(movierec_home) not in shown.replace("\\", "")  # no server folders in what visitors see
    box = next(s for s in at.sidebar.selectbox if s.label == "Model")
    assert [o.split(" · ")[0] for o in box.options] == ["planted"]
    at.switch_page("pages/rate.py").run()
    assert not problems(at)


def test_the_server_trains_at_most_a_few_runs_at_once():
    dataset = planted_dataset()
    slow = TINY.with_changes(epochs=200, patience=200)
    started = [runs.TrainingRun(dataset, slow).start() for _ in range(runs.MAX_SERVER_RUNS + 1)]
    refused = started[-1].snapshot()
    assert refused.status == runs.FAILED and "already training" in refused.error
    for run in started[:-1]:
        assert run.running
        run.stop()
        run.join(60)
    again = runs.TrainingRun(dataset, TINY.with_changes(epochs=1)).start()
    again.join(60)
    assert again.snapshot().status == runs.FINISHED  # the slots were given back


def test_home_and_profiles_are_owner_only(tmp_path, monkeypatch):
    monkeypatch.setenv("MOVIEREC_HOME", str(tmp_path / "fresh" / "home"))
    ProfileStore()
    assert stat.S_IMODE(paths.home().stat().st_mode) == 0o700
    assert stat.S_IMODE((paths.home() / "profiles").stat().st_mode) == 0o700
    assert stat.S_IMODE((paths.home() / "profiles" / "profiles.sqlite3").stat().st_mode) == 0o600


def test_a_download_can_be_cancelled_and_leaves_nothing(release_server, movierec_home, monkeypatch):
    from tests.data_fixtures import pin_md5, zip_release

    body = zip_release("ml-100k")
    release_server.serve("ml-100k", body)
    release_server.slow.add("/ml-100k.zip")
    pin_md5(monkeypatch, "ml-100k", body)
    job = runs.DownloadJob("ml-100k").start()
    deadline = time.monotonic() + 10
    while job.snapshot().bytes_done == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    job.stop()
    job.join(10)
    snap = job.snapshot()
    assert snap.status == runs.FAILED and "cancelled" in snap.error
    assert [p.name for p in (movierec_home / "datasets").iterdir()] == []


def test_the_embeddings_page_reads_the_same_store_as_the_rate_page(monkeypatch):
    """With sign-in the profile marked on the map comes from the person's own database, never the shared one."""
    ProfileStore().create("Sam")
    ProfileStore().set_rating("Sam", 1, 1.0)
    monkeypatch.setattr(rate_state, "sign_in_configured", lambda: True)
    monkeypatch.setattr(rate_state, "person_key", lambda: "alice")
    own = rate_state.own_store()
    own.create("Sam")
    own.set_rating("Sam", 1, 5.0)
    assert rate_state.own_store().ratings("Sam") == {1: 5.0} and own.path != ProfileStore().path
    monkeypatch.setattr(rate_state, "person_key", lambda: None)
    assert rate_state.own_store() is None
