"""A save does not wait for another writer: the lock's holder applies the save's change.

One process rebuilds a few thousand documents (holding the writer lock for seconds); another
saves a section meanwhile. The save must return at once, leaving its change queued, and the
rebuilding process, once it lets go of the lock, must apply it without any queue worker.
"""
import json

import pytest

from tests.search_index.sync.test_index_faults import django_shell, manage, manage_env

pytestmark = pytest.mark.slow

DRIVER = """
import json, os, time
from django.db import connections
from faq.models import Article, Section
from search_index.sync import rebuild as indexer
from search_index.backends.whoosh.storage import IndexLocked, open_index, writer_lock

article = Article.objects.create(title="Busy", slug="busy", summary="s", status="published")
Section.objects.bulk_create(
    Section(article=article, heading=f"h{n}", slug=f"s{n}", body="numb feet " * 30, order=n)
    for n in range(3000)
)
indexer.rebuild()


def lock_busy():
    try:
        with writer_lock(timeout=0):
            return False
    except IndexLocked:
        return True


pid = os.fork()
if pid == 0:
    for connection in connections.all():
        connection.connection = None  # its own database connection, not the parent's
    try:
        indexer.rebuild()
    finally:
        os._exit(0)
while not lock_busy():
    time.sleep(0.01)
section = Section.objects.order_by("pk").first()
section.heading = "Saved while the index was being rebuilt"
started = time.monotonic()
section.save()
took = time.monotonic() - started
held_on = lock_busy()
queued = indexer.pending_changes().count()
os.waitpid(pid, 0)
with open_index(create=False).searcher() as searcher:
    stored = searcher.document(doc_id=f"section:{section.pk}")
print(json.dumps({"took": took, "lock_still_held": held_on, "queued": queued,
                  "title": stored["title"], "pending": indexer.pending_changes().count()}))
"""


def test_a_save_during_a_rebuild_returns_at_once_and_the_rebuild_applies_it(tmp_path):
    env = manage_env(tmp_path, SEARCH_AUTO_UPDATE="1")
    assert manage(env, "migrate", "-v0").returncode == 0
    done = django_shell(env, DRIVER)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(result)
    assert result["lock_still_held"], result  # else the save did not overlap the rebuild
    assert result["took"] < 1.0, result
    assert result["queued"] == 1, result
    assert result["title"] == "Saved while the index was being rebuilt", result
    assert result["pending"] == 0, result


KILLED_REBUILDS = """
import json, os, signal, time
from django.conf import settings
from django.db import connections
from faq.models import Article, Section
from search_index.sync import rebuild as indexer
from search_index.backends.whoosh.storage import IndexLocked, writer_lock

article = Article.objects.create(title="Busy", slug="busy", summary="s", status="published")
Section.objects.bulk_create(
    Section(article=article, heading=f"h{n}", slug=f"s{n}", body="numb feet " * 30, order=n)
    for n in range(8000)
)
indexer.rebuild()
folder = settings.SEARCH_INDEX["PATH"]
clean = sorted(os.listdir(folder))


def lock_busy():
    try:
        with writer_lock(timeout=0):
            return False
    except IndexLocked:
        return True


for delay in (0.1, 0.4, 0.8):
    pid = os.fork()
    if pid == 0:
        for connection in connections.all():
            connection.connection = None
        try:
            indexer.rebuild()
        finally:
            os._exit(0)
    while not lock_busy():
        time.sleep(0.01)
    time.sleep(delay)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
print(json.dumps({"clean": clean, "after_kills": sorted(os.listdir(folder))}))
"""

FILES = """
import json, os
from django.conf import settings
from search_index.backends.whoosh.storage import open_index
with open_index(create=False).searcher() as searcher:
    count = searcher.doc_count()
print(json.dumps({"files": sorted(os.listdir(settings.SEARCH_INDEX["PATH"])), "count": count}))
"""


def test_killed_rebuilds_leave_no_files_after_the_next_start(tmp_path):
    env = manage_env(tmp_path, SEARCH_AUTO_UPDATE="1")
    assert manage(env, "migrate", "-v0").returncode == 0
    done = django_shell(env, KILLED_REBUILDS)
    assert done.returncode == 0, done.stderr[-3000:]
    killed = json.loads(done.stdout.strip().splitlines()[-1])
    print(killed)
    assert set(killed["after_kills"]) > set(killed["clean"])  # the kills did leave files
    assert manage(env, "process_index_queue", "-v0").returncode == 0  # the worker's start
    after = json.loads(django_shell(env, FILES).stdout.strip().splitlines()[-1])
    assert after == {"files": killed["clean"], "count": 8000}
