"""One LRU class and one registry: reset_all() forgets every process-wide memory."""
from search_index.caching.registry import LRU, register, registered, reset_all


def test_reset_all_forgets_what_every_registered_memory_holds():
    kept = LRU("test: kept words", 10)
    kept.put("numb", ["numbness"])
    extra = {"x": 1}
    register("test: a dict", extra.clear)
    names = reset_all()
    assert {"test: kept words", "test: a dict"} <= set(names) <= set(registered())
    assert len(kept) == 0 and extra == {}


def test_the_search_layers_memories_are_registered():
    import search_index.service  # noqa: F401 - imports every module that keeps something

    assert {"array postings", "lexicon tables", "spelling word lists", "process searcher",
            "result cache", "analysed words", "parsed clauses", "glossary"} <= set(registered())


def test_the_least_recently_used_entry_goes_first():
    lru = LRU(None, 2)
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a") == 1  # now the most recent
    lru.put("c", 3)
    assert "b" not in lru and lru.get("a") == 1 and lru.get("c") == 3


def test_sizes_bound_the_memory_and_the_newest_entry_always_stays():
    lru = LRU(None, 10, size_of=len)
    lru.put("a", "x" * 6)
    lru.put("b", "x" * 6)
    assert list(lru.entries) == ["b"] and lru.size == 6
    lru.put("c", "x" * 50)
    assert list(lru.entries) == ["c"]


def test_kept_builds_once():
    lru = LRU(None, 4)
    calls = []
    assert lru.kept("k", lambda: calls.append(1) or "built") == "built"
    assert lru.kept("k", lambda: calls.append(1) or "again") == "built"
    assert calls == [1]
