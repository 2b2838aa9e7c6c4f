"""Load check: ten browser sessions at once against the README's app command (a script, not a timed test).

    python tests/load_check.py [--raters 7] [--movies 10] [--pause 3] [--home DIR] [--out load.json]

One session trains the default preset, each rater rates movies under their own profile, one explores the
Embeddings page and, where the app has a Models page, one watches it. Like people, the sessions pause
between actions (``--pause``, seconds on average; 0 runs them at machine speed, a stress test). It reports,
as JSON, the seconds from each rating to its new suggestions (median, 95th percentile, worst; overall, and
for the raters' first ratings and their later ones apart) and how long the training took meanwhile, and
fails (exit code 1) when any page shows an exception, a rating is lost or lands in another profile, or the
95th percentile is over the target of 3 s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.async_api import Browser, Page, async_playwright  # noqa: E402
from playwright.async_api import TimeoutError as PlaywrightTimeout  # noqa: E402

from movierec.data import load_movielens  # noqa: E402
from movierec.profiles.store import ProfileStore  # noqa: E402
from tests.conftest import CHROMIUM_FLAGS, running_app  # noqa: E402
from tests.factories import TINY, tiny_model  # noqa: E402

# (search, title as listed, movie id): well-known movies of the bundled data, each found by its search.
MOVIES = (
    ("toy story 1995", "Toy Story (1995)", 1),
    ("matrix 1999", "Matrix, The (1999)", 2571),
    ("godfather 1972", "Godfather, The (1972)", 858),
    ("forrest gump", "Forrest Gump (1994)", 356),
    ("pulp fiction", "Pulp Fiction (1994)", 296),
    ("shawshank", "Shawshank Redemption, The (1994)", 318),
    ("jurassic park", "Jurassic Park (1993)", 480),
    ("star wars episode iv", "Star Wars: Episode IV - A New Hope (1977)", 260),
    ("fight club", "Fight Club (1999)", 2959),
    ("amelie", "Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)", 4973),
)
RUN_TAG = time.strftime("%H%M%S")  # profile names carry the run, so a reused MOVIEREC_HOME keeps working
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
STEP_TIMEOUT_MS = 120_000  # one page step; the whole check is bounded by --deadline
POLL_MS = 50  # how often a rating's wait looks at the page
TARGET_P95_S = 3.0  # a team's wait from a rating to its new suggestions, 95th percentile


class Pace:
    """A person's pauses between actions: ``seconds`` on average, each drawn between half and one and a half
    times that (seeded per session, so people drift apart the same way in every run)."""

    def __init__(self, seconds: float, session: int) -> None:
        self.seconds = seconds
        self.draw = random.Random(session)

    async def pause(self) -> None:
        if self.seconds > 0:
            await asyncio.sleep(self.seconds * self.draw.uniform(0.5, 1.5))


def wanted_rating(rater: int, movie: int) -> float:
    """The rating rater ``rater`` gives movie number ``movie``: 5 or ½ stars, the other way round for the next rater."""
    return 5.0 if (rater + movie) % 2 == 0 else 0.5


async def _idle(page: Page) -> None:
    await page.locator(IDLE).wait_for(state="attached", timeout=STEP_TIMEOUT_MS)


async def _open(page: Page, url: str, link: str, heading: str) -> None:
    await page.goto(url)
    await page.get_by_test_id("stSidebarNav").get_by_role("link", name=link).click()
    await page.get_by_role("heading", name=heading).first.wait_for(timeout=STEP_TIMEOUT_MS)


async def _shown_exceptions(page: Page) -> int:
    return await page.get_by_test_id("stException").count()


async def rate(page: Page, url: str, rater: int, n_movies: int, pace: Pace, latencies: list[list[float]]) -> None:
    """Create the rater's profile and rate ``n_movies``; time each rating until its new suggestions are drawn
    (``latencies[k]`` holds the seconds of every rater's rating number ``k``).

    A rating is one key press on the movie's slider, which starts at "not rated": End gives 5 stars, Right
    half a star (the scale's first value). The steps repeated for each movie find elements by CSS and wait
    by polling a few nodes, so that the measuring does not spend the CPU it measures (a role or text query
    walks the whole page).
    """
    profile = f"Rater {rater} {RUN_TAG}"
    await _open(page, url, "Rate", "Rate movies")
    await page.get_by_role("textbox", name="New profile").fill(profile)
    await page.get_by_role("button", name="Create").click()
    await page.get_by_role("heading", name=f"Suggestions for {profile}").wait_for(timeout=STEP_TIMEOUT_MS)
    search = page.locator('input[aria-label="Search a title"]')
    for number, (query, _, movie_id) in enumerate(MOVIES[:n_movies]):
        await pace.pause()  # reading the suggestions
        await search.fill(query)
        await search.press("Enter")
        slider = page.locator(f".st-key-rate_search_grid .st-key-rate_search_{movie_id} input[type=range]")
        await slider.wait_for(timeout=STEP_TIMEOUT_MS)
        await _idle(page)
        await pace.pause()  # finding the movie among the hits
        started = time.monotonic()
        await slider.press("End" if wanted_rating(rater, number) == 5.0 else "ArrowRight")
        # The run that saved the rating has drawn the new count (above the strip) and then the new
        # suggestions.
        await page.wait_for_function(
            f"""() => [...document.querySelectorAll('[data-testid=stProgress]')]
                .some(bar => bar.textContent.startsWith('{number + 1} rated ·'))
              && document.querySelector('{IDLE}') !== null""",
            polling=POLL_MS,
            timeout=STEP_TIMEOUT_MS,
        )
        latencies[number].append(time.monotonic() - started)


async def train(page: Page, url: str, bound_s: float) -> float | None:
    """Start the default preset (the settings a first visit shows) and wait for its result; returns seconds,
    or None when it was still training after ``bound_s`` (it is then stopped)."""
    await _open(page, url, "Train", "Train")
    started = time.monotonic()
    await page.get_by_role("button", name="Start training").click()
    try:
        await page.get_by_role("heading", name="Result: finished").wait_for(timeout=bound_s * 1000)
    except PlaywrightTimeout:
        await page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Stop", exact=True).click()
        return None
    return time.monotonic() - started


async def _choose(page: Page, box: str, option: str) -> None:
    """Pick ``option`` in the select box labelled ``box`` (reopened when a rerun redraws it closed)."""
    for _ in range(5):
        await _idle(page)
        await page.locator(f'input[aria-label="{box}"]').click()
        with contextlib.suppress(PlaywrightTimeout):
            await page.locator('[role="listbox"]').get_by_text(option, exact=True).click(timeout=5_000)
            return
    raise AssertionError(f"{box}: the option {option!r} did not show")


async def explore_embeddings(page: Page, url: str, pace: Pace, until: asyncio.Event) -> int:
    """Keep changing the Embeddings map's axes and colouring until ``until`` is set; returns the redraws."""
    await _open(page, url, "Embeddings", "Movie embeddings")
    redraws = 0
    while not until.is_set():
        for box, option in (("Horizontal axis", "PC2"), ("Colour by", "Main genre"), ("Horizontal axis", "PC1")):
            await _choose(page, box, option)
            await _idle(page)
            await page.locator(".js-plotly-plot").first.wait_for(timeout=STEP_TIMEOUT_MS)
            redraws += 1
            await pace.pause()
    return redraws


async def watch_models(page: Page, url: str, pace: Pace, until: asyncio.Event) -> int:
    """Reload the Models page until ``until`` is set; returns the reloads."""
    reloads = 0
    await _open(page, url, "Models", "Models")
    while not until.is_set():
        await page.reload()
        await page.locator("h1", has_text="Models").first.wait_for(timeout=STEP_TIMEOUT_MS)
        await _idle(page)
        reloads += 1
        await pace.pause()
    return reloads


async def run_sessions(
    browser: Browser, url: str, raters: int, n_movies: int, pause: float, train_bound_s: float
) -> dict:
    contexts = [await browser.new_context(viewport={"width": 1400, "height": 900}) for _ in range(raters + 3)]
    pages = [await context.new_page() for context in contexts]
    for page in pages:
        page.set_default_timeout(STEP_TIMEOUT_MS)
    trainer, explorer, watcher, *rating_pages = pages
    latencies: list[list[float]] = [[] for _ in range(n_movies)]
    raters_done = asyncio.Event()
    has_models_page = (ROOT / "pages" / "models.py").is_file()
    try:
        training = asyncio.create_task(train(trainer, url, train_bound_s))
        side = [asyncio.create_task(explore_embeddings(explorer, url, Pace(pause, 0), raters_done))]
        if has_models_page:
            side.append(asyncio.create_task(watch_models(watcher, url, Pace(pause, raters + 1), raters_done)))
        started = time.monotonic()
        await asyncio.gather(
            *(rate(page, url, n, n_movies, Pace(pause, n), latencies) for n, page in enumerate(rating_pages, 1))
        )
        rating_seconds = time.monotonic() - started
        raters_done.set()
        redraws = await asyncio.gather(*side, return_exceptions=True)
        training_seconds = await training
        exceptions = {n: await _shown_exceptions(page) for n, page in enumerate(pages)}
    finally:
        for context in contexts:
            await context.close()
    return {
        "latencies": latencies,
        "rating_seconds": rating_seconds,
        "training_seconds": training_seconds,
        "embeddings_redraws": _count_or_error(redraws[0]),
        "models_reloads": _count_or_error(redraws[1]) if has_models_page else None,
        "exceptions": sum(exceptions.values()),
    }


def _count_or_error(outcome: int | BaseException) -> int | str:
    return outcome if isinstance(outcome, int) else f"failed: {type(outcome).__name__}: {outcome}".splitlines()[0]


def stored_problems(home: Path, raters: int, n_movies: int) -> list[str]:
    """Every rating that is missing, wrong, or in a profile it was not given to."""
    store = ProfileStore(home / "profiles" / "profiles.sqlite3")
    problems = []
    expected = {
        f"Rater {n} {RUN_TAG}": {movie_id: wanted_rating(n, m) for m, (_, _, movie_id) in enumerate(MOVIES[:n_movies])}
        for n in range(1, raters + 1)
    }
    for profile in store.list_profiles():
        if profile.endswith(RUN_TAG) and profile not in expected:
            problems.append(f"unexpected profile {profile!r}")
    for profile, wanted in expected.items():
        if store.ratings(profile) != wanted:
            problems.append(f"{profile}: stored {store.ratings(profile)}, rated {wanted}")
    return problems


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (``share`` in 0..1) of ``values``."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def _summary(values: list[float]) -> dict[str, float] | None:
    """Median, 95th percentile and worst of ``values`` (None when there are none)."""
    if not values:
        return None
    return {
        "median": round(statistics.median(values), 2),
        "p95": round(percentile(values, 0.95), 2),
        "max": round(max(values), 2),
    }


async def check(home: Path, raters: int, n_movies: int, pause: float, train_bound_s: float) -> dict:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("The load check needs Debian's chromium package: apt-get install chromium")
    with running_app(home) as url:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
            try:
                result = await run_sessions(browser, url, raters, n_movies, pause, train_bound_s)
            finally:
                await browser.close()
    by_number = result.pop("latencies")
    latencies = [seconds for ratings in by_number for seconds in ratings]
    problems = stored_problems(home, raters, n_movies)
    p95 = percentile(latencies, 0.95)
    return {
        "sessions": raters + 2 + (result["models_reloads"] is not None),
        "pause_s": pause,
        "ratings_timed": len(latencies),
        "rating_to_suggestions_s": _summary(latencies),
        # Each rater's first rating (all ten cards new, and the raters' first ratings land together) apart.
        "first_ratings_s": _summary(by_number[0]),
        "later_ratings_s": _summary([seconds for ratings in by_number[1:] for seconds in ratings]),
        **{key: round(value, 1) if isinstance(value, float) else value for key, value in result.items()},
        "rating_problems": problems,
        "p95_target_met": p95 <= TARGET_P95_S,
        "ok": p95 <= TARGET_P95_S
        and not problems
        and result["exceptions"] == 0
        and not any(isinstance(result[key], str) for key in ("embeddings_redraws", "models_reloads")),
    }


def prepared_home(home: Path | None) -> tuple[Path, contextlib.AbstractContextManager]:
    """``home`` as given (or a fresh temporary one), with a quick model of the bundled data to rate with
    when it has none."""
    folder: contextlib.AbstractContextManager = contextlib.nullcontext()
    if home is None:
        temporary = tempfile.TemporaryDirectory(prefix="movierec-load-")
        folder, home = temporary, Path(temporary.name)
    if not any((home / "models").glob("*")):
        model = tiny_model(load_movielens("ml-latest-small"), TINY.with_changes(batch_size=8192, epochs=2, patience=2))
        model.save("load-check", directory=home / "models")
    return home, folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--raters", type=int, default=7, choices=range(1, 21), metavar="1..20")
    parser.add_argument("--movies", type=int, default=10, choices=range(1, len(MOVIES) + 1), metavar="1..10")
    parser.add_argument(
        "--pause", type=float, default=3.0, help="seconds a person pauses between actions, on average (0: none)"
    )
    parser.add_argument("--home", type=Path, help="a MOVIEREC_HOME with a model to rate with (default: a fresh one)")
    parser.add_argument("--deadline", type=float, default=2400, help="seconds before the check gives up")
    parser.add_argument("--train-bound", type=float, default=1200, help="seconds the training may take (then stopped)")
    parser.add_argument("--out", type=Path, help="also write the JSON report here")
    args = parser.parse_args()
    home, cleanup = prepared_home(args.home)
    with cleanup:
        report = asyncio.run(
            asyncio.wait_for(check(home, args.raters, args.movies, args.pause, args.train_bound), args.deadline)
        )
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
