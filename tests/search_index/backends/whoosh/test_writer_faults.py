"""How sync/ survives Whoosh's own failures: a commit that fails for a full disk, a rebuild
that fails, an index of an older format or schema, and Whoosh's forking parallel writer."""
import pytest
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from search_index.backends import IndexUnavailable
from search_index.backends.whoosh import writing
from search_index.backends.whoosh.storage import INDEX_NAME, index_path, open_index
from search_index.models import IndexChange
from search_index.sync import rebuild as indexer
from tests.index_factories import make_article, make_section
from tests.search_helpers import all_ids, stored

pytestmark = pytest.mark.django_db


def queue(model, pk):
    return IndexChange.objects.create(model=model, object_id=pk)


@pytest.fixture
def quiet(settings):
    """Content saved without the signals' queue, so tests drive the queue themselves."""
    settings.SEARCH_INDEX = {**settings.SEARCH_INDEX, "AUTO_UPDATE": False}


def test_failing_commit_keeps_change_queued_and_frees_the_lock(quiet, monkeypatch):
    indexer.rebuild()
    section = make_section()
    change = queue("section", section.pk)

    def disk_full(self, segments):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(SegmentWriter, "_commit_toc", disk_full)
    assert indexer.apply_pending() == 0
    change.refresh_from_db()
    assert change.applied_at is None
    assert change.attempts == 1 and "No space left" in change.last_error
    monkeypatch.undo()
    writer = open_index().writer(timeout=0)  # the Whoosh lock is free again
    writer.cancel()
    assert indexer.apply_pending() == 1
    assert stored(f"section:{section.pk}") is not None


def test_rebuild_that_fails_keeps_the_old_index_and_frees_the_lock(quiet, monkeypatch):
    from django.core.management import CommandError, call_command

    old = make_section()
    indexer.rebuild()
    make_section()

    def disk_full(self, segments):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(SegmentWriter, "_commit_toc", disk_full)
    with pytest.raises(CommandError, match="No space left"):
        call_command("rebuild_index", verbosity=0)
    assert all_ids() == [f"section:{old.pk}"]  # readers still have the old index
    monkeypatch.undo()
    assert indexer.rebuild().total == 2


def test_rebuild_keeps_a_schema_equal_index_and_replaces_an_old_schema(quiet):
    make_section()
    indexer.rebuild()
    on_disk = whoosh_index.open_dir(str(index_path()), indexname=INDEX_NAME)
    assert on_disk.schema == open_index().schema


def test_parallel_rebuild_gives_the_same_index(quiet, monkeypatch):
    article = make_article()
    sections = [make_section(article, body=f"numb feet {n} " * 30) for n in range(40)]
    indexer.rebuild()
    single = all_ids()
    monkeypatch.setattr(writing, "PARALLEL_THRESHOLD", 0)  # fork Whoosh's helper writers
    stats = indexer.rebuild()
    assert stats.documents == {"section": 40, "faq": 0}
    assert all_ids() == single == sorted(f"section:{s.pk}" for s in sections)
    assert indexer.reconcile().changed == 0


def test_an_index_of_an_older_format_is_rebuilt_not_read(quiet, index_dir):
    """Whoosh pickles class paths into its table of contents, so an index written by the
    flat layout (format 1, Whoosh's default name) cannot be read: it counts as missing, and
    the next drain (the queue worker's, for any size) rebuilds it and removes its files."""
    from search_index.backends.whoosh.schema import build_schema
    from search_index.backends.whoosh.storage import has_index_files

    index_dir.mkdir(parents=True, exist_ok=True)
    whoosh_index.create_in(str(index_dir), build_schema(), indexname="MAIN")
    assert not has_index_files()
    with pytest.raises(IndexUnavailable):
        open_index(create=False)
    section = make_section()
    queue("section", section.pk)
    indexer.apply_pending(rebuild_limit=None)
    assert stored(f"section:{section.pk}")["title"] == section.heading
    assert not list(index_dir.glob("*MAIN*"))
