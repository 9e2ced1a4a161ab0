"""Keeping the search index in step with the database, which is always the truth.

The queue (queue.py) applies each save; `rebuild` and `reconcile` restore the index wholesale
from the database; `index_status` says how far the two agree. What to write is decided here;
how it is written is the backend's (get_backend(): its writer lock, replace_all,
apply_changes).
"""
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Min

from search_index.backends import IndexLocked, IndexUnavailable, get_backend
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
    covered_changes,
    drain,
    enqueue,
    enqueue_many,
    mark_covered,
    pending_changes,
    record_failure,
)
from search_index.text.vocabulary import with_vocabulary

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
PROGRESS_EVERY = 250  # documents between two progress reports of a rebuild


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
            with get_backend().writer_lock(timeout):
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
    backend = get_backend()
    if not backend.has_index():
        why = "missing"
    elif needs_rebuild():
        why = "behind the change log"
    else:
        return
    if limit is not None and sum(count_indexable().values()) > limit:
        logger.error("search index %s in %s: run manage.py rebuild_index", why, backend.location())
        return
    logger.warning("search index %s in %s; rebuilding it", why, backend.location())
    rebuild_locked(None)



# Wholesale rebuild


def rebuild(progress: Callable[[int], None] | None = None) -> RebuildStats:
    """Rebuild the whole index from the database; readers keep the old one until it is done."""
    started = time.monotonic()
    backend = get_backend()
    with backend.writer_lock(REBUILD_LOCK_TIMEOUT):
        counts = rebuild_locked(progress)
    apply_pending(timeout=0)  # saves that gave up on the lock while we held it
    return RebuildStats(
        documents={name: counts.get(name, 0) for name in INDEXED_MODELS},
        seconds=time.monotonic() - started,
        size_bytes=backend.size_bytes(),
        path=backend.location(),
    )


def remove_index_leftovers(timeout: float = 5.0) -> list[str]:
    """At start-up: delete the files killed writers left behind (none while a writer runs)."""
    backend = get_backend()
    try:
        with backend.writer_lock(timeout):
            removed = backend.remove_leftovers()
    except (IndexLocked, OSError) as exc:
        logger.info("index leftovers not checked now: %s", exc)
        return []
    if removed:
        logger.warning("removed %d files killed index writers left behind", len(removed))
    return removed


def rebuild_locked(progress: Callable[[int], None] | None) -> Counter:
    """Rebuild while holding the writer lock, then apply what was queued meanwhile."""
    backend = get_backend()
    backend.remove_leftovers()  # a killed rebuild's files would otherwise stay until this commit
    covered = covered_changes()
    expected = count_indexable()
    counts: Counter = Counter()
    # The last few documents carry the spelling vocabulary (text/vocabulary.py).
    documents = with_vocabulary(iter_documents())
    backend.replace_all(_counted(documents, counts, progress), sum(expected.values()))
    if progress and counts.total() % PROGRESS_EVERY:
        progress(counts.total() % PROGRESS_EVERY)
    mark_covered(covered)
    drain()  # changes committed while we were reading the database
    return counts


def _counted(
    documents: Iterable[dict], counts: Counter, progress: Callable[[int], None] | None
) -> Iterator[dict]:
    """The documents, each counted by type once the backend has taken it."""
    for document in documents:
        yield document
        counts[document["doc_type"]] += 1
        if progress and counts.total() % PROGRESS_EVERY == 0:
            progress(PROGRESS_EVERY)


# Reconcile and status


def reconcile() -> ReconcileStats:
    """Make the index equal the database: add missing, update stale and delete extra documents.

    An index that cannot be opened is rebuilt instead.
    """
    backend = get_backend()
    with backend.writer_lock(REBUILD_LOCK_TIMEOUT):
        covered = covered_changes()
        try:
            stats = _reconcile_documents()
        except (IndexUnavailable, *backend.read_errors) as exc:
            logger.warning("search index unreadable (%s); rebuilding it", exc)
            rebuild_locked(None)
            return ReconcileStats(rebuilt=True)
        mark_covered(covered)
        drain()
    apply_pending(timeout=0)  # saves that gave up on the lock while we held it
    return stats


def _reconcile_documents() -> ReconcileStats:
    """Compare every stored document with the database's version and fix the differences."""
    backend = get_backend()
    in_index = backend.stored_documents()
    stats = ReconcileStats()
    changed: list[dict] = []
    for document in iter_documents():
        key = document["doc_id"]
        found = in_index.pop(key, None)
        if found is None:
            stats.added.append(key)
        elif found != [{name: document.get(name) or "" for name in found[0]}]:
            stats.updated.append(key)  # stale, or stored twice
        else:
            stats.unchanged += 1
            continue
        changed.append(document)
    stats.deleted = list(in_index)
    refused = backend.apply_changes(changed, stats.deleted, spare_document)
    if refused:  # left as they were; the documents check (index_status) names them
        logger.error("the index refused %d documents: %s", len(refused), ", ".join(refused))
    return stats


def index_status() -> dict:
    """Counts in the database and the index by type, the queue, the documents that differ
    (check.py), and whether they all agree."""
    backend = get_backend()
    status = {
        "path": backend.location(),
        "available": False,
        "error": "",
        "size_bytes": backend.size_bytes(),
        "database": count_indexable(),
        "index": dict.fromkeys(INDEXED_MODELS, 0),
        "index_total": 0,
    }
    status["documents"] = None
    try:
        status["index"], status["index_total"] = backend.document_counts(list(INDEXED_MODELS))
        status["documents"] = check_documents().summary()
        status["available"] = True
    except (IndexUnavailable, *backend.read_errors) as exc:
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
