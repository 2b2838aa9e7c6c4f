"""Movie links from the release's own files: links.csv, ml-100k's u.item, and releases without any."""

from __future__ import annotations

import io

import pytest

from movierec.data import load_movielens
from movierec.data.links import MovieLinks, parse_100k_links, parse_links_csv, site_name
from tests.data_fixtures import write_release

LINKS_CSV = (
    "movieId,imdbId,tmdbId\n"
    "1,0114709,862\n"  # Toy Story: IMDb wins, zero-padded to 7 digits
    "2,,8844\n"  # no IMDb id: TMDB
    "3,abc,\n"  # malformed and nothing else: no link
    "x,0113228,15602\n"  # malformed movie id: row left out
    "4,114885.0,31357.0\n"  # ids written as floats by some exports
    "5\n"  # short row
)


def test_links_csv_gives_padded_imdb_ids_then_tmdb_and_skips_bad_rows():
    links = parse_links_csv(io.BytesIO(LINKS_CSV.encode()))
    assert links.url(1) == "https://www.imdb.com/title/tt0114709/"
    assert links.url(2) == "https://www.themoviedb.org/movie/8844"
    assert links.url(3) is None and links.url(5) is None
    assert links.url(4) == "https://www.imdb.com/title/tt0114885/"
    assert len(links) == 3
    assert links.urls_for([2, 9]) == ["https://www.themoviedb.org/movie/8844", None]
    assert site_name(links.url(1)) == "IMDb" and site_name(links.url(2)) == "TMDB"


def test_a_links_file_with_other_columns_gives_no_links():
    assert len(parse_links_csv(io.BytesIO(b"movieId,url\n1,http://x\n"))) == 0


def test_100k_imdb_addresses_become_searches_on_todays_site_and_others_are_dropped():
    item = (
        "1|Toy Story (1995)|01-Jan-1995||http://us.imdb.com/M/title-exact?Toy%20Story%20(1995)|0|0\n"
        "2|Caf\xe9 (1993)|01-Jan-1995||http://us.imdb.com/Title?Caf%e9+(1993)|0|0\n"
        "3|unknown|||javascript:alert(1)|0|0\n"
        "4|No link|01-Jan-1995|||0|0\n"
    ).encode("latin-1")
    links = parse_100k_links(io.BytesIO(item))
    assert (
        links.url(1) == "https://www.imdb.com/find/?q=Toy%20Story%20%281995%29"
    )  # brackets escaped: safe in a Markdown link
    assert links.url(2) is not None and links.url(2).startswith("https://www.imdb.com/find/?q=Caf")
    assert links.url(3) is None and links.url(4) is None


def test_the_bundled_release_links_toy_story_to_its_imdb_page():
    links = load_movielens("ml-latest-small").links
    assert links.url(1) == "https://www.imdb.com/title/tt0114709/"
    assert len(links) > 9000


@pytest.mark.parametrize("name", ["ml-1m", "ml-10m", "ml-20m"])
def test_releases_without_a_links_file_load_with_no_links(name, tmp_path):
    write_release(name, tmp_path)
    assert load_movielens(name, data_dir=tmp_path).links == MovieLinks()


def test_a_folder_with_links_csv_gets_them_and_a_malformed_file_gets_none(tmp_path):
    folder = write_release("ml-25m", tmp_path)
    (folder / "links.csv").write_text(LINKS_CSV)
    assert load_movielens("ml-25m", data_dir=tmp_path).links.url(1) == "https://www.imdb.com/title/tt0114709/"
    (folder / "links.csv").write_bytes(b"\xff\xfe\x00garbage")
    assert len(load_movielens("ml-25m", data_dir=tmp_path).links) == 0


def test_ml_100k_from_a_folder_reads_links_from_u_item(tmp_path):
    folder = write_release("ml-100k", tmp_path)
    (folder / "u.item").write_bytes(
        (folder / "u.item").read_bytes().replace(b"http://example.org/1", b"http://us.imdb.com/M/title-exact?Toy")
    )
    links = load_movielens("ml-100k", data_dir=tmp_path).links
    assert links.url(1) == "https://www.imdb.com/find/?q=Toy" and links.url(2) is None
