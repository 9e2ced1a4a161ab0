"""Rankings shared between server processes through Django's file cache, keyed by index state."""
import pytest

from search_index import query, query_cache
from search_index.indexer import rebuild
from search_index.searcher import close_searcher
from tests.test_query_intent import make_faq, topic


@pytest.fixture
def file_cache(settings, tmp_path):
    settings.CACHES = {
        **settings.CACHES,
        "search": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "search-cache"),
        },
    }
    query_cache.clear()
    yield tmp_path / "search-cache"
    query_cache.clear()
    close_searcher()


@pytest.fixture
def rankings(monkeypatch):
    """How many times a query was really ranked (the real ranking runs each time)."""
    calls = []
    real_rank = query.rank

    def counting_rank(*args, **kwargs):
        calls.append(args[1])
        return real_rank(*args, **kwargs)

    monkeypatch.setattr(query, "rank", counting_rank)
    return calls


def forget_this_process():
    """What another worker process would see: nothing remembered in memory."""
    with query_cache._lock:
        query_cache._state.update(owners=None, entries=query_cache.OrderedDict())


def test_another_process_reuses_a_ranking_from_the_shared_cache(db, file_cache, rankings):
    make_faq(topic("Angina"), "angina-what", "What is angina?", "information", "Chest pain.")
    rebuild()
    first = query.search("angina")
    assert rankings == ["angina"]
    assert any(file_cache.iterdir()), "the ranking should be written to the file cache"
    forget_this_process()
    again = query.search("angina")
    assert rankings == ["angina"], "the second process should not rank the query again"
    assert again.hits == first.hits and again.total == 1


def test_a_changed_index_is_never_answered_from_old_entries(db, file_cache, rankings):
    angina = topic("Angina")
    make_faq(angina, "angina-what", "What is angina?", "information", "Chest pain.")
    rebuild()
    assert query.search("angina").total == 1
    make_faq(angina, "angina-help", "What helps angina?", "treatment", "Rest.")
    rebuild()
    forget_this_process()
    assert query.search("angina").total == 2
    assert rankings == ["angina", "angina"]


@pytest.mark.usefixtures("broken_shared_cache")
def test_a_broken_shared_cache_never_fails_a_search(db, rankings, caplog):
    make_faq(topic("Angina"), "angina-what", "What is angina?", "information", "Chest pain.")
    rebuild()
    try:
        forget_this_process()
        result = query.search("angina")
        assert result.total == 1 and not result.unavailable
        assert "Shared search cache not written" in caplog.text
    finally:
        forget_this_process()
        close_searcher()


def test_the_file_cache_is_culled_though_not_on_every_write(tmp_path, monkeypatch):
    from search_index import file_cache

    monkeypatch.setattr(file_cache, "CULL_EVERY", 5)
    cache = file_cache.SearchFileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 10}})
    for n in range(60):
        cache.set(f"key{n}", n)
    entries = len(list(tmp_path.glob("*.djcache")))
    assert entries <= 10 + 5, entries
    assert cache.get("key59") == 59
