"""Keeping the Whoosh index in step with the database, which is always the truth.

The queue (change_queue.py) applies each save; `rebuild` and `reconcile` restore the index
wholesale from the database; `index_status` says how far the two agree.
"""
import logging
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Min
from whoosh.fields import Schema
from whoosh.index import Index
from whoosh.writing import CLEAR

from search_index.backends.whoosh.schema import build_schema
from search_index.backends.whoosh.storage import (
    INDEX_ERRORS,
    IndexLocked,
    IndexUnavailable,
    create_index,
    has_index_files,
    index_path,
    index_size,
    open_index,
    remove_leftovers,
    writer_lock,
)
from search_index.backends.whoosh.writer_processes import (
    hold_in_parent_only,
    release_from_children,
    stop_helpers,
)
from search_index.documents.builders import (
    INDEXED_MODELS,
    count_indexable,
    iter_documents,
    spare_document,
)
from search_index.sync.check import check_documents
from search_index.sync.nodes import lag, needs_rebuild, this_node
from search_index.sync.queue import (
    BATCH_SIZE,
    abandon,
    covered_changes,
    drain,
    enqueue,
    enqueue_many,
    mark_covered,
    pending_changes,
    record_failure,
)
from search_index.text.vocabulary import carry_on, document_words, with_vocabulary

__all__ = [
    "RebuildStats",
    "ReconcileStats",
    "apply_pending",
    "enqueue",
    "enqueue_many",
    "index_status",
    "pending_changes",
    "rebuild",
    "reconcile",
    "remove_index_leftovers",
]

logger = logging.getLogger(__name__)

MAX_PASSES = 20  # drains per apply_pending call, for changes that arrive while draining
AUTO_REBUILD_LIMIT = 2000  # a missing index this small is rebuilt inside a save's request
REBUILD_LOCK_TIMEOUT = 120.0  # a rebuild waits this long for a running drain or rebuild
PARALLEL_THRESHOLD = 5000  # below this many documents, forking writers costs more than it saves
# Postings a writer sorts in memory before spilling sorted runs to disk. A run costs a pickle
# dump and load per posting plus a heap merge; at 1 GB half of MedQuAD (about 2 million
# postings per writer process, ~0.4 GB of real memory) sorts in one go.
WRITER_MEMORY_MB = 1024


@dataclass
class RebuildStats:
    documents: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    size_bytes: int = 0
    path: str = ""

    @property
    def total(self) -> int:
        return sum(self.documents.values())


@dataclass
class ReconcileStats:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    rebuilt: bool = False

    @property
    def changed(self) -> int:
        return len(self.added) + len(self.updated) + len(self.deleted)


# Applying the queue (a missing index is rebuilt first)


def apply_pending(
    timeout: float = 5.0,
    rebuild_limit: int | None = AUTO_REBUILD_LIMIT,
    budget: float | None = None,
) -> int:
    """Apply queued changes to the index; returns how many were applied. Never raises on a lock.

    Changes that cannot be applied now (lock busy past `timeout`, index damaged, a failing
    commit) stay queued for the next call or the queue worker. A missing index is rebuilt
    first when the database holds at most `rebuild_limit` documents (None: any number), since
    applying changes to an empty index would look healthy while missing everything else.
    No new pass starts once `budget` seconds have gone (None: no limit).

    Whoever gives up on the lock relies on its holder: every pass looks at the queue again
    after releasing the lock, so a change committed before another process failed to take
    the lock is seen by the holder's next look (or by the queue worker, within its interval).
    """
    applied = 0
    deadline = time.monotonic() + budget if budget is not None else float("inf")
    for _ in range(MAX_PASSES):
        if time.monotonic() >= deadline or not (pending_changes().exists() or needs_rebuild()):
            break
        try:
            with writer_lock(timeout):
                _restore_missing_index(rebuild_limit)
                done, failed = drain(deadline)
        except IndexLocked:
            # The holder re-checks the queue after releasing the lock, so our change is
            # picked up by it (or by the queue worker) without us waiting longer.
            logger.info("index writer busy; queued changes wait for the current writer")
            break
        except OSError as exc:  # no lock file: read-only or full disk; the changes wait
            logger.error("cannot take the search index writer lock: %s", exc)
            # Counted, so index_status and the admin show the queue is stuck, not just slow.
            record_failure(list(pending_changes().values_list("pk", flat=True)[:BATCH_SIZE]), exc)
            break
        applied += done
        if failed or needs_rebuild():
            # The index is failing (retrying at once would fail again), or it must be
            # rebuilt and this caller may not (the queue worker will).
            break
    return applied


