"""The site and the admin work in a real browser under the Content Security Policy.

A server process runs the site on a fresh database with the seed content; headless Chromium
opens each page. Chromium reports every blocked inline script or style on its console, which
this test reads. On admin pages a same-origin harness script (tests/csp_harness.js) then uses
the widgets: adds inline rows, opens the autocomplete boxes (which fetch results), opens the
calendars and fills a title so the slug is prepopulated, and reports what it saw.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.conf import settings

pytestmark = pytest.mark.slow

CHROMIUM = next(
    (path for name in ("chromium", "chromium-browser", "google-chrome")
     if (path := shutil.which(name))),
    None,
)
BLOCKED = "Content Security Policy"
PUBLIC_PAGES = [
    "/", "/topics/", "/faqs/", "/search/?q=numb+feet",
    "/search/?q=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E", "/articles/numb-legs-and-feet/",
    "/no-such-page/", "/test-errors/boom/", "/test-errors/forbidden/", "/admin/login/",
]
PKS_SCRIPT = """
import json
from faq.models import FAQ, Article, Section
print(json.dumps({"article": Article.objects.first().pk, "faq": FAQ.objects.first().pk,
                  "section": Section.objects.first().pk}))
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env, *args):
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env,
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def wait_until_up(url, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback URL we built
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"the test server did not answer at {url}")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Base URL of a running site with the seed content, and the pks of its seed objects."""
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed")
    tmp = tmp_path_factory.mktemp("csp-site")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.csp_browser_settings",
        DATABASE_URL=f"sqlite:///{tmp}/db.sqlite3",
        SEARCH_INDEX_DIR=str(tmp / "index"),
        DJANGO_SUPERUSER_PASSWORD="csp-check-orchard-lantern-58",
    )
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_seed", "-v0")
    manage(env, "rebuild_index", "-v0")
    manage(env, "createsuperuser", "--noinput", "--username", "csp-root", "--email", "r@x.org")
    pks = json.loads(manage(env, "shell", "-c", PKS_SCRIPT).strip().splitlines()[-1])
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/csp-harness.js")
        yield base, pks, tmp
    finally:
        server.terminate()
        server.wait(timeout=10)


def console_of(url, profile):
    """What the page wrote on the browser console while it loaded and the harness ran."""
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}",
         "--enable-logging=stderr", "--v=0", "--virtual-time-budget=8000", "--dump-dom", url],
        capture_output=True, text=True, timeout=120,
    )
    return [line for line in done.stderr.splitlines() if ":CONSOLE" in line]


def harness_report(lines):
    """The counts the harness printed, as a dict."""
    found = [line for line in lines if "HARNESS DONE" in line]
    assert found, "the harness script did not run (blocked, or the page broke)"
    return dict(re.findall(r"([\w-]+)=([\w-]+)", found[-1].split("HARNESS DONE", 1)[1]))


def test_the_console_check_sees_a_violation(tmp_path):
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed")
    page = (
        "data:text/html,<meta http-equiv='Content-Security-Policy' content=\"style-src 'self'\">"
        "<p style='color:red'>x</p>"
    )
    assert any(BLOCKED in line for line in console_of(page, tmp_path / "profile"))


def test_public_and_error_pages_load_without_violations(site):
    base, _, tmp = site
    for path in PUBLIC_PAGES:
        lines = console_of(base + path, tmp / "profile")
        assert [line for line in lines if BLOCKED in line] == [], path


def admin_page(base, path):
    return f"{base}/csp-sign-in/?next={path}"


def test_admin_widgets_work_under_the_policy(site):
    base, pks, tmp = site
    pages = {
        f"/admin/faq/article/{pks['article']}/change/": ("inline-rows", "select2-results",
                                                          "calendars"),
        f"/admin/faq/faq/{pks['faq']}/change/": ("select2-results",),
        f"/admin/faq/section/{pks['section']}/change/": ("select2-results",),
        "/admin/faq/article/add/": ("inline-rows", "calendars"),
        "/admin/faq/faq/": ("selected-rows",),
        "/admin/": (),
    }
    for path, working in pages.items():
        lines = console_of(admin_page(base, path), tmp / "profile")
        assert [line for line in lines if BLOCKED in line] == [], path
        report = harness_report(lines)
        for counter in working:
            assert int(report[counter]) > 0, (path, counter, report)
        if path.endswith("/add/"):
            assert report["slug"] == "numb-toes-at-night"  # prepopulate.js ran
