"""Rebuild, the change queue and reconcile against a real Whoosh index and the real database."""
import threading

import pytest
from django.utils import timezone

from faq.models import Status
from search_index.backends.whoosh.storage import index_path, open_index, writer_lock
from search_index.documents.builders import section_document
from search_index.models import IndexChange
from search_index.sync import rebuild as indexer
from tests.index_factories import make_article, make_faq, make_section
from tests.search_helpers import all_ids, stored

pytestmark = pytest.mark.django_db


def queue(model, pk):
    return IndexChange.objects.create(model=model, object_id=pk)


@pytest.fixture
def quiet(settings):
    """Content saved without the signals' queue, so tests drive the queue themselves."""
    settings.SEARCH_INDEX = {**settings.SEARCH_INDEX, "AUTO_UPDATE": False}


def test_rebuild_indexes_every_published_row_and_replaces_old_content(quiet):
    article = make_article()
    sections = [make_section(article) for _ in range(3)]
    make_section(make_article(status=Status.DRAFT))
    faq = make_faq(article)
    with open_index().writer() as writer:
        writer.add_document(doc_id="section:999", doc_type="section", title="Leftover")
    stats = indexer.rebuild()
    assert stats.documents == {"section": 3, "faq": 1}
    assert stats.total == 4 and stats.size_bytes > 0 and stats.seconds >= 0
    assert all_ids() == sorted([f"section:{s.pk}" for s in sections] + [f"faq:{faq.pk}"])
    assert stored("section:999") is None


def test_rebuild_reports_progress(quiet):
    for _ in range(3):
        make_section()
    seen = []
    indexer.rebuild(progress=seen.append)
    assert sum(seen) == 3


def test_rebuild_marks_queued_changes_applied(quiet):
    section = make_section()
    change = queue("section", section.pk)
    indexer.rebuild()
    change.refresh_from_db()
    assert change.applied_at is not None
    assert stored(f"section:{section.pk}")["title"] == section.heading


def test_apply_pending_adds_updates_and_deletes(quiet):
    indexer.rebuild()
    section = make_section(heading="Tingling toes")
    queue("section", section.pk)
    assert indexer.apply_pending() == 1
    assert stored(f"section:{section.pk}")["title"] == "Tingling toes"
    section.heading = "Burning toes"
    section.save()
    queue("section", section.pk)
    queue("section", section.pk)
    assert indexer.apply_pending() == 2
    assert stored(f"section:{section.pk}")["title"] == "Burning toes"
    assert all_ids() == [f"section:{section.pk}"]
    pk = section.pk
    section.delete()
    queue("section", pk)
    indexer.apply_pending()
    assert all_ids() == []
    assert not indexer.pending_changes().exists()


def test_apply_pending_rebuilds_a_missing_small_index(quiet):
    section = make_section()
    queue("section", section.pk)
    assert not index_path().exists()
    indexer.apply_pending()
    assert all_ids() == [f"section:{section.pk}"]
    assert not indexer.pending_changes().exists()


def test_apply_pending_leaves_changes_queued_while_another_process_writes(quiet):
    indexer.rebuild()
    section = make_section()
    change = queue("section", section.pk)
    held, release = threading.Event(), threading.Event()

    def hold_lock():
        with writer_lock(timeout=1):
            held.set()
            release.wait(5)

    holder = threading.Thread(target=hold_lock)
    holder.start()
    held.wait(5)
    try:
        assert indexer.apply_pending(timeout=0.2) == 0
    finally:
        release.set()
        holder.join()
    change.refresh_from_db()
    assert change.applied_at is None and change.attempts == 0
    assert indexer.apply_pending() == 1


def test_apply_pending_survives_a_whoosh_writer_held_elsewhere(quiet):
    indexer.rebuild()
    section = make_section()
    change = queue("section", section.pk)
    foreign = open_index().writer()  # a writer that ignores our lock file
    try:
        assert indexer.apply_pending(timeout=0.5) == 0
    finally:
        foreign.cancel()
    change.refresh_from_db()
    assert change.applied_at is None
    assert indexer.apply_pending() == 1
    assert stored(f"section:{section.pk}") is not None


def test_a_row_that_cannot_be_indexed_does_not_block_the_others(quiet):
    indexer.rebuild()
    section = make_section()
    bad = IndexChange.objects.create(model="citation", object_id=1)
    queue("section", section.pk)
    assert indexer.apply_pending() == 1
    bad.refresh_from_db()
    assert bad.applied_at is None and bad.attempts == 1 and "citation" in bad.last_error
    assert stored(f"section:{section.pk}") is not None


def test_reconcile_fixes_extra_missing_and_stale_documents(quiet):
    kept, stale, missing = make_section(), make_section(), make_section()
    indexer.rebuild()
    with open_index().writer() as writer:
        writer.add_document(doc_id="faq:4242", doc_type="faq", title="Ghost")
        writer.delete_by_term("doc_id", f"section:{missing.pk}")
        writer.update_document(**{**section_document(stale), "title": "Old heading"})
    stats = indexer.reconcile()
    assert stats.added == [f"section:{missing.pk}"]
    assert stats.updated == [f"section:{stale.pk}"]
    assert stats.deleted == ["faq:4242"]
    assert stats.unchanged == 1
    assert stored(f"section:{stale.pk}")["title"] == stale.heading
    assert all_ids() == sorted(f"section:{s.pk}" for s in (kept, stale, missing))
    assert indexer.reconcile().changed == 0


@pytest.mark.parametrize("pattern", ["*.toc", "*.seg"])
def test_reconcile_rebuilds_a_damaged_index(quiet, pattern):
    section = make_section()
    indexer.rebuild()
    for damaged in index_path().glob(pattern):
        damaged.write_bytes(b"garbage" * 100)
    assert indexer.reconcile().rebuilt
    assert all_ids() == [f"section:{section.pk}"]


def test_index_status_compares_database_and_index(quiet):
    section = make_section()
    make_faq()
    status = indexer.index_status()
    assert not status["available"] and not status["in_step"]
    indexer.rebuild()
    status = indexer.index_status()
    assert status["available"] and status["in_step"]
    assert status["database"] == status["index"] == {"section": 1, "faq": 1}
    queue("section", section.pk)
    IndexChange.objects.create(model="section", object_id=section.pk, attempts=2)
    IndexChange.objects.create(model="faq", object_id=1, applied_at=timezone.now())
    status = indexer.index_status()
    # Applied by another node, the third entry is still this node's to apply.
    assert (status["pending"], status["failed"]) == (3, 1)
    assert not status["in_step"] and status["last_applied_at"] is None  # by this node
    section.delete()
    indexer.apply_pending()
    status = indexer.index_status()
    assert status["index"] == {"section": 0, "faq": 1}
    assert status["last_applied_at"] is not None and status["node"]["behind"] == 0


def test_rebuild_of_the_seed_article_lands_sections_with_anchors(db):
    from django.core.management import call_command

    from faq.models import Section

    call_command("loaddata", "numb-legs-and-feet", verbosity=0)  # raw: queues nothing
    assert not IndexChange.objects.exists()
    stats = indexer.rebuild()
    status = indexer.index_status()
    assert status["in_step"] and stats.documents == status["database"]
    section = Section.objects.filter(article__status=Status.PUBLISHED).first()
    doc = stored(f"section:{section.pk}")
    assert doc["url"] == f"/articles/{section.article.slug}/#{section.slug}"
    assert doc["body"] and "**" not in doc["body"]