def _restore_missing_index(limit: int | None) -> None:
    """Rebuild an index that was never built or was deleted, or that the change log left
    behind (nodes.py: a new node, or one away while entries it lacked were pruned); the
    caller holds the lock."""
    why = "missing" if not has_index_files() else "behind the change log" if needs_rebuild() else ""
    if not why:
        return
    if limit is not None and sum(count_indexable().values()) > limit:
        logger.error("search index %s in %s: run manage.py rebuild_index", why, index_path())
        return
    logger.warning("search index %s in %s; rebuilding it", why, index_path())
    rebuild_locked(None)



# Wholesale rebuild


def rebuild(progress: Callable[[int], None] | None = None) -> RebuildStats:
    """Rebuild the whole index from the database; readers keep the old one until it is done."""
    started = time.monotonic()
    with writer_lock(REBUILD_LOCK_TIMEOUT):
        counts = rebuild_locked(progress)
    apply_pending(timeout=0)  # saves that gave up on the lock while we held it
    return RebuildStats(
        documents={name: counts.get(name, 0) for name in INDEXED_MODELS},
        seconds=time.monotonic() - started,
        size_bytes=index_size(),
        path=str(index_path()),
    )


def remove_index_leftovers(timeout: float = 5.0) -> list[str]:
    """At start-up: delete the files killed writers left behind (none while a writer runs)."""
    try:
        with writer_lock(timeout):
            removed = remove_leftovers()
    except (IndexLocked, OSError) as exc:
        logger.info("index leftovers not checked now: %s", exc)
        return []
    if removed:
        logger.warning("removed %d files killed index writers left behind", len(removed))
    return removed


def rebuild_locked(progress: Callable[[int], None] | None) -> Counter:
    """Rebuild while holding the writer lock, then apply what was queued meanwhile."""
    remove_leftovers()  # a killed rebuild's files would otherwise stay until this commit
    covered = covered_changes()
    expected = count_indexable()
    counts = _write_all(_index_for_rebuild(), sum(expected.values()), progress)
    mark_covered(covered)
    drain()  # changes committed while we were reading the database
    return counts


def _index_for_rebuild() -> Index:
    """The current index when healthy (so readers keep it until the commit), else a new one."""
    try:
        ix = open_index(create=True)
        if same_schema(ix.schema, build_schema()):
            return ix
        logger.warning("search index schema changed; creating a new index")
    except IndexUnavailable as exc:
        logger.warning("search index unavailable (%s); creating a new one", exc)
    return create_index()


def same_schema(old: Schema, new: Schema) -> bool:
    """True when an index's schema indexes every field as the new one would.

    Whoosh's own equality ignores analyzers and term vectors, so an index whose field changed
    only in those would keep its old analysis (and written its documents the old way).
    """
    return old == new and all(
        old[name].analyzer == new[name].analyzer and old[name].vector == new[name].vector
        for name in new.names()
    )


def _write_all(ix: Index, total: int, progress: Callable[[int], None] | None) -> Counter:
    """Add every document (the last few carrying the spelling vocabulary) and replace the old
    content in one commit (mergetype=CLEAR)."""
    procs = _writer_procs(total)
    options = {"limitmb": WRITER_MEMORY_MB, "timeout": 30.0, "delay": 0.1}
    if procs > 1:
        options.update(procs=procs, multisegment=True, batchsize=500)
    writer = ix.writer(**options)
    whoosh_lock_fd = getattr(writer.writelock, "fd", None)
    hold_in_parent_only(whoosh_lock_fd)
    counts: Counter = Counter()
    try:
        for document in with_vocabulary(iter_documents()):
            writer.add_document(**document)
            counts[document["doc_type"]] += 1
            if progress and counts.total() % 250 == 0:
                progress(250)
        writer.commit(mergetype=CLEAR)
    except BaseException:
        stop_helpers(writer)
        abandon(writer)
        raise
    finally:
        release_from_children(whoosh_lock_fd)
    if progress and counts.total() % 250:
        progress(counts.total() % 250)
    return counts


def _writer_procs(total: int) -> int:
    if total < PARALLEL_THRESHOLD:
        return 1
    return max(1, min(2, os.cpu_count() or 1))


# Reconcile and status


