"""The index change queue: saves record changes, one writer at a time applies them.

Saves write IndexChange rows in their own transaction (see signals.py); `apply_pending` drains
that queue with one writer at a time across processes (an flock beside the index), re-reading
each row from the database, and marks a change applied only after Whoosh committed it. A
change that fails stays queued with its error and is retried by the next drain, so a lock, a
crash or a full disk delays a change but never loses it.
"""
import logging
import time
from collections.abc import Iterable

from django.db.models import F, QuerySet
from django.utils import timezone
from whoosh.index import LockError

from search_index.backends.whoosh.storage import (
    INDEX_ERRORS,
    IndexLocked,
    IndexUnavailable,
    has_index_files,
    index_path,
    open_index,
    writer_lock,
)
from search_index.documents.builders import (
    INDEXED_MODELS,
    count_indexable,
    doc_id,
    fitted,
    load_indexable,
    spare_document,
)
from search_index.models import IndexChange
from search_index.text.vocabulary import carry_on, count_words

logger = logging.getLogger(__name__)

BATCH_SIZE = 500  # queued changes applied per Whoosh commit
MAX_PASSES = 20  # drains per apply_pending call, for changes that arrive while draining
AUTO_REBUILD_LIMIT = 2000  # a missing index this small is rebuilt inside a save's request


def enqueue(model_name: str, pk: int) -> None:
    """Record that one indexed row changed (call inside the transaction that changed it)."""
    enqueue_many(model_name, [pk])


def enqueue_many(model_name: str, pks: Iterable[int]) -> None:
    """Record that several rows of one indexed model changed."""
    if model_name not in INDEXED_MODELS:
        raise ValueError(f"{model_name!r} is not an indexed model")
    IndexChange.objects.bulk_create(
        [IndexChange(model=model_name, object_id=pk) for pk in pks if pk is not None]
    )


def pending_changes() -> QuerySet:
    """Queued changes not yet in the index, oldest first."""
    return IndexChange.objects.filter(applied_at__isnull=True).order_by("pk")


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
        if time.monotonic() >= deadline or not pending_changes().exists():
            break
        try:
            with writer_lock(timeout):
                _restore_missing_index(rebuild_limit)
                done, failed = drain()
        except IndexLocked:
            # The holder re-checks the queue after releasing the lock, so our change is
            # picked up by it (or by the queue worker) without us waiting longer.
            logger.info("index writer busy; queued changes wait for the current writer")
            break
        except OSError as exc:  # no lock file: read-only or full disk; the changes wait
            logger.error("cannot take the search index writer lock: %s", exc)
            # Counted, so index_status and the admin show the queue is stuck, not just slow.
            _record_failure(list(pending_changes().values_list("pk", flat=True)[:BATCH_SIZE]), exc)
            break
        applied += done
        if failed:
            break  # the index is failing: retrying at once would fail again
    return applied


def _restore_missing_index(limit: int | None) -> None:
    """Rebuild an index that was never built or was deleted; the caller holds the lock."""
    if has_index_files():
        return
    from search_index.sync.rebuild import rebuild_locked  # the rebuild itself drains this queue

    if limit is not None and sum(count_indexable().values()) > limit:
        logger.error("search index missing in %s: run manage.py rebuild_index", index_path())
        return
    logger.warning("search index missing in %s; rebuilding it", index_path())
    rebuild_locked(None)


def drain() -> tuple[int, int]:
    """Apply every pending change in batches; the caller holds the writer lock."""
    applied = failed = 0
    cursor = 0
    while True:
        batch = list(pending_changes().filter(pk__gt=cursor)[:BATCH_SIZE])
        if not batch:
            return applied, failed
        cursor = batch[-1].pk
        done, not_done = _apply_batch(batch)
        applied += done
        failed += not_done
        if not done and not_done:
            # The index itself is failing (missing, locked, disk full): stop for now.
            return applied, failed


