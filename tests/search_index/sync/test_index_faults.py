"""The index under faults: missing, emptied or damaged files, forks, kill -9, concurrent drains."""
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from django.conf import settings

from search_index.backends.whoosh import searcher as searcher_module
from search_index.backends.whoosh.searcher import (
    close_searcher,
    get_searcher,
    kept_documents,
    stored_fields,
)
from search_index.backends.whoosh.storage import (
    IndexLocked,
    IndexUnavailable,
    open_index,
    writer_lock,
)
from search_index.sync import rebuild as indexer
from tests.index_factories import make_article, make_section

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(settings):
    """Two published sections in a freshly built index; the searcher is closed afterwards."""
    settings.SEARCH_INDEX = {**settings.SEARCH_INDEX, "AUTO_UPDATE": False}
    article = make_article()
    sections = [make_section(article), make_section(article)]
    indexer.rebuild()
    yield sections
    close_searcher()


def empty_dir(path):
    for child in path.iterdir():
        child.unlink()


def garbage_toc(path):
    next(path.glob("*.toc")).write_bytes(b"\x89garbage\x00" * 7)


def truncated_toc(path):
    toc = next(path.glob("*.toc"))
    toc.write_bytes(toc.read_bytes()[:40])


def garbage_segments(path):
    for segment in path.glob("*.seg"):
        segment.write_bytes(os.urandom(segment.stat().st_size))


DAMAGE = [shutil.rmtree, empty_dir, garbage_toc, truncated_toc, garbage_segments]


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda f: f.__name__)
def test_damaged_index_is_unavailable_at_startup_and_rebuild_restores(built, index_dir, damage):
    damage(index_dir)
    with pytest.raises(IndexUnavailable):
        get_searcher()
    if damage is not garbage_segments:  # segments are only read by a searcher
        with pytest.raises(IndexUnavailable):
            open_index(create=False)
    assert not indexer.index_status()["available"]
    indexer.rebuild()
    assert get_searcher().doc_count() == 2


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda f: f.__name__)
def test_damage_while_serving_is_noticed_on_the_next_request(built, index_dir, damage):
    assert get_searcher().doc_count() == 2
    time.sleep(0.01)  # so a file rewritten in place gets a new modification time
    damage(index_dir)
    with pytest.raises(IndexUnavailable):
        get_searcher()
    indexer.rebuild()
    assert get_searcher().doc_count() == 2


def test_missing_index_is_not_silently_created_by_readers(built, index_dir):
    shutil.rmtree(index_dir)
    with pytest.raises(IndexUnavailable):
        get_searcher()
    assert not index_dir.exists()


def test_searcher_is_reused_until_a_commit_then_refreshed(built):
    first = get_searcher()
    assert get_searcher() is first
    section = make_section(heading="Fresh heading")
    indexer.enqueue("section", section.pk)
    indexer.apply_pending()
    fresh = get_searcher()
    assert fresh is not first
    assert fresh.document(doc_id=f"section:{section.pk}")["title"] == "Fresh heading"


def test_stored_fields_are_kept_per_searcher_and_bounded(built, monkeypatch):
    monkeypatch.setattr(searcher_module, "STORED_DOCUMENTS", 1)
    searcher = get_searcher()
    first = stored_fields(searcher, 0)
    assert first == searcher.stored_fields(0)
    assert stored_fields(searcher, 0) is first  # kept, not read again
    assert stored_fields(searcher, 1) == searcher.stored_fields(1)
    assert kept_documents(searcher) == [1]  # one document kept at most
    section = make_section(heading="Edited later")
    indexer.enqueue("section", section.pk)
    indexer.apply_pending()
    assert kept_documents(get_searcher()) == []  # a commit: a new searcher, nothing kept


def test_searcher_is_not_shared_across_a_fork(built):
    parent = get_searcher()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: a new process must open its own searcher
        ok = False
        try:
            child = get_searcher()
            ok = child is not parent and child.doc_count() == 2
        finally:
            os.write(write, b"1" if ok else b"0")
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    assert os.read(read, 1) == b"1"
    os.close(read)
    assert get_searcher() is parent


def test_writer_lock_excludes_a_second_writer_and_times_out():
    with writer_lock(timeout=1):
        started = time.monotonic()
        with pytest.raises(IndexLocked):
            with writer_lock(timeout=0.3):
                pass
        assert 0.25 < time.monotonic() - started < 2
    with writer_lock(timeout=0):
        pass


# Other processes: a killed indexer, and several drains at once on a file-based database.


def manage_env(tmp_path, **extra):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "faqsite.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        **extra,
    }


def manage(env, *args, **kwargs):
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=180, **kwargs)


def django_shell(env, code, **kwargs):
    return manage(env, "shell", "-v0", "-c", textwrap.dedent(code), **kwargs)


