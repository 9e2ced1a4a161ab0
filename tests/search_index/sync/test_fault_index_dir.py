"""What readers, monitors and editors meet when the index directory is damaged, full or read-only.

Damage: the pages answer "temporarily unavailable" (200 page, 503 API), /health says degraded,
and rebuild_index restores everything; no 500 and no traceback. Disk full and read-only are
real: a tiny tmpfs that fills up, remounted read-only (root ignores permission bits, so chmod
would prove nothing). Saves still commit, the change waits, and a later drain applies it.
"""
import contextlib
import errno
import logging
import shutil
import subprocess
import time

import pytest
from django.core.management import call_command
from django.test import Client

from search_index.backends.whoosh.searcher import close_searcher
from search_index.models import IndexChange
from search_index.sync import rebuild as indexer
from tests.faqsite.test_error_pages import assert_no_leak
from tests.index_factories import make_article, make_section
from tests.search_index.sync.test_index_faults import DAMAGE

pytestmark = pytest.mark.django_db

UNAVAILABLE = "temporarily unavailable"


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


@pytest.fixture
def built(settings):
    """Published sections about numb feet in a built index; saves queue nothing by themselves."""
    settings.SEARCH_INDEX = {**settings.SEARCH_INDEX, "AUTO_UPDATE": False}
    article = make_article(title="Numb feet")
    sections = [make_section(article, heading="Numb toes at night") for _ in range(2)]
    indexer.rebuild()
    yield sections
    close_searcher()


