"""AppTest of the Rate page: no model, profiles, rating, suggestions, tabs, import/export and bad input."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from movierec.data import load_movielens
from movierec.profiles.store import ProfileStore
from movierec.ui import rate_tabs, rate_widgets
from movierec.ui.keys import kept
from movierec.ui.rate_suggest import ORDER_NOTES
from tests.factories import TINY, tiny_model

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TOY_STORY, AMELIE = 1, 4973


@pytest.fixture(scope="module")
def small_model():
    """A quickly trained model of the bundled data (real titles, the split the page browses)."""
    return tiny_model(load_movielens("ml-latest-small"), TINY.with_changes(batch_size=8192, epochs=2, patience=2))


@pytest.fixture
def saved(small_model):
    small_model.save("tiny-small")
    return small_model


def open_rate(profile: str | None = None) -> AppTest:
    """The Rate page in a new session, with ``profile`` chosen in the picker (a new session starts with none)."""
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/rate.py").run()
    if profile is not None:
        at.selectbox(key="rate_profile_pick").select(profile).run()
    return at


def open_tab(at: AppTest, label: str) -> AppTest:
    """Select one of the page's tabs; only the open one runs."""
    at.session_state["rate_tab"] = label
    return at.run()


def shown(at: AppTest) -> str:
    parts = [
        e.value
        for e in (*at.markdown, *at.info, *at.error, *at.success, *at.warning, *at.caption, *at.subheader, *at.title)
    ]
    return "\n".join(str(p) for p in parts)


def table(at: AppTest, column: str):
    """The first table on the page with ``column`` (AppTest dataframes carry no key)."""
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


def suggested(at: AppTest) -> list[int]:
    """The movie ids of the suggestion cards, in order (each card has a rating slider keyed by its id)."""
    return [int(s.key.split("_")[2]) for s in at.select_slider if s.key.startswith("rate_suggest_")]


def in_strip(at: AppTest) -> list[int]:
    return [int(s.key.split("_")[2]) for s in at.select_slider if s.key.startswith("rate_strip_")]


def reasons(at: AppTest) -> list[str]:
    return [str(m.value) for m in at.markdown if str(m.value).startswith("**Why:**")]


def predicted(at: AppTest) -> list[float]:
    return [float(c.value.split("★")[0]) for c in at.caption if "★ predicted for you" in str(c.value)]


def create(at: AppTest, name: str) -> AppTest:
    at.text_input(key="rate_new_profile").input(name)
    at.button(key="rate_create").click().run()
    return at


def test_without_a_model_the_page_points_to_training():
    at = open_rate()
    assert not at.exception
    assert "no trained model" in shown(at)
    assert any(link.proto.page == "pages/train.py" or "train" in link.proto.page for link in at.get("page_link"))


def test_a_new_profile_gets_popular_movies_and_can_rate_them(saved):
    at = create(open_rate(), "<b>Zoë</b> :red[x]")
    assert not at.exception
    assert at.session_state["profile_name"] == "<b>Zoë</b> :red[x]"
    assert "popular, well-rated movies" in shown(at)
    assert "Suggestions for \\<b\\>Zoë\\</b\\> \\:red\\[x\\]" in shown(at)
    strip = [s for s in at.select_slider if s.key.startswith("rate_strip_")]
    assert len(strip) == 8
    assert table(at, "Note").empty  # drawn before the first rating, so that rating does not build it
    for slider, value in zip(strip[:3], (5.0, 4.5, 1.0), strict=True):
        slider.set_value(value)
    at.run()
    stored = ProfileStore().ratings("<b>Zoë</b> :red[x]")
    assert sorted(stored.values()) == [1.0, 4.5, 5.0]
    assert "popular, well-rated movies" not in shown(at)
    assert len(suggested(at)) == 10 and set(suggested(at)).isdisjoint(stored)
    assert len(reasons(at)) == 10  # each suggestion says why it is there
    yours = table(at, "Note")
    assert len(yours) == 3 and yours["Model predicts"].notna().all()


