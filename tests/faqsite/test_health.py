"""The public health endpoint: fixed words, the right status code, nothing an attacker can use."""
import json
import os
import shutil
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from search_index.backends.whoosh.searcher import close_searcher
from search_index.models import IndexChange
from search_index.sync import rebuild as indexer
from tests.faqsite.test_error_pages import assert_no_leak
from tests.index_factories import make_section

KEYS = {"status", "database", "index", "pending_changes", "oldest_pending_seconds", "documents"}


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


@pytest.fixture
def built(db, settings):
    """One published section in a built index, saved without the signals' queue."""
    settings.SEARCH_INDEX = {**settings.SEARCH_INDEX, "AUTO_UPDATE": False}
    make_section()
    indexer.rebuild()
    yield
    close_searcher()


def test_healthy_site_answers_200_ok(built, client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    assert response.json() == {
        "status": "ok", "database": "ok", "index": "ok", "pending_changes": 0,
        "oldest_pending_seconds": 0,
        "documents": {"in_step": True, "versions_recorded": True, "differing": 0, "waiting": 0,
                      "examples": {}},
    }


def test_pending_changes_are_counted(built, client):
    indexer.enqueue("section", make_section().pk)
    indexer.enqueue("section", make_section().pk)
    assert client.get("/health").json()["pending_changes"] == 2
    indexer.apply_pending()
    assert client.get("/health").json()["pending_changes"] == 0


def test_a_stuck_queue_shows_its_age_while_the_site_stays_up(built, client):
    indexer.enqueue("section", make_section().pk)
    IndexChange.objects.update(created_at=timezone.now() - timedelta(minutes=30))
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["pending_changes"] == 1
    assert 30 * 60 <= body["oldest_pending_seconds"] < 31 * 60


def test_missing_index_is_degraded_without_naming_it(built, client, index_dir):
    shutil.rmtree(index_dir)
    response = client.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body == {
        "status": "degraded", "database": "ok", "index": "unavailable", "pending_changes": 0,
        "oldest_pending_seconds": 0, "documents": None,
    }
    text = response.content.decode()
    assert str(index_dir) not in text and "index_dir" not in text
    assert_no_leak(text)


def test_damaged_index_detail_stays_out_of_the_response(built, client, index_dir):
    next(index_dir.glob("*.toc")).write_bytes(b"not a table of contents")
    response = client.get("/health")
    assert response.status_code == 503
    assert set(response.json()) == KEYS  # no "error", "path" or "detail" key sneaks in
    assert_no_leak(response.content.decode())


def test_health_is_read_only(built, client):
    assert client.head("/health").status_code == 200
    assert client.post("/health").status_code == 405


# A child process whose database cannot be opened asks for /health (compare test_error_pages).
OUTAGE_SCRIPT = """
import json
import django
django.setup()
from django.test import Client
response = Client(raise_request_exception=False).get("/health")
print(json.dumps({"status": response.status_code, "body": response.content.decode()}))
"""


def test_database_outage_is_degraded_and_hides_the_error(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="faqsite.settings.test",
        DATABASE_URL=f"sqlite:///{tmp_path}/no-such-directory/db.sqlite3",
    )
    done = subprocess.run(
        [sys.executable, "-c", OUTAGE_SCRIPT], cwd=settings.BASE_DIR, env=env,
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    page = json.loads(done.stdout.strip().splitlines()[-1])
    assert page["status"] == 503
    body = json.loads(page["body"])
    assert body["status"] == "degraded" and body["database"] == "error"
    assert body["pending_changes"] is None and body["oldest_pending_seconds"] is None
    assert_no_leak(page["body"])
    assert "sqlite" not in page["body"] and str(tmp_path) not in page["body"]


def test_a_node_left_behind_by_the_change_log_is_degraded_until_rebuilt(built, client):
    from search_index.models import IndexNode

    IndexNode.objects.update(needs_rebuild=True)  # as pruning marks a node away too long
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["index"] == "rebuilding"
    indexer.apply_pending()
    assert client.get("/health").json()["index"] == "ok"
