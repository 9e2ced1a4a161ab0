"""Where the Whoosh index lives, and opening it without letting a damaged index crash a page.

Every failure mode of the files on disk (missing directory, emptied directory, truncated or
garbage table of contents, unreadable segments) becomes one exception, IndexUnavailable, so
callers can answer "search is temporarily unavailable" and an operator can rebuild.
"""
import fcntl
import os
import pickle
import shutil
import struct
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.filetables import FileFormatError
from whoosh.index import FileIndex, Index

from search_index.backends.base import IndexLocked, IndexUnavailable
from search_index.backends.whoosh.arrays.codec import ArrayCodec
from search_index.backends.whoosh.schema import build_schema
from search_index.backends.whoosh.writer_processes import hold_in_parent_only, release_from_children

# The index's format, in the name Whoosh gives its files (_symptoms_v2_<gen>.toc,
# symptoms_v2_<id>.seg). Whoosh pickles class paths (analyzers, formats, codec) into the table
# of contents, so code whose classes moved cannot read an index written before: a new
# version makes such an index look missing, and the queue worker (and `make run`) rebuild
# it instead of failing on it. 1: Whoosh's default name "MAIN", the flat search_index/
# layout; 2: the layout of one folder per concern; 3: the analyzers as Whoosh adapters
# (backends/whoosh/analysis.py) of the engine-neutral text/ pipeline.
FORMAT_VERSION = 3
INDEX_NAME = f"symptoms_v{FORMAT_VERSION}"

# Everything Whoosh (or the OS and pickle underneath it) raises for a broken index.
INDEX_ERRORS: tuple[type[BaseException], ...] = (
    whoosh_index.IndexError,  # includes EmptyIndexError, IndexVersionError, OutOfDateError
    OSError,
    EOFError,
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,  # the builtin one: struct reads past the end of a truncated file
    pickle.UnpicklingError,
    MemoryError,  # a garbage length field can ask for absurd allocations
    FileFormatError,  # a damaged term table
    OverflowError,  # pickle reading a garbage frame length
    zlib.error,  # a damaged compressed block of postings or stored fields
    struct.error,  # a damaged fixed-size field
)


class ArrayIndex(FileIndex):
    """A Whoosh file index whose writers store postings as arrays (arrays/codec.py)."""

    def writer(self, procs=1, **kwargs):
        """A writer, or IndexLocked when Whoosh's own lock stays busy past the timeout."""
        kwargs.setdefault("codec", ArrayCodec())
        try:
            return super().writer(procs=procs, **kwargs)
        except whoosh_index.LockError as exc:
            raise IndexLocked(f"the Whoosh index lock is busy: {exc}") from exc


def index_path() -> Path:
    """The index directory, read from settings at call time (tests swap it)."""
    return Path(settings.SEARCH_INDEX["PATH"])


def lock_path() -> Path:
    """The writers' lock file: beside the index, so it survives the index being replaced."""
    path = index_path()
    return path.with_name(path.name + ".lock")


def index_exists() -> bool:
    """True when the directory holds a table of contents (it may still be damaged)."""
    try:
        return whoosh_index.exists_in(str(index_path()), indexname=INDEX_NAME)
    except INDEX_ERRORS:
        return False


def create_index() -> Index:
    """Create an empty index with the current schema, replacing whatever the directory holds."""
    path = index_path()
    try:
        path.mkdir(parents=True, exist_ok=True)
        remove_other_formats(path)
        return ArrayIndex.create(FileStorage(str(path)), build_schema(), INDEX_NAME)
    except INDEX_ERRORS as exc:
        raise IndexUnavailable(f"cannot create the search index: {exc}") from exc


def open_index(create: bool = True) -> Index:
    """Open the index; create an empty one when missing if `create`, else raise IndexUnavailable.

    A damaged index is never silently replaced here: that would hide lost content. Rebuild it.
    """
    path = index_path()
    if not index_exists():
        if create and not has_index_files(path):
            return create_index()
        raise IndexUnavailable(f"no search index in {path}")
    try:
        return ArrayIndex(FileStorage(str(path)), indexname=INDEX_NAME)
    except INDEX_ERRORS as exc:
        raise IndexUnavailable(f"the search index in {path} is damaged: {exc}") from exc


def has_index_files(path: Path | None = None) -> bool:
    """True when the directory holds files of this format's index (a damaged one still does).

    An index of an older format does not count: it is rebuilt as a missing one would be.
    """
    try:
        return any(_is_index_file(name) for name in os.listdir(path or index_path()))
    except OSError:
        return False


def _is_index_file(name: str) -> bool:
    if name.endswith("_WRITELOCK"):
        return name == f"{INDEX_NAME}_WRITELOCK"
    if name.endswith(".toc"):
        return name.startswith(f"_{INDEX_NAME}_")
    return name.endswith(".seg") and name.startswith(f"{INDEX_NAME}_")


def remove_other_formats(path: Path) -> list[str]:
    """Delete the tables of contents, segments and lock files of other formats; their names."""
    removed = []
    for entry in os.scandir(path):
        is_whoosh_file = entry.name.endswith((".toc", ".seg", "_WRITELOCK"))
        if is_whoosh_file and not _is_index_file(entry.name) and entry.is_file():
            os.remove(entry.path)
            removed.append(entry.name)
    return removed


def index_size(path: Path | None = None) -> int:
    """Bytes the index files take on disk (0 when there is no index)."""
    path = path or index_path()
    try:
        return sum(entry.stat().st_size for entry in os.scandir(path) if entry.is_file())
    except OSError:
        return 0


def remove_leftovers() -> list[str]:
    """Delete what killed writers left in the index folder; the caller holds the writer lock.

    Whoosh deletes a dead writer's segment files only at the next commit, and never its
    temporary folder: ten killed rebuilds grew the folder from 15 to 90 MB. Returns the names
    removed. A damaged index is left alone: rebuilding replaces it.
    """
    path = index_path()
    try:
        storage = FileStorage(str(path))
        toc = whoosh_index.TOC.read(storage, INDEX_NAME)
        before = set(os.listdir(path))
    except INDEX_ERRORS:
        return []
    # Files of segments and tables of contents that the current table does not name.
    whoosh_index.clean_files(storage, INDEX_NAME, toc.generation, toc.segments)
    for entry in os.scandir(path):
        if entry.name.endswith(".tmp") and entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)  # a writer's spill folder
    return sorted(before - set(os.listdir(path)))


@contextmanager
def writer_lock(timeout: float) -> Iterator[int]:
    """Hold the one-writer-at-a-time lock across processes and threads, or raise IndexLocked.

    flock is released by the kernel when its holder dies, so a killed indexer never leaves
    a stale lock behind. Each call opens its own file, so threads exclude each other too.
    """
    path = lock_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    hold_in_parent_only(fd)
    try:
        _acquire(fd, timeout)
        try:
            yield fd
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        release_from_children(fd)
        os.close(fd)


def _acquire(fd: int, timeout: float) -> None:
    """Poll for the lock with growing pauses until the timeout runs out."""
    deadline = time.monotonic() + max(timeout, 0.0)
    pause = 0.005
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise IndexLocked(f"the search index writer lock is busy ({lock_path()})") from None
            time.sleep(min(pause, remaining))
            pause = min(pause * 2, 0.2)
