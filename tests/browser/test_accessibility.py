"""axe-core, heading order, mobile width and screenshots of the main reader pages."""
import pytest

from .helpers import SEED_ARTICLE, URGENT_QUERY, describe, run_axe, screenshot, search

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PAGES = {
    "home": "/",
    "results": "/search/?q=numb+feet",
    "article": SEED_ARTICLE,
    "faq": "/faqs/pins-and-needles-in-feet/",
    "not-found": "/no-such-page/",
    "topics": "/topics/",
    "questions": "/faqs/",
    "no-results": "/search/?q=xylophone+elbow",
}


def heading_levels(page) -> list[int]:
    return page.evaluate(
        "() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]"
        ".filter(h => h.getClientRects().length || h.closest('.visually-hidden'))"
        ".map(h => Number(h.tagName[1]))"
    )


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_axe_violations_and_headings_in_order(site, axe_page, name):
    response = axe_page.goto(site + PAGES[name])
    assert response.status == (404 if name == "not-found" else 200)
    violations = run_axe(axe_page)
    assert violations == [], describe(violations)
    levels = heading_levels(axe_page)
    assert levels[0] == 1 and levels.count(1) == 1, levels
    for before, after in zip(levels, levels[1:], strict=False):
        assert after <= before + 1, levels
    screenshot(axe_page, f"{name}-1280")


def test_urgent_results_have_no_axe_violations(site, axe_page):
    search(axe_page, site, URGENT_QUERY)
    violations = run_axe(axe_page)
    assert violations == [], describe(violations)
    screenshot(axe_page, "urgent-results-1280")


def test_urgent_banner_is_not_colour_alone(site, page):
    search(page, site, URGENT_QUERY)
    banner = page.get_by_role("alert")
    label = banner.locator("strong").first
    assert label.inner_text().strip().rstrip(":") == "Emergency"
    # Greyscale still shows it: a border or weight sets it apart, not only its hue.
    style = banner.evaluate(
        "el => { const s = getComputedStyle(el);"
        " return {border: parseFloat(s.borderLeftWidth) || parseFloat(s.borderTopWidth)}; }"
    )
    assert style["border"] > 0, style


def test_no_horizontal_scroll_at_375px(site, mobile_page):
    wide = {}
    for name, path in PAGES.items():
        mobile_page.goto(site + path)
        width = mobile_page.evaluate("document.documentElement.scrollWidth")
        if width > 375:
            wide[name] = width
        screenshot(mobile_page, f"{name}-375")
    assert wide == {}, f"pages wider than the 375 px screen: {wide}"


def test_open_suggestion_list_has_no_axe_violations(site, axe_page):
    axe_page.goto(site + "/")
    axe_page.locator("#home-q").press_sequentially("pins", delay=20)
    axe_page.get_by_role("listbox").wait_for(state="visible")
    axe_page.locator("#home-q").press("ArrowDown")
    violations = run_axe(axe_page)
    assert violations == [], describe(violations)
    screenshot(axe_page, "home-suggestions-1280")
