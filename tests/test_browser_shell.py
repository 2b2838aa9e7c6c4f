"""A page URL opened first on a fresh server still shows the app's menu and sidebar."""

from __future__ import annotations

import pytest

from tests.conftest import running_app

pytestmark = pytest.mark.browser


def test_direct_page_url_on_a_fresh_server_keeps_the_shell(page, tmp_path, screenshots):
    with running_app(tmp_path) as url:
        page.goto(f"{url}/train")
        page.get_by_role("heading", name="Train").wait_for()
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_text("Dataset", exact=True).wait_for()
        for title in ("Overview", "Train", "Rate", "Embeddings"):
            assert sidebar.get_by_role("link", name=title).count() == 1
        page.screenshot(path=screenshots / "shell-direct-train-url.png")


# Records, whenever an element turns stale (a rerun is under way), how it changes: its transition's duration
# and delay, and those of each expander's box around it.
RECORD_STALE_FADES = """() => {
    window.staleFades = [];
    const fade = element => {
        const style = getComputedStyle(element);
        return `${style.transitionDuration} after ${style.transitionDelay}`;
    };
    new MutationObserver(records => {
        for (const record of records) {
            if (record.target.getAttribute('data-stale') !== 'true') continue;
            window.staleFades.push(fade(record.target));
            const box = record.target.closest('[data-testid=stExpander]');
            if (box) window.staleFades.push(`box ${fade(box.querySelector('details'))}`);
        }
    }).observe(document.body, {subtree: true, attributes: true, attributeFilter: ['data-stale']});
}"""

# Every element of the page whose changes would be drawn as a fade over several frames.
FADING = """() => [...document.querySelectorAll('*')]
    .filter(element => getComputedStyle(element).transitionDuration.split(', ').some(d => d !== '0s'))
    .map(element => element.getAttribute('data-testid') || element.tagName)"""

# How each folded expander's box (which holds no element to mark it stale) changes: duration after delay.
FOLDED_BOXES = """() => [...document.querySelectorAll('[data-testid=stExpander] details:not([open])')].map(box => {
    const style = getComputedStyle(box);
    return `${style.transitionDuration} after ${style.transitionDelay}`;
})"""


def test_nothing_fades_and_parts_awaiting_a_rerun_dim_in_one_step_after_a_second(page, app_url):
    """Streamlit fades stale elements over a second, and controls' colours on hover, repainting the page on
    every frame; the app's style changes colours at once and dims stale parts in one step, late enough that
    a quick rerun does not flash."""
    page.goto(f"{app_url}/train")
    epochs = page.get_by_role("spinbutton", name="Maximum epochs", exact=True)
    epochs.wait_for()
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(state="attached")
    assert page.evaluate(FADING) == []
    assert set(page.evaluate(FOLDED_BOXES)) == {"0s, 0s after 1s, 1s"}  # the sidebar's folded boxes
    page.evaluate(RECORD_STALE_FADES)
    epochs.fill("7")
    epochs.press("Enter")
    page.wait_for_function("window.staleFades.length > 1")
    fades = page.evaluate("window.staleFades")
    assert set(fades) == {"0s after 1s", "box 0s, 0s after 1s, 1s"}, fades
