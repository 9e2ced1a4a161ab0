"""Browser fixtures: the live dev server with the seed and a built index, and headless Chromium.

Chromium comes from Debian's packages and axe-core from npm (`make browser-deps` installs
both); Playwright only drives the browser and never downloads one.
"""
import pytest
from django.core.management import call_command

from search_index.suggest import cache as suggestion_cache

from .helpers import AXE_JS, CHROMIUM, CHROMIUM_ARGS, DESKTOP, MOBILE


def require(path, what: str) -> None:
    if not path.exists():
        pytest.fail(f"{what} is missing ({path}); run `make browser-deps` to install it.")


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module (the async switch below ends with it)."""
    require(CHROMIUM, "Debian's chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop on this thread between calls, so Django
    # would refuse the tests' own (synchronous) database work without this switch.
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        # Playwright adds its own fresh --user-data-dir for every launch.
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()
    monkeypatch.undo()


@pytest.fixture
def site(transactional_db, live_server, index_dir):
    """The live server's address, serving the seed content with its search index built."""
    call_command("load_seed", verbosity=0)
    call_command("rebuild_index", verbosity=0)
    suggestion_cache.clear()
    yield live_server.url
    suggestion_cache.clear()


class PageWatch:
    """Console errors and failed sub-requests seen by a page (CSP refusals show up here)."""

    SUBRESOURCES = {"stylesheet", "script", "fetch", "xhr", "image", "font"}

    def __init__(self, page):
        self.errors = []
        page.on("console", self._console)
        page.on("response", self._response)
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))

    def _console(self, message):
        # A failed load is reported by _response with its address; the console repeats it.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(message.text)

    def _response(self, response):
        # Chromium asks for /favicon.ico on its own; the site has none.
        wanted = response.request.resource_type in self.SUBRESOURCES
        if response.status >= 400 and wanted and not response.url.endswith("/favicon.ico"):
            self.errors.append(f"{response.status} {response.url}")


def new_page(browser, viewport=DESKTOP, **options):
    context = browser.new_context(viewport=viewport, **options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.watch = PageWatch(page)
    return page


@pytest.fixture
def page(browser):
    """A desktop-sized page in a fresh context, under the site's real CSP."""
    page = new_page(browser)
    yield page
    page.context.close()


@pytest.fixture
def mobile_page(browser):
    """A 375 px wide touch page in a fresh context."""
    page = new_page(browser, viewport=MOBILE, is_mobile=True, has_touch=True)
    yield page
    page.context.close()


@pytest.fixture
def axe_page(browser):
    """A desktop page that may inject axe-core (the CSP refuses injected inline scripts)."""
    require(AXE_JS, "axe-core")
    page = new_page(browser, bypass_csp=True)
    yield page
    page.context.close()
