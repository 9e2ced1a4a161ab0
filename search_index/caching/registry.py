"""Every process-wide memory of the search layer has one owner here: reset_all() forgets
them all (tests, benchmarks' fresh starts, after replacing the index).

Each module that remembers something registers how to forget it, next to what it keeps:

    _stems = LRU("stems", max_size=500_000)                       # an LRU registers itself
    register("parsed clauses", _analysed.cache_clear)              # anything else, by hand

`reset_all()` calls them in registration order and names what it reset.
"""
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

_clearers: dict[str, Callable[[], Any]] = {}
_lock = threading.Lock()


def register(name: str, clear: Callable[[], Any]) -> Callable[[], Any]:
    """Have reset_all() call `clear` under `name` (a later registration replaces it)."""
    with _lock:
        _clearers[name] = clear
    return clear


def registered() -> list[str]:
    """The names of every registered memory, in registration order."""
    return list(_clearers)


def reset_all() -> list[str]:
    """Forget everything every registered memory holds; the names reset."""
    with _lock:
        clearers = list(_clearers.items())
    for _name, clear in clearers:
        clear()
    return [name for name, _clear in clearers]


def _one(_value: Any) -> int:
    return 1


class LRU:
    """Values by key, the least recently used forgotten past `max_size`.

    Sizes default to one per entry; `size_of` measures otherwise (bytes of arrays). Reads
    take no lock: each OrderedDict call is atomic and a query makes hundreds of them; an
    entry evicted between the two calls is still returned, once. The newest entry always
    stays, whatever its size.
    """

    def __init__(self, name: str | None, max_size: int | Callable[[], int],
                 size_of: Callable[[Any], int] = _one) -> None:
        # A callable cap is read at each insertion, so tests can lower a module's constant.
        self.cap = max_size if callable(max_size) else (lambda: max_size)
        self.size_of = size_of
        self.entries: OrderedDict = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()
        if name is not None:  # None: owned by an object that dies with it (a searcher)
            register(name, self.clear)

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, key: Hashable) -> bool:
        return key in self.entries

    def get(self, key: Hashable, default: Any = None) -> Any:
        """The value under key (now the most recently used), or default."""
        found = self.entries.get(key, default)
        if found is not default:
            try:
                self.entries.move_to_end(key)
            except KeyError:
                pass
        return found

    def put(self, key: Hashable, value: Any) -> None:
        """Keep value under key (a key already kept keeps its first value)."""
        with self.lock:
            if key in self.entries:
                return
            self.entries[key] = value
            self.size += self.size_of(value)
            cap = self.cap()
            while self.size > cap and len(self.entries) > 1:
                _key, old = self.entries.popitem(last=False)
                self.size -= self.size_of(old)

    def kept(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """The value under key, built (outside the lock) and kept when missing."""
        found = self.get(key, _MISSING)
        if found is _MISSING:
            found = build()
            self.put(key, found)
        return found

    def values(self) -> list:
        """The values kept, least recently used first."""
        return list(self.entries.values())

    def clear(self) -> None:
        """Forget every entry."""
        with self.lock:
            self.entries.clear()
            self.size = 0


_MISSING = object()
