"""Reader journeys in headless Chromium against the live server: search, results, articles."""
import re

import pytest

from .helpers import SEED_ARTICLE, URGENT_QUERY, search

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_home_search_to_highlighted_article_section(site, page):
    page.goto(site + "/")
    box = page.get_by_role("combobox", name="Describe your symptoms")
    box.fill("legs fall asleep when sitting")
    box.press("Enter")
    page.wait_for_url("**/search/?*")
    assert page.locator(".search-results .search-hit").count() >= 3
    first = page.locator(".search-results .search-hit-title a").first
    href = first.get_attribute("href")
    assert href.startswith(SEED_ARTICLE + "#"), href
    first.click()
    anchor = href.split("#", 1)[1]
    page.wait_for_url(f"**{SEED_ARTICLE}#{anchor}")
    section = page.locator(f"[id='{anchor}']")
    assert section.evaluate("el => el.matches(':target')")
    # Smooth scrolling may still be moving; wait until the section's top is on screen.
    page.wait_for_function(
        "id => { const r = document.getElementById(id).getBoundingClientRect();"
        " return r.top >= 0 && r.top < window.innerHeight; }",
        arg=anchor,
    )
    heading_bg = section.locator("h2").evaluate("h => getComputedStyle(h).backgroundColor")
    other = page.locator(".section:not(:target) > h2").first
    assert heading_bg != other.evaluate("h => getComputedStyle(h).backgroundColor")
    assert page.watch.errors == []


def test_urgent_query_shows_emergency_banner_before_results(site, page):
    search(page, site, URGENT_QUERY)
    banner = page.get_by_role("alert")
    assert banner.count() == 1
    assert banner.inner_text().startswith("Emergency")
    # The banner comes first in reading order: before the heading and every result.
    order = page.evaluate(
        """() => {
            const all = [...document.querySelectorAll('body *')];
            return [all.indexOf(document.querySelector('[role=alert]')),
                    all.indexOf(document.querySelector('main h1')),
                    all.indexOf(document.querySelector('.search-results'))];
        }"""
    )
    assert order[0] < order[1] < order[2], order
    assert page.locator(".search-hit").count() > 0


@pytest.mark.parametrize("query", ["I want to kill myself", "thinking about sucide"])
def test_crisis_message_is_the_first_thing_seen_and_read(site, page, query):
    search(page, site, query)
    alert = page.get_by_role("alert")
    assert alert.count() == 1
    text = alert.inner_text()
    assert text.startswith("Crisis support") and "988" in text and "116 123" in text
    # First on the page as a sighted reader scans it...
    first_line = page.evaluate("() => document.body.innerText.trim().split('\\n')[0]")
    assert first_line.startswith("Crisis support"), first_line
    # ...and first in the accessibility tree a screen reader walks.
    tree = page.locator("body").aria_snapshot().splitlines()
    assert "Get help now" in tree[0] and "alert" in tree[1], tree[:3]
    call = page.get_by_role("link", name="988")
    assert call.get_attribute("href") == "tel:988"
    # No results for the typed words: the support heading, never a count of their matches.
    assert page.get_by_role("heading", name="Support and information").count() == 1
    assert page.locator(".search-count", has_text=query).count() == 0


def test_misspelling_offers_the_right_word(site, page):
    search(page, site, "siatica")
    suggestion = page.locator(".search-suggestion")
    text = suggestion.inner_text()
    assert re.search(r"did you mean|showing results for", text, re.IGNORECASE), text
    assert "sciatica" in text
    assert page.locator(".search-hit").count() > 0


def focused_id(page) -> str:
    return page.evaluate("document.activeElement.id")


def test_tab_reaches_skip_link_then_search_box(site, page):
    page.goto(site + SEED_ARTICLE)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    assert page.locator(".skip-link").is_visible()  # it shows itself when focused
    page.keyboard.press("Tab")  # the site name
    page.keyboard.press("Tab")
    assert focused_id(page) == "header-q"
    page.keyboard.type("numb toes", delay=5)
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=numb+toes")


def test_keyboard_only_search(site, page):
    page.goto(site + "/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the skip link: focus moves to the main content
    page.keyboard.press("Tab")
    assert focused_id(page) == "home-q"
    page.keyboard.type("burning feet diabetes", delay=5)
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=burning+feet+diabetes")
    # Tab through the page until a result link has the focus.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('.search-hit-title')"):
            break
    else:
        pytest.fail("no search result is reachable with the Tab key")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{SEED_ARTICLE}#*")


def test_search_as_you_type_with_the_keyboard(site, page):
    page.goto(site + "/")
    box = page.get_by_role("combobox", name="Describe your symptoms")
    box.press_sequentially("n", delay=20)
    page.wait_for_timeout(400)
    assert box.get_attribute("aria-expanded") == "false"  # one letter asks nothing
    box.press_sequentially("u", delay=20)
    listbox = page.get_by_role("listbox")
    listbox.wait_for(state="visible")
    options = listbox.get_by_role("option")
    assert 1 <= options.count() <= 8
    assert box.get_attribute("aria-expanded") == "true"
    assert "Topic: Why are my legs and feet numb?" in options.first.inner_text()
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
    assert options.first.get_attribute("aria-selected") == "true"
    box.press("Enter")
    page.wait_for_url(f"**{SEED_ARTICLE}")
    assert page.watch.errors == []  # the script ran under the site's CSP without refusals


def test_search_works_without_javascript(site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/")
    page.fill("#home-q", "burning feet diabetes")
    page.click(".hero-search button")
    page.wait_for_url("**/search/?q=*")
    assert page.locator(".search-hit").count() > 0
    assert page.locator("[role=combobox]").count() == 0  # the plain form, untouched
    context.close()