def test_a_popular_strip_shorter_than_its_rows_still_draws(saved, monkeypatch):
    """A small catalogue (or a profile that rated most of it) leaves the strip's last row part-filled."""
    monkeypatch.setattr(rate_widgets, "STRIP_SIZE", 6)
    at = create(open_rate(), "Six")
    assert not at.exception
    assert len([s for s in at.select_slider if s.key.startswith("rate_strip_")]) == 6


def test_search_rates_with_accents_ignored_and_slider_removes(saved):
    at = create(open_rate(), "Ada")
    at.text_input(key="rate_search").input("amelie 2001").run()
    slider = at.select_slider(key=f"rate_search_{AMELIE}")
    assert slider.options == ["–", *[f"{v:g} ★" for v in load_movielens("ml-latest-small").scale.values()]]
    slider.set_value(4.5).run()
    assert ProfileStore().ratings("Ada") == {AMELIE: 4.5}
    at.select_slider(key=f"rate_search_{AMELIE}").set_value("–").run()
    assert ProfileStore().ratings("Ada") == {}


def test_a_stale_value_from_a_refreshed_slider_does_not_overwrite_a_newer_rating(saved):
    """Two sliders show Toy Story (search and "Change or remove a rating"). A browser that has not yet drawn the
    refreshed one sends its old value along with the person's next move; that old value must not win."""
    store = ProfileStore()
    store.create("Eve")
    store.set_rating("Eve", TOY_STORY, 5.0)
    at = open_rate("Eve")
    at.text_input(key="rate_search").input("toy story 1995").run()
    # This run's page as the browser still holds it: AppTest reads values from the server, so pin the old one.
    stale_search = at.select_slider(key=f"rate_search_{TOY_STORY}")
    stale_edit = at.select_slider(key=f"rate_edit_{TOY_STORY}")
    assert stale_edit.value == 5.0
    at.select_slider(key=f"rate_search_{TOY_STORY}").set_value(4.5).run()
    assert ProfileStore().ratings("Eve") == {TOY_STORY: 4.5}
    stale_edit.set_value(5.0)
    stale_search.set_value(4.0).run()  # the person's next move, sent with the old page's values
    assert not at.exception
    assert ProfileStore().ratings("Eve") == {TOY_STORY: 4.0}
    edit = [s for s in at.select_slider if s.key.startswith(f"rate_edit_{TOY_STORY}")]
    assert [s.value for s in edit] == [4.0]


def test_unknown_and_foreign_ratings_are_kept_and_marked(saved):
    store = ProfileStore()
    store.create("Old")
    store.set_rating("Old", 999_999, 4.0)
    store.set_rating("Old", TOY_STORY, 5.0)
    at = open_rate()
    assert at.session_state["profile_name"] is None  # a new session is never placed in an existing profile
    at.selectbox(key="rate_profile_pick").select("Old").run()
    assert at.session_state["profile_name"] == "Old"
    notes = list(table(at, "Note")["Note"])
    assert "not scored by this model" in notes and "" in notes
    assert "1 of your ratings are not scored" in shown(at)


def test_switching_profiles_and_duplicate_names(saved):
    store = ProfileStore()
    store.create("Ann")
    store.create("Bob")
    store.set_rating("Bob", TOY_STORY, 2.0)
    at = open_rate()
    at.selectbox(key="rate_profile_pick").select("Bob").run()
    assert at.session_state["profile_name"] == "Bob"
    assert list(table(at, "Note")["Your rating"]) == [2.0]
    create(at, "Ann")
    assert "already exists" in shown(at) and at.session_state["profile_name"] == "Bob"


def upload(at: AppTest, text: str) -> AppTest:
    at.file_uploader(key="rate_import_file").set_value(("mine.csv", text.encode(), "text/csv"))
    at.run()
    at.button(key="rate_import").click().run()
    return at


