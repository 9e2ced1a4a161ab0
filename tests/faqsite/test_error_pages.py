"""Every error a reader can meet is a friendly page: no traceback, no path, no setting name.

The database outage is real, not simulated: a child process starts the site with a
DATABASE_URL that cannot be opened (an SQLite file in a missing directory, or a PostgreSQL
port nobody listens on) and asks for pages through Django's test client. The first query then
fails inside the database driver exactly as it would in production.
"""
import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client

from tests.error_urls import SECRET_LOOKING_MESSAGE

LEAKS = [
    "Traceback", 'File "', "RuntimeError", "OperationalError", "PermissionDenied",
    "SuspiciousOperation", "DisallowedHost", "/work/", "site-packages", "SECRET_KEY",
    "DATABASES", "DEBUG", "ALLOWED_HOSTS", "settings.py", SECRET_LOOKING_MESSAGE,
]


def assert_no_leak(body):
    """The page text names nothing a reader should not see."""
    found = [word for word in [*LEAKS, str(settings.BASE_DIR)] if word in body]
    assert not found, f"error page leaks {found}"


@pytest.fixture
def client_500():
    """A client that shows what a reader would get when a view crashes."""
    return Client(raise_request_exception=False)


@pytest.mark.django_db
def test_404_is_friendly():
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()
    assert_no_leak(response.content.decode())


@pytest.mark.urls("tests.error_urls")
def test_500_is_friendly(client_500):
    response = client_500.get("/test-errors/boom/")
    assert response.status_code == 500
    assert "something went wrong" in response.content.decode()
    assert_no_leak(response.content.decode())


@pytest.mark.urls("tests.error_urls")
def test_403_is_friendly(client_500):
    response = client_500.get("/test-errors/forbidden/")
    assert response.status_code == 403
    assert "You do not have access to this page" in response.content.decode()
    assert_no_leak(response.content.decode())


@pytest.mark.urls("tests.error_urls")
def test_400_is_friendly(client_500):
    response = client_500.get("/test-errors/suspicious/")
    assert response.status_code == 400
    assert "We could not understand that request" in response.content.decode()
    assert_no_leak(response.content.decode())


def test_unknown_host_gets_the_friendly_400(client_500):
    response = client_500.get("/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert "We could not understand that request" in response.content.decode()
    assert_no_leak(response.content.decode())


# Runs in a child process whose only database cannot be reached.
OUTAGE_SCRIPT = """
import json, sys
import django
django.setup()
from django.test import Client
from django.test.utils import override_settings

pages = {}
with override_settings(ROOT_URLCONF="tests.error_urls"):
    client = Client(raise_request_exception=False)
    for path in sys.argv[1:]:
        if path == "/admin/":
            # A signed-in editor: loading the session needs the database.
            client.cookies["sessionid"] = "s" * 32
        response = client.get(path)
        pages[path] = {
            "status": response.status_code,
            "headers": dict(response.headers),
            "body": response.content.decode(),
        }
print(json.dumps(pages))
"""
HTML_PAGES = ["/", "/faqs/", "/test-errors/db/", "/admin/"]
API_PAGES = ["/api/test-errors/db/"]


def pages_during_outage(database_url):
    """Status, headers and body of each page, served while the database is unreachable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(DJANGO_SETTINGS_MODULE="faqsite.settings.test", DATABASE_URL=database_url)
    done = subprocess.run(
        [sys.executable, "-c", OUTAGE_SCRIPT, *HTML_PAGES, *API_PAGES],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(
    params=["sqlite", "postgresql"],
    ids=["sqlite-missing-directory", "postgresql-nobody-listening"],
)
def outage(request, tmp_path):
    urls = {
        "sqlite": f"sqlite:///{tmp_path}/no-such-directory/db.sqlite3",
        # Port 1 on loopback: the connection is refused at once.
        "postgresql": "postgres://reader:not-a-password@127.0.0.1:1/symptoms",
    }
    return pages_during_outage(urls[request.param])


def test_database_outage_gives_friendly_503_pages(outage):
    for path in HTML_PAGES:
        page = outage[path]
        assert page["status"] == 503, (path, page["body"][:500])
        assert page["headers"]["Content-Type"].startswith("text/html"), path
        assert page["headers"]["Retry-After"] == "120", path
        assert "temporarily unavailable" in page["body"], path
        assert "Content-Security-Policy" in page["headers"], path
        assert_no_leak(page["body"])
        assert "127.0.0.1:1" not in page["body"] and "sqlite" not in page["body"]


def test_database_outage_gives_json_503_for_the_api(outage):
    for path in API_PAGES:
        page = outage[path]
        assert page["status"] == 503, (path, page["body"][:500])
        assert page["headers"]["Content-Type"] == "application/json", path
        assert page["headers"]["Retry-After"] == "120", path
        assert json.loads(page["body"])["error"] == "unavailable"
        assert_no_leak(page["body"])



@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/search/?q=numb+feet", "/api/search?q=numb+feet"])
def test_missing_search_index_is_not_named(client_500, index_dir, path):
    # The autouse index_dir fixture points at a directory that does not exist yet.
    response = client_500.get(path)
    assert response.status_code in (200, 503)
    assert "temporarily unavailable" in response.content.decode()
    assert str(index_dir) not in response.content.decode()
    assert_no_leak(response.content.decode())
