"""One Whoosh searcher per process, opened after the fork and checked cheaply per request.

A searcher opened before a fork and shared by workers returns wrong results once the index
has several segments, so the cached searcher remembers the process and index it belongs to.
Each call costs one directory scan; a new searcher is opened only when the index changed.
"""
import hashlib
import os
import threading
import time
from collections import OrderedDict
from pathlib import Path

from whoosh.searching import Searcher

from search_index.backends.whoosh.storage import (
    INDEX_ERRORS,
    IndexUnavailable,
    has_index_files,
    index_path,
    open_index,
)
from search_index.caching.registry import register

_lock = threading.Lock()
_cached: dict[str, object] = {"pid": None, "path": None, "searcher": None, "files": None}


# A commit in another process replaces the TOC and removes merged segments; a reader that
# looks in between finds files gone. Such a race clears within milliseconds, so look again
# before calling the index unavailable.
OPEN_ATTEMPTS = 3
RETRY_PAUSE = 0.02


def get_searcher() -> Searcher:
    """The current process's searcher, up to date with the latest commit; or IndexUnavailable."""
    for attempt in range(1, OPEN_ATTEMPTS + 1):
        try:
            return _get_searcher()
        except IndexUnavailable:
            # A missing or emptied index is no race: say so at once, without sleeping.
            if attempt == OPEN_ATTEMPTS or not has_index_files(index_path()):
                raise
            time.sleep(RETRY_PAUSE * attempt)
    raise AssertionError("unreachable")


def _get_searcher() -> Searcher:
    pid, path = os.getpid(), index_path()
    with _lock:
        same = (_cached["pid"], _cached["path"]) == (pid, path)
        try:
            files = _committed_files(path)
            searcher = _current(_cached["searcher"] if same else None, files, _cached["files"])
        except IndexUnavailable:
            _forget()
            raise
        except INDEX_ERRORS as exc:
            _forget()
            raise IndexUnavailable(f"the search index in {path} cannot be read: {exc}") from exc
        _cached.update(pid=pid, path=path, searcher=searcher, files=files)
        if getattr(searcher, "signature", None) is None:
            searcher.signature = _signature(path, files)
        return searcher


def _committed_files(path: Path) -> frozenset:
    """Name, size and time of the index's committed files: one directory scan, no reads."""
    try:
        entries = [e for e in os.scandir(path) if e.name.endswith((".toc", ".seg"))]
    except OSError as exc:
        raise IndexUnavailable(f"no search index in {path}") from exc
    files = []
    for entry in entries:
        try:
            stat = entry.stat()
        except FileNotFoundError:
            continue  # removed by a commit after the listing: not part of the index any more
        files.append((entry.name, stat.st_size, stat.st_mtime_ns))
    return frozenset(files)


def _signature(path: Path, files: frozenset) -> str:
    """A name for one committed state of the index, the same in every process that sees it."""
    listing = repr((str(path), sorted(files))).encode()
    return hashlib.sha256(listing).hexdigest()[:32]


def _current(searcher: Searcher | None, files: frozenset, seen: frozenset | None) -> Searcher:
    """Reuse the searcher while the index files are unchanged; otherwise open a new one.

    Searcher.refresh() is not used: in whoosh-reloaded 2.7.5 it fails on a single-segment
    index and, with several segments, keeps segments a merge removed (duplicate results).
    Opening a searcher costs a few milliseconds, and only after a commit. The old searcher
    is not closed: another thread may still read from it; it closes when collected.
    """
    if searcher is None or searcher.is_closed or files != seen or not files:
        return _open()
    return searcher


def _open() -> Searcher:
    searcher = open_index(create=False).searcher()
    # Touch the segment files now, so a damaged segment fails here and not mid-query.
    searcher.doc_count_all()
    searcher.reader().indexed_field_names()
    return searcher


def _forget() -> None:
    _cached.update(pid=None, path=None, searcher=None, files=None)


# Documents whose stored fields a searcher keeps: a results page reads those of 30 hits,
# then of the 10 it shows, and popular answers come up again in other queries.
STORED_DOCUMENTS = 4000


def stored_fields(searcher: Searcher, docnum: int) -> dict:
    """searcher.stored_fields(docnum), remembered for this searcher (do not change it)."""
    kept = searcher.__dict__.get("_stored")
    if kept is None:
        kept = searcher.__dict__.setdefault("_stored", (OrderedDict(), threading.Lock()))
    documents, lock = kept
    with lock:
        fields = documents.get(docnum)
        if fields is not None:
            documents.move_to_end(docnum)
            return fields
    fields = searcher.stored_fields(docnum)
    with lock:
        documents[docnum] = fields
        if len(documents) > STORED_DOCUMENTS:
            documents.popitem(last=False)
    return fields


def kept_documents(searcher: Searcher) -> list[int]:
    """The document numbers whose stored fields the searcher keeps, least recently used first."""
    kept = searcher.__dict__.get("_stored")
    return [] if kept is None else list(kept[0])


def current_searcher() -> Searcher | None:
    """This process's open searcher, without opening one (None when there is none)."""
    return _cached["searcher"]


def kind_and_article(searcher: Searcher, docnum: int) -> tuple[str, str]:
    """A document's kind and the article it belongs to (a FAQ without one is its own group),
    read from the index's columns (its stored answer would cost about 1 ms a query)."""
    columns = searcher.__dict__.get("_kind_columns")
    if columns is None:
        reader = searcher.reader()
        columns = (reader.column_reader("kind"), reader.column_reader("article_slug"))
        searcher.__dict__["_kind_columns"] = columns
    kinds, slugs = columns
    slug = slugs[docnum]
    if slug:
        return kinds[docnum], slug
    return kinds[docnum], stored_fields(searcher, docnum).get("doc_id", str(docnum))


def close_searcher() -> None:
    """Close and drop this process's searcher (tests, and after replacing the index)."""
    with _lock:
        searcher = _cached["searcher"]
        same_process = _cached["pid"] == os.getpid()
        _forget()
    if searcher is not None and same_process:
        searcher.close()


register("process searcher", close_searcher)