def test_import_all_or_nothing_and_clear_with_confirmation(saved):
    store = ProfileStore()
    store.create("Ann")
    store.set_rating("Ann", TOY_STORY, 3.0)
    at = upload(open_tab(open_rate("Ann"), "Import, export, clear"), "movie_id,rating\n2,4\n3,7\n")
    assert "Nothing was imported from mine.csv: Line 3" in shown(at)
    assert store.ratings("Ann") == {TOY_STORY: 3.0}
    upload(at, "movie_id,rating\n2,4\n3,0.5\n")
    assert "Imported 2 ratings" in shown(at) and store.ratings("Ann") == {TOY_STORY: 3.0, 2: 4.0, 3: 0.5}
    assert at.button(key="rate_clear").disabled
    at.checkbox(key="rate_clear_sure").check().run()
    at.button(key="rate_clear").click().run()
    assert not at.exception and store.ratings("Ann") == {}
    at.button(key="rate_undo_clear").click().run()
    assert "Restored 3 cleared ratings" in shown(at) and store.ratings("Ann") == {TOY_STORY: 3.0, 2: 4.0, 3: 0.5}


def test_more_like_this_and_dataset_user_tabs(saved):
    store = ProfileStore()
    store.create("Ann")
    store.set_rating("Ann", TOY_STORY, 5.0)
    at = open_rate("Ann")
    assert {box.key for box in at.selectbox}.isdisjoint({"rate_like_pick", "rate_dataset_user"})
    open_tab(at, "More like this")
    assert at.selectbox(key="rate_like_pick").value == TOY_STORY
    assert len(table(at, "Similarity")) == 10
    open_tab(at, "Browse as a dataset user")
    assert not any("Similarity" in frame.value.columns for frame in at.dataframe)
    user = at.selectbox(key="rate_dataset_user").value
    held = table(at, "Their rating")
    assert len(held) > 0 and {"Their rating", "Model predicted"} <= set(held.columns)
    assert isinstance(user, int) and "RMSE on this user" in at.metric[0].label
    theirs = table(at, "Watched (held out)")
    assert len(theirs) == 10 and theirs["Watched (held out)"].dtype == bool
    assert not at.exception


def test_a_tab_opened_again_comes_back_to_the_last_choice_made_in_it(saved):
    store = ProfileStore()
    store.create("Ann")
    store.set_rating("Ann", TOY_STORY, 5.0)
    store.set_rating("Ann", AMELIE, 4.0)
    at = open_tab(open_rate("Ann"), "More like this")
    at.selectbox(key="rate_like_pick").set_value(AMELIE).run()
    at = open_tab(at, "Browse as a dataset user")
    second = int(at.selectbox(key="rate_dataset_user").options[1].split()[1])  # "user <id> · <n> test ratings"
    at.selectbox(key="rate_dataset_user").set_value(second).run()
    at = open_tab(at, "Your ratings vs the model")
    at.selectbox(key="rate_edit_pick").set_value(AMELIE).run()
    at = open_tab(at, "Import, export, clear")
    assert {box.key for box in at.selectbox}.isdisjoint({"rate_like_pick", "rate_dataset_user", "rate_edit_pick"})
    assert open_tab(at, "More like this").selectbox(key="rate_like_pick").value == AMELIE
    assert open_tab(at, "Browse as a dataset user").selectbox(key="rate_dataset_user").value == second
    assert open_tab(at, "Your ratings vs the model").selectbox(key="rate_edit_pick").value == AMELIE
    assert not at.exception


def test_pickers_offer_the_most_rated_movies_your_own_and_the_busiest_users(saved, monkeypatch):
    """At a large release every movie and user in a choice box took seconds per rerun; the boxes are capped."""
    monkeypatch.setattr(rate_tabs, "MOVIE_CHOICES", 5)
    monkeypatch.setattr(rate_tabs, "USER_CHOICES", 3)
    store = ProfileStore()
    store.create("Ann")
    store.set_rating("Ann", AMELIE, 5.0)  # not among the five most rated
    at = open_tab(open_rate("Ann"), "More like this")
    movies = at.selectbox(key="rate_like_pick")
    titles = saved.movies.sort_values(["n_ratings", "movie_id"], ascending=[False, True]).set_index("movie_id")["title"]
    expected = [*titles.iloc[:5], titles[AMELIE]]
    assert sorted(movies.options) == sorted(expected)
    assert movies.value == AMELIE and "5 most-rated movies" in movies.help
    users = open_tab(at, "Browse as a dataset user").selectbox(key="rate_dataset_user")
    assert len(users.options) == 3 and "3 users with the most" in users.help
    assert not at.exception


