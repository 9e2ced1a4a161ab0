"""Rankings shared between server processes through Django's file cache, keyed by index state."""
import os
import pickle

import pytest

from search_index import service as query
from search_index.backends.whoosh.searcher import close_searcher
from search_index.caching import results as query_cache
from search_index.sync.rebuild import rebuild
from tests.search_index.query.test_intent import make_faq, topic


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
    query_cache.forget_in_process()


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


def test_an_entry_written_in_another_shape_is_never_read(db, file_cache, rankings):
    make_faq(topic("Angina"), "angina-what", "What is angina?", "information", "Chest pain.")
    rebuild()
    current, query.PAGE_ENTRY = query.PAGE_ENTRY, "page-0"  # as the previous release wrote
    try:
        query.search("angina")
    finally:
        query.PAGE_ENTRY = current
    forget_this_process()
    result = query.search("angina")
    assert rankings == ["angina", "angina"], "the entry of the other shape is not read"
    assert result.total == 1 and not result.unavailable


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
    from search_index.caching import file_cache

    monkeypatch.setattr(file_cache, "CULL_EVERY", 5)
    cache = file_cache.SearchFileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 10}})
    for n in range(60):
        cache.set(f"key{n}", n)
    entries = len(list(tmp_path.glob("*.djcache")))
    assert entries <= 10 + 5, entries
    assert cache.get("key59") == 59


def test_the_file_cache_writes_whole_entries_and_leaves_no_temporary_files(tmp_path):
    import shutil

    from search_index.caching.file_cache import SearchFileCache

    cache = SearchFileCache(str(tmp_path / "cache"), {})
    cache.set("key", "first")
    cache.set("key", "second")  # replaced, not appended to
    assert cache.get("key") == "second"
    shutil.rmtree(tmp_path / "cache")  # deleted while the site runs
    cache.set("key", "third")
    assert cache.get("key") == "third"
    assert (tmp_path / "cache").stat().st_mode & 0o777 == 0o700
    with pytest.raises((AttributeError, TypeError, pickle.PicklingError)):
        cache.set("unpicklable", lambda: None)  # fails half-written
    assert [p.suffix for p in (tmp_path / "cache").iterdir()] == [".djcache"]


def test_the_file_cache_makes_its_directory_private_at_once(tmp_path):
    from search_index.caching.file_cache import SearchFileCache

    SearchFileCache(str(tmp_path / "fresh"), {})
    assert (tmp_path / "fresh").stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize("made_by_someone_else", ["writable by all", "a link to elsewhere"])
def test_the_file_cache_refuses_a_directory_others_could_write_to(tmp_path, made_by_someone_else):
    from django.core.exceptions import ImproperlyConfigured

    from search_index.caching.file_cache import SearchFileCache

    planted = tmp_path / "planted"
    planted.mkdir()
    if made_by_someone_else == "writable by all":
        planted.chmod(0o777)
        location = planted
    else:
        location = tmp_path / "link"
        location.symlink_to(planted, target_is_directory=True)
    with pytest.raises(ImproperlyConfigured, match="only this user can write to"):
        SearchFileCache(str(location), {})


def test_the_default_shared_cache_is_in_memory_when_there_is_room(tmp_path):
    from faqsite.settings.base import BASE_DIR, _search_cache_dir

    on_disk = str(BASE_DIR / "var" / "search-cache")
    found = _search_cache_dir(tmp_path, needed=1)
    assert found.startswith(f"{tmp_path}/symptom-search-{os.getuid()}-")
    assert found == _search_cache_dir(tmp_path, needed=1)  # the same for this checkout
    assert _search_cache_dir(tmp_path, needed=2**62) == on_disk  # no room
    assert _search_cache_dir(tmp_path / "missing", needed=1) == on_disk
    tmp_path.chmod(0o500)
    try:
        if not os.access(tmp_path, os.W_OK):  # root may write anyway
            assert _search_cache_dir(tmp_path, needed=1) == on_disk
    finally:
        tmp_path.chmod(0o700)


@pytest.mark.parametrize("size", [100, 50_000])
def test_entries_small_and_large_read_back(tmp_path, size):
    from search_index.caching.file_cache import COMPRESS_FROM, SearchFileCache

    cache = SearchFileCache(str(tmp_path), {})
    value = {"html": "<mark>numb</mark> feet " * (size // 20), "hits": list(range(50))}
    cache.set("page", value, 60)
    assert cache.get("page") == value
    written = sum(f.stat().st_size for f in tmp_path.glob("*.djcache"))
    assert (written < size / 4) == (size >= COMPRESS_FROM)  # large ones compressed
