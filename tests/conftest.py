"""Shared fixtures: a fresh Whoosh index directory per test and the seed content."""
import pytest
from django.core.cache import caches
from django.core.management import call_command


@pytest.fixture(autouse=True)
def index_dir(settings, tmp_path):
    """Point the search index at a temporary directory for every test."""
    path = tmp_path / "index"
    settings.SEARCH_INDEX = {**settings.SEARCH_INDEX, "PATH": path}
    return path


@pytest.fixture(autouse=True)
def fresh_pages():
    """Each test starts as a fresh worker, with no rendered page kept.

    Pages are forgotten when a save commits, and a test's saves never commit (its transaction
    is rolled back): a page kept by an earlier test under the same address would be served.
    """
    caches["default"].clear()


@pytest.fixture
def seed(db):
    """The curated seed content, loaded as `make run` loads it."""
    call_command("load_seed", verbosity=0)


@pytest.fixture
def broken_shared_cache(settings, tmp_path):
    """The shared "search" cache pointed where no directory can be made (a file is there)."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache directory should be")
    settings.CACHES = {
        **settings.CACHES,
        "search": {
            "BACKEND": "search_index.caching.file_cache.SearchFileCache",
            "LOCATION": str(blocker / "cache"),
        },
    }
