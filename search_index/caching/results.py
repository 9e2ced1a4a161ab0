"""Memory of recent rankings, so a popular query costs microseconds, in every server process.

Two levels. Each process keeps its latest entries in an LRU, valid only for the searcher and
glossary they were computed with: when either is replaced (a commit to the index, a changed
synonym or article name) that memory is dropped, which also lets the old searcher go. Behind
it, Django's "search" cache (files under var/ by default, memcached or redis where configured)
is shared by all processes; its keys name the index state and glossary, so another process's
entry is used only when it saw the same index, and a change makes old entries unreachable
(they expire). A broken shared cache never fails a search: it is skipped and logged.
"""
import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.core.cache import InvalidCacheBackendError, caches

from search_index.caching.registry import register

log = logging.getLogger(__name__)

MAX_ENTRIES = 2048
SHARED_ALIAS = "search"
SHARED_SECONDS = 24 * 3600

T = TypeVar("T")

_lock = threading.Lock()
_state: dict = {"owners": None, "entries": OrderedDict()}
_MISSING = object()


def cached(owners: tuple, key: Hashable, compute: Callable[[], T], share: bool = True) -> T:
    """compute()'s value for key, remembered while the owners (searcher, glossary) stay.

    `share` also keeps it in the shared cache (a file write by default: about a millisecond
    on a slow disk, so worth it only for what other processes will ask for most).
    """
    with _lock:
        if _state["owners"] is None or any(
            a is not b for a, b in zip(_state["owners"], owners, strict=True)
        ):
            _state.update(owners=owners, entries=OrderedDict())
        entries = _state["entries"]
        if key in entries:
            entries.move_to_end(key)
            return entries[key]
    shared_key = _shared_key(owners, key) if share else None
    value = _shared_get(shared_key)
    if value is _MISSING:
        value = compute()
        _shared_set(shared_key, value)
    with _lock:
        if _state["owners"] is not None and all(
            a is b for a, b in zip(_state["owners"], owners, strict=True)
        ):
            entries = _state["entries"]
            entries[key] = value
            if len(entries) > MAX_ENTRIES:
                entries.popitem(last=False)
    return value


def _shared_key(owners: tuple, key: Hashable) -> str | None:
    """A key naming the index state, glossary and query; None when an owner has no name."""
    names = [getattr(owner, "signature", None) or getattr(owner, "fingerprint", None)
             for owner in owners]
    if not all(names):
        return None
    digest = hashlib.sha256(repr((names, key)).encode()).hexdigest()
    return f"search:{digest}"


def _shared_get(key: str | None) -> object:
    if key is None:
        return _MISSING
    try:
        return caches[SHARED_ALIAS].get(key, _MISSING)
    except InvalidCacheBackendError:
        return _MISSING
    except Exception:  # a cache is an optimisation: any failure means "not cached"
        log.warning("Shared search cache unreadable; computing instead", exc_info=True)
        return _MISSING


def _shared_set(key: str | None, value: object) -> None:
    if key is None:
        return
    try:
        caches[SHARED_ALIAS].set(key, value, SHARED_SECONDS)
    except InvalidCacheBackendError:
        return
    except Exception:  # e.g. a full disk: the reader still gets the result
        log.warning("Shared search cache not written", exc_info=True)


def forget_in_process() -> None:
    """Forget the rankings this process remembers, keeping the shared cache: what a new
    worker process starts with."""
    with _lock:
        _state.update(owners=None, entries=OrderedDict())


def clear() -> None:
    """Forget every remembered ranking (tests, and after replacing the index)."""
    forget_in_process()
    try:
        caches[SHARED_ALIAS].clear()
    except InvalidCacheBackendError:
        pass


register("result cache", clear)
