"""The index change log: saves append changes, each node applies them to its own index.

Saves write IndexChange rows in their own transaction (see signals.py), in commit order
(nodes.py); `apply_pending` (rebuild.py, which also rebuilds a missing index first) applies
the entries past this node's position with one writer at a time across the node's processes
(the backend's writer lock), re-reading each row from the database, and moves the node's
position only after the backend's apply_changes committed them. A change that fails stays
unapplied with its error and is retried by the next drain, so a lock, a crash or a full disk
delays a change but never loses it; only a row that cannot be made into a document
GIVE_UP_AFTER times is passed over (the documents check then names it, and reconcile_index
repairs it).
"""
import logging
import time
from collections.abc import Iterable

from django.db import router, transaction
from django.db.models import F, QuerySet

from search_index.backends import IndexLocked, IndexUnavailable, get_backend
from search_index.documents.builders import (
    INDEXED_MODELS,
    doc_id,
    load_indexable,
    spare_document,
)
from search_index.models import IndexChange
from search_index.sync import nodes

logger = logging.getLogger(__name__)

BATCH_SIZE = 500  # queued changes applied per index commit
WRITER_WAIT = 1.0  # seconds a batch waits for the engine's own write lock
GIVE_UP_AFTER = 3  # a row failing to become a document this often no longer holds the log


def enqueue(model_name: str, pk: int) -> None:
    """Record that one indexed row changed (call inside the transaction that changed it)."""
    enqueue_many(model_name, [pk])


def enqueue_many(model_name: str, pks: Iterable[int]) -> None:
    """Record that several rows of one indexed model changed."""
    if model_name not in INDEXED_MODELS:
        raise ValueError(f"{model_name!r} is not an indexed model")
    changes = [IndexChange(model=model_name, object_id=pk) for pk in pks if pk is not None]
    if changes:
        with transaction.atomic(using=router.db_for_write(IndexChange)):
            nodes.hold_log_order()
            IndexChange.objects.bulk_create(changes)


def pending_changes() -> QuerySet:
    """Changes this node's index has not applied yet, oldest first."""
    return nodes.unapplied()


def drain(deadline: float = float("inf")) -> tuple[int, int]:
    """Apply pending changes in batches until none is left or time.monotonic() passes
    `deadline` between batches; the caller holds the writer lock."""
    applied = failed = 0
    cursor = 0
    while True:
        batch = list(pending_changes().filter(pk__gt=cursor)[:BATCH_SIZE])
        if not batch or (applied and time.monotonic() >= deadline):
            return applied, failed
        cursor = batch[-1].pk
        done, not_done = _apply_batch(batch)
        applied += done
        failed += not_done
        if not_done:
            # The node's position waits before the failed change: later batches would
            # only be applied again. The next drain retries.
            return applied, failed


def _apply_batch(batch: list[IndexChange]) -> tuple[int, int]:
    """One index commit for a batch of changes; the node's position moves only after it."""
    failed_ids: list[int] = []
    documents, deleted, owners = _current_documents(batch, failed_ids)
    waiting = [c.pk for c in batch if c.pk not in failed_ids]
    try:
        refused = get_backend().apply_changes(
            documents, deleted, spare_document, wait=WRITER_WAIT, create=False
        )
    except IndexLocked:
        logger.warning("search index locked by another writer; %d changes wait", len(batch))
        return 0, len(batch)
    except IndexUnavailable as exc:
        record_failure(waiting, exc)
        return 0, len(batch)
    except BaseException as exc:
        record_failure(waiting, exc)
        if not isinstance(exc, Exception):
            raise
        logger.exception("search index commit failed; %d changes wait", len(batch))
        return 0, len(batch)
    for key, exc in refused.items():
        change_ids = owners.get(key, [])
        record_failure(change_ids, exc)
        failed_ids.extend(change_ids)
    _advance_past(batch, failed_ids)
    return len(batch) - len(failed_ids), len(failed_ids)


def _advance_past(batch: list[IndexChange], failed_ids: list[int]) -> None:
    """Move the node's position to the last change the commit settled: one failed fewer than
    GIVE_UP_AFTER times is tried again, so the position stops before it."""
    retried = [c.pk for c in batch if c.pk in failed_ids and c.attempts + 1 < GIVE_UP_AFTER]
    for change in batch:
        if change.pk in failed_ids and change.pk not in retried:
            logger.error("passing over %s after %d failures", change, change.attempts + 1)
    position = min(retried) - 1 if retried else batch[-1].pk
    nodes.advance(position, failing=bool(retried))


def _group(batch: list[IndexChange]) -> dict[tuple[str, int], list[int]]:
    """Queued changes per row: many saves of one row need one index update."""
    groups: dict[tuple[str, int], list[int]] = {}
    for change in batch:
        groups.setdefault((change.model, change.object_id), []).append(change.pk)
    return groups


def _current_documents(
    batch: list[IndexChange], failed_ids: list[int]
) -> tuple[list[dict], list[str], dict[str, list[int]]]:
    """The batch's rows as the database has them now: (documents to write, doc_ids to delete
    as their rows are gone or unpublished, doc_id -> the change ids it settles). A row that
    cannot be made into a document has its changes recorded as failed in `failed_ids`."""
    documents: list[dict] = []
    deleted: list[str] = []
    owners: dict[str, list[int]] = {}
    for (name, pk), change_ids in _group(batch).items():
        try:
            document = _current_document(name, pk)
        except Exception as exc:  # one bad row must not hold back the others
            logger.exception("cannot index %s:%s", name, pk)
            record_failure(change_ids, exc)
            failed_ids.extend(change_ids)
            continue
        key = doc_id(name, pk)
        owners[key] = change_ids
        if document is None:
            deleted.append(key)
        else:
            documents.append(document)
    return documents, deleted, owners


def _current_document(name: str, pk: int) -> dict | None:
    """The row's current document, or None when it is gone or unpublished."""
    if name not in INDEXED_MODELS:
        raise ValueError(f"unknown indexed model {name!r}")
    obj = load_indexable(name, pk)
    if obj is None:
        return None
    return INDEXED_MODELS[name][1](obj)


def record_failure(change_ids: list[int], exc: BaseException) -> None:
    """Count a failed attempt on queued changes; they stay pending."""
    if change_ids:
        message = f"{type(exc).__name__}: {exc}"[:2000]
        IndexChange.objects.filter(pk__in=change_ids).update(
            attempts=F("attempts") + 1, last_error=message
        )
        nodes.record_error(message)


def mark_covered(position: int) -> None:
    """Record that a wholesale rebuild or reconcile read the database after the log reached
    `position`: the node's index holds every change up to it."""
    nodes.advance(position, rebuilt=True)


def covered_changes() -> int:
    """The log's position now: reading the database after this includes every change to it."""
    return nodes.head()
