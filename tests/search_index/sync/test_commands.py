"""The index management commands: rebuild, status, reconcile and the queue worker."""
import os
import signal
import subprocess
import sys
import time
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from search_index.backends.whoosh.storage import open_index
from search_index.models import IndexChange
from search_index.sync import rebuild as indexer
from tests.index_factories import make_article, make_faq, make_section

pytestmark = pytest.mark.django_db


def run(name, *args, **options):
    out, err = StringIO(), StringIO()
    call_command(name, *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def content(settings):
    settings.SEARCH_INDEX = {**settings.SEARCH_INDEX, "AUTO_UPDATE": False}
    article = make_article()
    return [make_section(article), make_section(article), make_faq(article)]


def test_rebuild_index_prints_summary_and_progress(content):
    out, err = run("rebuild_index", "--progress")
    assert "Indexed 3 documents (2 sections, 1 faqs)" in out
    assert " s; index size " in out
    assert "3/3" in err  # the tqdm bar
    with open_index(create=False).searcher() as searcher:
        assert searcher.doc_count() == 3


def test_rebuild_index_is_silent_at_verbosity_zero(content):
    out, err = run("rebuild_index", verbosity=0)
    assert out == "" and err == ""


def test_index_status_reports_counts_and_check_fails_when_out_of_step(content):
    with pytest.raises(CommandError, match="not in step"):
        run("index_status", "--check")
    run("rebuild_index", verbosity=0)
    out, _ = run("index_status", "--check")
    assert "section" in out and "In step." in out
    assert "Pending changes: 0" in out and "Last applied change: never" in out
    IndexChange.objects.create(model="section", object_id=content[0].pk)
    out, _ = run("index_status")
    assert "Pending changes: 1" in out and "Not in step" in out


def test_index_status_explains_an_unavailable_index(content):
    out, _ = run("index_status")
    assert "Index: unavailable" in out


def test_reconcile_index_reports_what_it_fixed(content):
    run("rebuild_index", verbosity=0)
    with open_index().writer() as writer:
        writer.delete_by_term("doc_id", f"section:{content[0].pk}")
    out, _ = run("reconcile_index", verbosity=2)
    assert "Added 1, updated 0, deleted 0; 2 unchanged." in out
    assert f"added section:{content[0].pk}" in out


# The command's drain reads the queue as another process would: its rows must be committed.
@pytest.mark.django_db(transaction=True)
def test_process_index_queue_applies_once(content):
    run("rebuild_index", verbosity=0)
    section = make_section(heading="Queued heading")
    IndexChange.objects.create(model="section", object_id=section.pk)
    out, _ = run("process_index_queue")
    assert "Applied 1 index changes." in out
    assert indexer.index_status()["in_step"]


REPORT = (
    "from search_index.sync.rebuild import index_status as s; print(s()['in_step'], s()['index'])"
)


def wait_for(check, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.3)
    return False


@pytest.mark.slow
def test_queue_worker_rebuilds_missing_or_damaged_index_and_stops_on_sigterm(tmp_path):
    """A worker in its own process repairs the index and exits cleanly on SIGTERM."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "faqsite.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        "SEARCH_AUTO_UPDATE": "0",
    }
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]

    def shell(code):
        done = subprocess.run([*manage, "shell", "-v0", "-c", code], env=env,
                              capture_output=True, text=True, timeout=120)
        return done.stdout.strip()

    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, timeout=120)
    shell("from faq.models import Article, Section; a = Article.objects.create(title='T', "
          "slug='t', summary='s', status='published'); Section.objects.create(article=a, "
          "heading='H', slug='h', body='numb')")
    worker = subprocess.Popen(
        [*manage, "process_index_queue", "--watch", "--interval", "0.2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert wait_for(lambda: shell(REPORT) == "True {'section': 1, 'faq': 0}")
        next((tmp_path / "index").glob("*.toc")).write_bytes(b"garbage")
        assert wait_for(lambda: shell(REPORT) == "True {'section': 1, 'faq': 0}")
    finally:
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=20)
    assert worker.returncode == 0, err
    assert "Stopped." in out