def test_the_order_switch_reorders_suggestions_and_neighbours(saved):
    store = ProfileStore()
    store.create("Bo")
    for movie_id, rating in ((TOY_STORY, 5.0), (AMELIE, 4.5), (2571, 4.0), (356, 1.5)):
        store.set_rating("Bo", movie_id, rating)
    at = open_tab(open_rate("Bo"), "More like this")
    assert at.radio(key="rate_order").value == "ranking"
    assert ORDER_NOTES["ranking"] in shown(at) and "the stars are not in order" in ORDER_NOTES["ranking"]
    by_ranking, why_ranking = suggested(at), reasons(at)
    like_ranking = table(at, "Similarity")
    at.radio(key="rate_order").set_value("rating").run()
    assert not at.exception
    assert predicted(at) == sorted(predicted(at), reverse=True) and len(predicted(at)) == 10
    assert by_ranking != suggested(at)
    assert all("embedding is nearest to" in why for why in reasons(at))
    assert not any("embedding" in why for why in why_ranking)  # the ranker's reasons name what ranked them
    assert ORDER_NOTES["rating"] in shown(at)
    assert like_ranking["Similarity"].iloc[0] == 1.0  # co-watching weights, the strongest link scaled to 1
    assert table(at, "Similarity")["Similarity"].between(-1, 1).all()
    assert "watched by the same people" not in shown(at) and "embeddings point the same way" in shown(at)


def test_a_corrupt_profile_database_is_reported_and_kept(saved, movierec_home):
    path = movierec_home / "profiles" / "profiles.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not sqlite" * 50)
    at = open_rate()
    assert not at.exception
    assert "damaged or is not a database" in shown(at)
    assert path.read_bytes() == b"not sqlite" * 50


def test_titles_come_from_the_model_then_the_catalogue_then_the_id():
    catalogue = pd.DataFrame({"movie_id": [1, 2, 3], "title": ["Old one", "Only listed", "Old three"]})
    known = pd.DataFrame({"movie_id": [3, 1, 9], "title": ["Three", "One", "Nine"]})
    found = rate_tabs.titles(SimpleNamespace(movies=known), SimpleNamespace(movies=catalogue), [2, 1, 7, 3])
    assert list(found.index) == [2, 1, 7, 3]
    assert list(found) == ["Only listed", "One", "Movie 7", "Three"]


def test_the_strip_stays_steady_after_a_rating_and_a_skip(saved):
    at = create(open_rate(), "Steady")
    before = in_strip(at)
    at.select_slider(key=f"rate_strip_{before[0]}").set_value(4.0).run()
    at.button(key=f"rate_strip_skip_{before[1]}").click().run()
    assert not at.exception
    assert in_strip(at) == before  # the next movie does not slide under the pointer
    assert at.select_slider(key=f"rate_strip_{before[0]}").value == 4.0
    assert at.button(key=f"rate_strip_unskip_{before[1]}")  # shown as skipped, with an undo
    assert ProfileStore().skipped("Steady") == {before[1]: "not_seen"}
    at.button(key="rate_strip_next").click().run()
    assert set(in_strip(at)).isdisjoint(before)


def test_the_strip_folds_at_the_tenth_rating_and_then_draws_nothing_until_unfolded(saved):
    at = create(open_rate(), "Onboarded")
    strip = in_strip(at)
    for movie_id in strip:
        at.select_slider(key=f"rate_strip_{movie_id}").set_value(4.0).run()
    assert len(in_strip(at)) == 8  # a new set, since each of the first eight is rated
    for movie_id in in_strip(at)[:2]:
        at.select_slider(key=f"rate_strip_{movie_id}").set_value(3.0).run()
    assert not at.exception
    assert len(ProfileStore().ratings("Onboarded")) == 10
    assert any(bar.text.startswith("10 rated ·") for bar in at.get("progress"))
    assert in_strip(at) == []  # folded by itself, with none of its sliders drawn
    assert len(suggested(at)) == 10
    at.session_state["rate_strip_box"] = True  # unfolded by the person
    at.run()
    assert len(in_strip(at)) == 8 and set(suggested(at)).isdisjoint(in_strip(at))