def _apply_batch(batch: list[IndexChange]) -> tuple[int, int]:
    """One Whoosh commit for a batch of changes; applied_at is set only after it succeeded."""
    try:
        ix = open_index(create=False)
        writer = ix.writer(timeout=1.0, delay=0.05)
    except LockError:
        logger.warning("search index locked by another writer; %d changes wait", len(batch))
        return 0, len(batch)
    except (IndexUnavailable, *INDEX_ERRORS) as exc:
        _record_failure([c.pk for c in batch], exc)
        return 0, len(batch)
    failed_ids: list[int] = []
    try:
        documents = _current_documents(ix, writer, batch, failed_ids)
        for change_ids, document in documents:
            try:
                writer.update_document(**fitted(document, writer.schema))
            except Exception as exc:  # one bad row must not hold back the others
                logger.exception("cannot index %s", document["doc_id"])
                _record_failure(change_ids, exc)
                failed_ids.extend(change_ids)
        writer.commit()
    except BaseException as exc:
        abandon(writer)
        _record_failure([c.pk for c in batch if c.pk not in failed_ids], exc)
        if not isinstance(exc, Exception):
            raise
        logger.exception("search index commit failed; %d changes wait", len(batch))
        return 0, len(batch)
    done_ids = [c.pk for c in batch if c.pk not in failed_ids]
    IndexChange.objects.filter(pk__in=done_ids).update(applied_at=timezone.now())
    return len(done_ids), len(failed_ids)


def _group(batch: list[IndexChange]) -> dict[tuple[str, int], list[int]]:
    """Queued changes per row: many saves of one row need one index update."""
    groups: dict[tuple[str, int], list[int]] = {}
    for change in batch:
        groups.setdefault((change.model, change.object_id), []).append(change.pk)
    return groups


def _current_documents(ix, writer, batch: list[IndexChange], failed_ids: list[int]) -> list:
    """(change ids, document) to write for the batch's rows; rows gone or unpublished are
    deleted. The last document also carries the words the batch must keep (vocabulary.py)."""
    documents: list[tuple[list[int], dict]] = []
    replaced: list[str] = []
    for (name, pk), change_ids in _group(batch).items():
        try:
            document = _current_document(writer, name, pk)
        except Exception as exc:  # one bad row must not hold back the others
            logger.exception("cannot index %s:%s", name, pk)
            _record_failure(change_ids, exc)
            failed_ids.extend(change_ids)
            continue
        replaced.append(doc_id(name, pk))
        if document is not None:
            documents.append((change_ids, document))
    last = documents[-1][1] if documents else None
    with ix.searcher() as searcher:  # the committed index: what the deleted rows carried
        new_words = count_words(document for _, document in documents)
        extra = carry_on(searcher, replaced, new_words, last, spare_document)
    if extra is not None:
        documents.append(([], extra))
    return documents


def _current_document(writer, name: str, pk: int) -> dict | None:
    """The row's current document, or None after deleting it when it is gone or unpublished."""
    if name not in INDEXED_MODELS:
        raise ValueError(f"unknown indexed model {name!r}")
    obj = load_indexable(name, pk)
    if obj is None:
        writer.delete_by_term("doc_id", doc_id(name, pk))
        return None
    return INDEXED_MODELS[name][1](obj)


def abandon(writer) -> None:
    """Cancel a failed writer so its Whoosh lock is free even if cancelling fails too."""
    try:
        writer.cancel()
    except Exception:
        logger.warning("cancelling the index writer failed; releasing its lock", exc_info=True)
        lock = getattr(writer, "writelock", None)
        if lock is not None:
            try:
                lock.release()
            except Exception:
                logger.warning("could not release the index write lock", exc_info=True)


def _record_failure(change_ids: list[int], exc: BaseException) -> None:
    """Count a failed attempt on queued changes; they stay pending."""
    if change_ids:
        IndexChange.objects.filter(pk__in=change_ids).update(
            attempts=F("attempts") + 1, last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )


def mark_covered(change_ids: list[int]) -> None:
    """Mark changes applied that a wholesale rebuild or reconcile read after they committed."""
    for start in range(0, len(change_ids), BATCH_SIZE):
        IndexChange.objects.filter(
            pk__in=change_ids[start : start + BATCH_SIZE], applied_at__isnull=True
        ).update(applied_at=timezone.now())


def covered_changes() -> list[int]:
    """Pending changes already committed: reading the database after this includes them."""
    return list(pending_changes().values_list("pk", flat=True))