HOLD_WRITER = """
    import sys, time
    from search_index.backends.whoosh.storage import open_index, writer_lock
    with writer_lock(timeout=5):
        writer = open_index().writer()
        for n in range(200):
            writer.add_document(doc_id=f"faq:{n}", doc_type="faq", title="half written")
        print("writing", flush=True)
        time.sleep(60)
"""


@pytest.mark.slow
def test_kill_9_mid_write_leaves_lock_free_and_index_readable(tmp_path, settings):
    settings.SEARCH_INDEX = {**settings.SEARCH_INDEX, "PATH": tmp_path / "index"}
    env = manage_env(tmp_path)
    for _ in range(3):
        command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "shell", "-v0", "-c",
                   textwrap.dedent(HOLD_WRITER)]
        holder = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
        assert holder.stdout.readline().strip() == "writing"
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        with writer_lock(timeout=0):  # our lock: freed by the kernel
            writer = open_index(create=False).writer(timeout=0)  # Whoosh's lock too
            writer.cancel()
        with open_index(create=False).searcher() as searcher:
            assert searcher.doc_count() == 0  # nothing half-written is visible


SETUP_CONTENT = """
    from faq.models import Article, Section
    from search_index.models import IndexChange
    article = Article.objects.create(title="Load", slug="load", summary="s", status="published")
    Section.objects.bulk_create(
        Section(article=article, heading=f"h{n}", slug=f"s{n}", body="numb feet", order=n)
        for n in range(40)
    )
    IndexChange.objects.bulk_create(
        IndexChange(model="section", object_id=pk)
        for pk in Section.objects.values_list("pk", flat=True)
    )
"""

EDIT_SECTIONS = """
    import os
    from django.db import transaction
    from faq.models import Section
    worker = int(os.environ["WORKER"])
    for round in range(5):
        for section in Section.objects.filter(order__gte=worker * 10, order__lt=worker * 10 + 10):
            with transaction.atomic():
                section.heading = f"worker {worker} round {round} section {section.order}"
                section.save()
"""

REPORT = """
    import json
    from faq.models import Section
    from search_index.sync.rebuild import index_status
    from search_index.backends.whoosh.storage import open_index
    with open_index(create=False).searcher() as searcher:
        stored = {f["doc_id"]: f["title"] for f in searcher.all_stored_fields()}
        count = searcher.doc_count()
    expected = {f"section:{s.pk}": s.heading for s in Section.objects.all()}
    status = index_status()
    print(json.dumps({"same": stored == expected, "count": count, "pending": status["pending"],
                      "in_step": status["in_step"]}))
"""