def reconcile() -> ReconcileStats:
    """Make the index equal the database: add missing, update stale and delete extra documents.

    An index that cannot be opened is rebuilt instead.
    """
    with writer_lock(REBUILD_LOCK_TIMEOUT):
        covered = covered_changes()
        try:
            stats = _reconcile_documents(open_index(create=True))
        except (IndexUnavailable, *INDEX_ERRORS) as exc:
            logger.warning("search index unreadable (%s); rebuilding it", exc)
            rebuild_locked(None)
            return ReconcileStats(rebuilt=True)
        mark_covered(covered)
        drain()
    apply_pending(timeout=0)  # saves that gave up on the lock while we held it
    return stats


def _reconcile_documents(ix: Index) -> ReconcileStats:
    """Compare every stored document with the database's version and fix the differences."""
    stored_names = [name for name, f in ix.schema.items() if f.stored]
    in_index = _stored_documents(ix, stored_names)
    stats = ReconcileStats()
    writer = ix.writer(timeout=30.0, delay=0.1)
    words: Counter = Counter()
    held: dict | None = None  # the last changed document, written last: it carries new words
    try:
        for document in iter_documents():
            key = document["doc_id"]
            found = in_index.pop(key, None)
            if found is None:
                stats.added.append(key)
            elif found != [_comparable(document, stored_names)]:
                stats.updated.append(key)  # stale, or stored twice
            else:
                stats.unchanged += 1
                continue
            words.update(document_words(document))
            if held is not None:
                writer.update_document(**held)
            held = document
        stats.deleted = list(in_index)
        _carry_vocabulary(ix, stats.updated + stats.deleted, words, held, writer)
        for key in stats.deleted:
            writer.delete_by_term("doc_id", key)
        if stats.changed:
            writer.commit()
        else:
            writer.cancel()
    except BaseException:
        abandon(writer)
        raise
    return stats


def _carry_vocabulary(ix: Index, replaced: list[str], words: Counter, held, writer) -> None:
    """Write the held document with the vocabulary the changes must keep (vocabulary.py)."""
    with ix.searcher() as searcher:
        extra = carry_on(searcher, replaced, words, held, spare_document)
    for document in (held, extra):
        if document is not None:
            writer.update_document(**document)


def _stored_documents(ix: Index, stored_names: list[str]) -> dict[str, list[dict]]:
    """The stored fields of every live document, by doc_id (a list, to catch duplicates)."""
    documents: dict[str, list[dict]] = {}
    with ix.searcher() as searcher:
        for fields in searcher.all_stored_fields():
            key = fields.get("doc_id", "")
            documents.setdefault(key, []).append(_comparable(fields, stored_names))
    return documents


def _comparable(fields: dict, names: list[str]) -> dict:
    return {name: fields.get(name) or "" for name in names}


def index_status() -> dict:
    """Counts in the database and the index by type, the queue, the documents that differ
    (index_check.py), and whether they all agree."""
    status = {
        "path": str(index_path()),
        "available": False,
        "error": "",
        "size_bytes": index_size(),
        "database": count_indexable(),
        "index": dict.fromkeys(INDEXED_MODELS, 0),
        "index_total": 0,
    }
    status["documents"] = None
    try:
        ix = open_index(create=False)
        with ix.searcher() as searcher:
            status["index"] = {name: _count_type(searcher, name) for name in INDEXED_MODELS}
            status["index_total"] = searcher.doc_count()
        status["documents"] = check_documents().summary()
        status["available"] = True
    except (IndexUnavailable, *INDEX_ERRORS) as exc:
        status["error"] = str(exc)
    status.update(_queue_status())
    documents = status["documents"] or {}
    status["in_step"] = bool(
        status["available"]
        and status["pending"] == 0
        and not status["node"]["needs_rebuild"]
        and status["index"] == status["database"]
        and status["index_total"] == sum(status["database"].values())
        and documents.get("versions_recorded")
        and documents.get("differing") == 0
        and documents.get("waiting") == 0
    )
    return status


def _count_type(searcher, name: str) -> int:
    return sum(1 for _ in searcher.document_numbers(doc_type=name))


def _queue_status() -> dict:
    """This node's place in the change log (nodes.py)."""
    node = this_node()
    pending = pending_changes()
    oldest = pending.aggregate(oldest=Min("created_at"))["oldest"]
    return {
        "pending": pending.count(),
        "failed": pending.filter(attempts__gt=0).count(),
        "oldest_pending_at": oldest,
        "last_applied_at": node.applied_at,
        "node": lag(node),
    }
