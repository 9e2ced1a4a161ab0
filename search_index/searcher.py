"""One Whoosh searcher per process, opened after the fork and refreshed cheaply per request.

A searcher opened before a fork and shared by workers returns wrong results once the index
has several segments, so the cached searcher remembers the process and index it belongs to.
"""
import os
import threading
from pathlib import Path

from whoosh.searching import Searcher

from .storage import INDEX_ERRORS, IndexUnavailable, index_path, open_index

_lock = threading.Lock()
_cached: dict[str, object] = {"pid": None, "path": None, "searcher": None}


def get_searcher() -> Searcher:
    """The current process's searcher, up to date with the latest commit; or IndexUnavailable."""
    pid, path = os.getpid(), index_path()
    with _lock:
        searcher = _cached["searcher"] if (_cached["pid"], _cached["path"]) == (pid, path) else None
        try:
            searcher = _fresh(searcher)
        except IndexUnavailable:
            _forget()
            raise
        except INDEX_ERRORS as exc:
            _forget()
            raise IndexUnavailable(f"the search index in {path} cannot be read: {exc}") from exc
        _cached.update(pid=pid, path=path, searcher=searcher)
        return searcher


def _fresh(searcher: Searcher | None) -> Searcher:
    """Reuse the searcher when no commit happened since; reopen only changed segments."""
    if searcher is None:
        return _open(index_path())
    if not index_path().is_dir():
        raise IndexUnavailable(f"no search index in {index_path()}")
    if searcher.up_to_date():
        return searcher
    # The old searcher is not closed: another thread may still be reading from it, and its
    # files close when it is garbage collected.
    return searcher.refresh()


def _open(path: Path) -> Searcher:
    searcher = open_index(create=False).searcher()
    # Touch the segment files now, so a damaged segment fails here and not mid-query.
    searcher.doc_count_all()
    searcher.reader().indexed_field_names()
    return searcher


def _forget() -> None:
    _cached.update(pid=None, path=None, searcher=None)


def close_searcher() -> None:
    """Close and drop this process's searcher (tests, and after replacing the index)."""
    with _lock:
        searcher = _cached["searcher"]
        same_process = _cached["pid"] == os.getpid()
        _forget()
    if searcher is not None and same_process:
        searcher.close()
