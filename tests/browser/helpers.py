"""Shared constants and page helpers for the browser tests."""
import json
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings

CHROMIUM = Path("/usr/bin/chromium")
BROWSER_DIR = Path(__file__).resolve().parent
AXE_JS = BROWSER_DIR / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOT_DIR = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
# Without the networking flags Chromium keeps calling Google's hosts, which this network refuses.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 375, "height": 740}
SEED_ARTICLE = "/articles/numb-legs-and-feet/"
URGENT_QUERY = "sudden numbness on one side of my face and slurred speech"


def run_axe(page) -> list[dict]:
    """axe-core's violations on the current page, each with up to five offending elements."""
    page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
        }"""
    )


def describe(violations: list[dict]) -> str:
    return json.dumps(violations, indent=1)


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot for people to look at (test-artifacts/ is git-ignored)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def search(page, base_url: str, query: str) -> None:
    """Open the results page for `query` the way a link would."""
    page.goto(f"{base_url}/search/?{urlencode({'q': query})}")
