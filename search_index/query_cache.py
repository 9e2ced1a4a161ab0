"""A per-process memory of recent rankings, so a popular query costs microseconds.

An entry is valid only for the searcher and glossary it was computed with: when either is
replaced (a commit to the index, a changed synonym or article name) the whole memory is
dropped, which also lets the old searcher be collected.
"""
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

MAX_ENTRIES = 2048

T = TypeVar("T")

_lock = threading.Lock()
_state: dict = {"owners": None, "entries": OrderedDict()}


def cached(owners: tuple, key: Hashable, compute: Callable[[], T]) -> T:
    """compute()'s value for key, remembered while the owners (searcher, glossary) stay."""
    with _lock:
        if _state["owners"] is None or any(
            a is not b for a, b in zip(_state["owners"], owners, strict=True)
        ):
            _state.update(owners=owners, entries=OrderedDict())
        entries = _state["entries"]
        if key in entries:
            entries.move_to_end(key)
            return entries[key]
    value = compute()
    with _lock:
        if _state["owners"] is not None and all(
            a is b for a, b in zip(_state["owners"], owners, strict=True)
        ):
            entries = _state["entries"]
            entries[key] = value
            if len(entries) > MAX_ENTRIES:
                entries.popitem(last=False)
    return value


def clear() -> None:
    """Forget every remembered ranking (tests, and after replacing the index)."""
    with _lock:
        _state.update(owners=None, entries=OrderedDict())