@pytest.mark.slow
def test_concurrent_editors_and_drains_lose_nothing(tmp_path):
    """Four processes save edits at once (each save drains the queue) while two workers drain."""
    env = manage_env(tmp_path, SEARCH_AUTO_UPDATE="1")
    assert manage(env, "migrate", "-v0").returncode == 0
    assert django_shell(env, SETUP_CONTENT).returncode == 0
    assert manage(env, "rebuild_index", "-v0").returncode == 0
    command = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    processes = [
        subprocess.Popen([*command, "shell", "-v0", "-c", textwrap.dedent(EDIT_SECTIONS)],
                         env={**env, "WORKER": str(n)}, stderr=subprocess.PIPE, text=True)
        for n in range(4)
    ] + [
        subprocess.Popen([*command, "process_index_queue"], env=env,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    errors = [process.communicate(timeout=300)[1] for process in processes]
    assert [process.returncode for process in processes] == [0] * 6, errors
    assert not any("Traceback" in error for error in errors), errors
    report = json.loads(django_shell(env, REPORT).stdout)
    assert report == {"same": True, "count": 40, "pending": 0, "in_step": True}


def test_a_searcher_closed_by_a_caller_is_replaced(built):
    with get_searcher() as searcher:  # a caller that closes what it was given
        assert searcher.doc_count() == 2
    assert get_searcher() is not searcher
    assert get_searcher().doc_count() == 2


KILLED_REBUILD = """
    import sys, time
    from faq.models import Article, Section
    from search_index.backends.whoosh import writing
    from search_index.sync import rebuild as indexer
    article = Article.objects.create(title="Big", slug="big", summary="s", status="published")
    Section.objects.bulk_create(
        Section(article=article, heading=f"h{n}", slug=f"s{n}", body="numb feet " * 20, order=n)
        for n in range(800)
    )
    writing.PARALLEL_THRESHOLD = 0  # use Whoosh's forking writer even for a small rebuild
    calls = []

    def progress(n):
        calls.append(n)
        if len(calls) == 3:  # the helper processes are running by now
            print("writing", flush=True)
            time.sleep(120)

    indexer.rebuild(progress=progress)
"""


def processes_marked(marker):
    """Live processes whose environment carries the marker (a killed rebuild's helpers)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/environ", "rb") as environ:
                if marker.encode() in environ.read():
                    with open(f"/proc/{pid}/stat") as stat:
                        if stat.read().split()[2] != "Z":
                            found.append(int(pid))
        except OSError:
            continue
    return found


@pytest.mark.slow
def test_kill_9_of_a_parallel_rebuild_frees_the_lock_and_its_helpers_exit(tmp_path, settings):
    settings.SEARCH_INDEX = {**settings.SEARCH_INDEX, "PATH": tmp_path / "index"}
    marker = f"SEARCH_TEST_MARKER={tmp_path.name}"
    env = manage_env(tmp_path, SEARCH_TEST_MARKER=tmp_path.name, SEARCH_AUTO_UPDATE="0")
    assert manage(env, "migrate", "-v0").returncode == 0
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "shell", "-v0", "-c",
               textwrap.dedent(KILLED_REBUILD)]
    rebuild = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    assert rebuild.stdout.readline().strip() == "writing"
    assert len(processes_marked(marker)) >= 2  # the rebuild and its helpers
    rebuild.send_signal(signal.SIGKILL)
    rebuild.wait(timeout=10)
    with writer_lock(timeout=5):
        writer = open_index().writer(timeout=5)
        writer.cancel()
    deadline = time.monotonic() + 10
    while processes_marked(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_marked(marker) == []
    assert manage(env, "reconcile_index", "-v0").returncode == 0
    report = django_shell(env, "from search_index.sync.rebuild import index_status as s; "
                          "print(s()['in_step'], s()['index'])")
    assert report.stdout.strip() == "True {'section': 800, 'faq': 0}"


def test_unwritable_lock_file_leaves_changes_queued_and_saves_commit(
    built, index_dir, settings, django_capture_on_commit_callbacks
):
    settings.SEARCH_INDEX = {**settings.SEARCH_INDEX, "AUTO_UPDATE": True}
    lock = index_dir.with_name(index_dir.name + ".lock")
    lock.unlink(missing_ok=True)
    lock.mkdir()  # opening the lock file now fails, as on a read-only disk
    with django_capture_on_commit_callbacks(execute=True):
        section = make_section(heading="Waits for the disk")
    assert indexer.pending_changes().filter(object_id=section.pk).exists()
    lock.rmdir()
    assert indexer.apply_pending() == 1
    assert get_searcher().document(doc_id=f"section:{section.pk}")["title"] == "Waits for the disk"


def test_searcher_shared_by_threads_while_the_index_changes(built):
    import threading

    errors = []

    def read():
        try:
            for _ in range(50):
                assert get_searcher().doc_count() >= 2
        except Exception as exc:  # collected: a thread's assertion would otherwise vanish
            errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(4)]
    for reader in readers:
        reader.start()
    for _ in range(5):
        indexer.enqueue("section", make_section().pk)
        indexer.apply_pending()
    for reader in readers:
        reader.join()
    assert errors == []
    assert get_searcher().doc_count() == 7


def test_repeated_edits_never_show_stale_or_duplicate_documents(built):
    section = built[0]
    key = f"section:{section.pk}"
    for n in range(12):  # enough commits for Whoosh to merge segments along the way
        section.heading = f"Edit {n}"
        section.save()
        indexer.enqueue("section", section.pk)
        indexer.apply_pending()
        searcher = get_searcher()
        assert searcher.doc_count() == 2
        assert [f["title"] for f in searcher.documents(doc_id=key)] == [f"Edit {n}"]


@pytest.mark.parametrize("seed", range(40))
def test_corrupt_postings_give_the_unavailable_page_not_an_error(
    settings, index_dir, client, seed
):
    """Bytes flipped inside a segment (its table of contents intact): whatever the codec,
    pickle or zlib raises on reading postings or stored fields, the reader gets results or
    "search unavailable" (503), never a server error."""
    settings.SEARCH_INDEX = {**settings.SEARCH_INDEX, "AUTO_UPDATE": False}
    article = make_article()
    for n in range(60):  # blocks long enough to be compressed
        make_section(article, body=f"Numbness and tingling in the feet, case {n}, at night.")
    indexer.rebuild()
    close_searcher()
    segment = max(index_dir.glob("*.seg"), key=lambda p: p.stat().st_size)
    data = bytearray(segment.read_bytes())
    rng = random.Random(seed)
    start = rng.randrange(0, len(data) // 2)
    for i in range(start, min(len(data), start + 200)):
        data[i] = rng.randrange(256)
    segment.write_bytes(bytes(data))
    for query in ("numbness", "tingling feet", '"numbness and tingling"', "feet night"):
        response = client.get("/api/search", {"q": query})
        assert response.status_code in (200, 503), (query, response.status_code)
        assert ("results" in response.json()) == (response.status_code == 200)
    close_searcher()
