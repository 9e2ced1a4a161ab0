"""Settings for the CSP browser check: the test settings plus a sign-in and script injector.

Used only by tests/faqsite/test_csp_browser.py, in a server process of its own.
"""
from pathlib import Path

from faqsite.settings.test import *  # noqa: F403
from faqsite.settings.test import MIDDLEWARE, env

ROOT_URLCONF = "tests.csp_browser_site"
MIDDLEWARE = [*MIDDLEWARE]
MIDDLEWARE.insert(
    MIDDLEWARE.index("csp.middleware.CSPMiddleware") + 1, "tests.csp_browser_site.InjectHarness"
)
# The test settings pin the index to var/; this server builds its own in a temporary directory.
# (pytest's doctest collection imports this module too, without that variable.)
_index = env("SEARCH_INDEX_DIR", default=str(BASE_DIR / "var" / "csp-index"))  # noqa: F405
SEARCH_INDEX = {**SEARCH_INDEX, "PATH": Path(_index)}  # noqa: F405
