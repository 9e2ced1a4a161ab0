"""Shared fixtures of the search tests: the seed content and its index, built once per class."""
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from search_index.backends.whoosh.searcher import close_searcher
from search_index.backends.whoosh.storage import open_index
from search_index.sync.rebuild import rebuild


@pytest.fixture(scope="class")
def seeded_index_path(django_db_setup, django_db_blocker, tmp_path_factory):
    """The seed content and its index, built once for a class of read-only tests.

    The rows live in a transaction rolled back when the class is done; each test's own
    transaction nests inside it, so tests may still write and are still isolated.
    """
    path = tmp_path_factory.mktemp("seed-index")
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(SEARCH_INDEX={**settings.SEARCH_INDEX, "PATH": path}):
            call_command("load_seed", verbosity=0)
            rebuild()
        yield path
        close_searcher()
        transaction.set_rollback(True)


@pytest.fixture
def seed_index(seeded_index_path, settings, db):
    """Point this test at the class's seeded index."""
    settings.SEARCH_INDEX = {**settings.SEARCH_INDEX, "PATH": seeded_index_path}
    return seeded_index_path


@pytest.fixture
def fresh_index():
    """Build the index from whatever the test put in the database; close it afterwards."""
    def build():
        rebuild()
    yield build
    close_searcher()


def stored(doc_id: str) -> dict | None:
    """One document's stored fields, read straight from the committed index (None when absent)."""
    with open_index(create=False).searcher() as searcher:
        return searcher.document(doc_id=doc_id)


def all_ids() -> list[str]:
    """Every live document's doc_id in the committed index, sorted."""
    with open_index(create=False).searcher() as searcher:
        return sorted(fields["doc_id"] for fields in searcher.all_stored_fields())