def test_not_seen_and_dismissed_movies_leave_the_suggestions_which_never_repeat_the_strip(saved):
    at = create(open_rate(), "Lists")
    assert set(suggested(at)).isdisjoint(in_strip(at))  # the popular fallback too
    first = in_strip(at)[0]
    at.select_slider(key=f"rate_strip_{first}").set_value(5.0).run()
    shown_first = suggested(at)
    assert len(shown_first) == 10 and set(shown_first).isdisjoint(in_strip(at))
    at.button(key=f"rate_dismiss_{shown_first[0]}").click().run()
    assert shown_first[0] not in suggested(at)
    at.select_slider(key=f"rate_suggest_{shown_first[1]}").set_value(4.5).run()  # rated where it is shown
    assert ProfileStore().ratings("Lists") == {first: 5.0, shown_first[1]: 4.5}
    assert ProfileStore().skipped("Lists") == {shown_first[0]: "not_interested"}
    assert shown_first[1] not in suggested(at) and set(suggested(at)).isdisjoint(in_strip(at))
    at.button(key=f"rate_strip_skip_{in_strip(at)[2]}").click().run()
    assert in_strip(at)[2] not in suggested(at)
    open_tab(at, "Import, export, clear").button(key="rate_forget_skips").click().run()
    assert "2 skipped movies will be offered again" in shown(at) and ProfileStore().skipped("Lists") == {}


def filters_reset(at: AppTest) -> str | None:
    """The label of the reset beside the folded filters (None when no filter is on)."""
    return next((button.label for button in at.button if button.key == "rate_filters_reset"), None)


def open_filters(at: AppTest, opened: bool = True) -> AppTest:
    """Open (or fold) the Filters box: its widgets are drawn only while it is open."""
    at.session_state["rate_filters_box"] = opened
    return at.run()


def test_a_folded_filter_shows_that_it_is_on_and_resets(saved):
    at = create(open_rate(), "Picky")
    assert filters_reset(at) is None  # nothing to reset
    open_filters(at).multiselect(key="rate_include").select("Comedy").run()
    at.number_input(key="rate_min_ratings").set_value(50).run()
    assert filters_reset(at) == "Reset all 2 filters"
    assert at.number_input(key="rate_min_ratings").value == 50  # the box stays open while filters change
    at.button(key="rate_filters_reset").click().run()
    assert not at.exception
    assert filters_reset(at) is None
    assert at.multiselect(key="rate_include").value == [] and at.number_input(key="rate_min_ratings").value == 10


def test_folded_filters_draw_no_widgets_and_keep_filtering(saved):
    at = open_filters(create(open_rate(), "Folded"))
    at.multiselect(key="rate_include").select("Comedy").run()
    filtered = suggested(at)
    open_filters(at, opened=False)
    assert not at.exception
    assert not any(box.key == "rate_include" for box in at.multiselect)  # nothing drawn for a rating to redraw
    assert filters_reset(at) == "Reset the filter" and suggested(at) == filtered
    at.run()  # a rerun that draws no filter keeps their values all the same
    assert suggested(at) == filtered
    assert open_filters(at).multiselect(key="rate_include").value == ["Comedy"]


def test_filters_that_do_not_fit_another_model_are_reset(saved):
    at = open_filters(create(open_rate(), "Switch"))
    at.multiselect(key="rate_include").select("Comedy").run()
    at.session_state["rate_filters_model"] = ("another model", "2026-01-01")  # as after a switch
    at.session_state[kept("rate_include")] = ["Comedy", "Space opera"]
    at.session_state[kept("rate_min_ratings")] = 10**9
    at.run()
    assert not at.exception
    assert at.multiselect(key="rate_include").value == ["Comedy"]
    assert at.number_input(key="rate_min_ratings").value == 10


def test_titles_link_to_their_imdb_pages(saved):
    store = ProfileStore()
    store.create("Linked")
    store.set_rating("Linked", TOY_STORY, 4.0)
    at = open_rate("Linked")
    assert table(at, "Note")["Page"].tolist() == ["https://www.imdb.com/title/tt0114709/#IMDb"]
    titles = [str(m.value) for m in at.markdown if str(m.value).startswith("**1. ")]
    assert len(titles) == 1 and "](https://www.imdb.com/title/tt" in titles[0]