def assert_search_works(client):
    page = client.get("/search/?q=numb")
    assert page.status_code == 200
    assert "Numb toes at night" in page.content.decode()
    api = client.get("/api/search?q=numb")
    assert api.status_code == 200 and api.json()["total"] == 2
    health = client.get("/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"


def assert_search_unavailable(client, index_dir):
    page = client.get("/search/?q=numb")
    assert page.status_code == 200
    api = client.get("/api/search?q=numb")
    assert api.status_code == 503 and api["Content-Type"] == "application/json"
    assert UNAVAILABLE in api.json()["error"]
    health = client.get("/health")
    assert health.status_code == 503
    assert health.json()["status"] == "degraded" and health.json()["index"] == "unavailable"
    for response in (page, api, health):
        text = response.content.decode()
        assert str(index_dir) not in text
        assert_no_leak(text)  # no traceback, path or setting name
    assert UNAVAILABLE in page.content.decode()


@pytest.mark.parametrize("moment", ["startup", "serving"])
@pytest.mark.parametrize("damage", DAMAGE, ids=lambda f: f.__name__)
def test_damaged_index_dir_is_unavailable_then_rebuild_restores(
    built, client, index_dir, damage, moment, caplog
):
    if moment == "serving":
        assert_search_works(client)  # a cached searcher is open when the damage happens
        time.sleep(0.01)  # a file rewritten in place gets a new modification time
    else:
        close_searcher()  # a fresh process: nothing cached yet
    damage(index_dir)
    search_logger = logging.getLogger("search_index")  # it does not propagate to caplog's
    search_logger.addHandler(caplog.handler)
    try:
        assert_search_unavailable(client, index_dir)
    finally:
        search_logger.removeHandler(caplog.handler)
    # Known damage is one log line for the operators, not a traceback per request.
    assert any("unavailable" in r.getMessage() for r in caplog.records)
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []
    call_command("rebuild_index", verbosity=0)
    assert_search_works(client)


# Disk full and read-only: a real filesystem of its own for the index and its lock file.


@pytest.fixture
def small_disk(tmp_path, settings):
    """A 512 KB tmpfs holding the index directory and its lock; unmounted afterwards."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    done = subprocess.run(  # noqa: S603
        ["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mount_point)],  # noqa: S607
        capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.strip()}")
    settings.SEARCH_INDEX = {**settings.SEARCH_INDEX, "PATH": mount_point / "index"}
    try:
        yield mount_point
    finally:
        close_searcher()
        subprocess.run(["umount", "-l", str(mount_point)], check=False)  # noqa: S603, S607


def remount(mount_point, mode):
    close_searcher()  # nothing of ours open while the mount changes
    subprocess.run(  # noqa: S603
        ["mount", "-o", f"remount,{mode}", str(mount_point)], check=True  # noqa: S607
    )


def fill(mount_point):
    """Write until the filesystem refuses: big blocks first, then single bytes."""
    filler = mount_point / "filler"
    with open(filler, "wb", buffering=0) as out:
        for size in (65536, 4096, 1):
            with contextlib.suppress(OSError):
                while True:
                    out.write(b"x" * size)
    with pytest.raises(OSError) as full:
        (mount_point / "probe").write_bytes(b"x" * 4096)
    assert full.value.errno == errno.ENOSPC
    return filler


def save_with_auto_update(settings, capture, section, heading):
    """An editor's save as a request makes it: the index is updated after the commit."""
    settings.SEARCH_INDEX = {**settings.SEARCH_INDEX, "AUTO_UPDATE": True}
    with capture(execute=True):
        section.heading = heading
        section.save()  # must return normally whatever the index does
    settings.SEARCH_INDEX = {**settings.SEARCH_INDEX, "AUTO_UPDATE": False}


def stored_title(section):
    from search_index.backends.whoosh.storage import open_index

    with open_index(create=False).searcher() as searcher:
        return searcher.document(doc_id=f"section:{section.pk}")["title"]


# The worker closes a connection that failed, which PostgreSQL cannot reopen inside a test
# transaction: these tests commit for real.
@pytest.mark.django_db(transaction=True)
def test_disk_full_save_commits_and_change_waits_until_space_returns(
    built, small_disk, settings, client, django_capture_on_commit_callbacks
):
    indexer.rebuild()  # the index now lives on the small disk
    filler = fill(small_disk)
    section = built[0]
    save_with_auto_update(settings, django_capture_on_commit_callbacks, section, "Numb heels")
    section.refresh_from_db()
    assert section.heading == "Numb heels"  # the content row committed
    change = IndexChange.objects.get(object_id=section.pk, applied_at__isnull=True)
    assert change.attempts >= 1 and change.last_error
    assert stored_title(section) == "Numb toes at night"  # the old version still serves
    assert client.get("/api/search?q=numb").status_code == 200
    filler.unlink()
    call_command("process_index_queue", verbosity=0)
    assert not indexer.pending_changes().exists()
    assert stored_title(section) == "Numb heels"
    assert indexer.index_status()["in_step"]


# The worker closes a connection that failed, which PostgreSQL cannot reopen inside a test
# transaction: these tests commit for real.
@pytest.mark.django_db(transaction=True)
def test_read_only_index_dir_save_commits_and_change_waits_until_writable(
    built, small_disk, settings, client, django_capture_on_commit_callbacks
):
    indexer.rebuild()
    remount(small_disk, "ro")
    with pytest.raises(OSError) as refused:
        (small_disk / "index" / "probe").write_bytes(b"x")
    assert refused.value.errno == errno.EROFS  # really read-only, even for root
    section = built[0]
    save_with_auto_update(settings, django_capture_on_commit_callbacks, section, "Numb heels")
    section.refresh_from_db()
    assert section.heading == "Numb heels"
    change = IndexChange.objects.get(object_id=section.pk, applied_at__isnull=True)
    assert change.attempts >= 1 and change.last_error
    assert client.get("/health").json()["index"] == "ok"  # reading still works
    assert client.get("/api/search?q=numb").json()["total"] == 2
    remount(small_disk, "rw")
    call_command("process_index_queue", verbosity=0)
    assert not indexer.pending_changes().exists()
    assert stored_title(section) == "Numb heels"
    assert shutil.disk_usage(small_disk).free > 0
