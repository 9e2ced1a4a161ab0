"""The search-terms log, written in batches so a search does not wait for a database write.

Every first-page search is recorded for the editors' search-terms report. Inserting a row per
search put a write, and under SQLite the database's single write lock, on every reader's
request; rows are kept in memory instead and written together once LOG_BATCH rows have
waited or the oldest has waited LOG_SECONDS (looked at on the next search), when the
search-terms report is opened, and when the process exits. Rows are dated when written, so
a few seconds late. A process killed outright loses at most one batch: this is a statistics
table, not content.
"""
import atexit
import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, transaction

from search_index.analytics.redaction import redact
from search_index.models import SearchQueryLog

log = logging.getLogger(__name__)

_lock = threading.Lock()
_pending: list[SearchQueryLog] = []
_oldest = {"since": 0.0}


def record(query: str, results: int, took_ms: float, urgent_kind: str = "") -> None:
    """Queue one search for the log, with the kind of urgent-care banner it raised; write
    the queue when it is due. Never raises."""
    row = SearchQueryLog(
        query=redact(query)[:256],  # nothing that identifies the reader
        results=results, took_ms=round(took_ms, 2), urgent_kind=urgent_kind,
    )
    with _lock:
        if not _pending:
            _oldest["since"] = time.monotonic()
        _pending.append(row)
        due = (
            len(_pending) >= settings.SEARCH_INDEX["LOG_BATCH"]
            or time.monotonic() - _oldest["since"] >= settings.SEARCH_INDEX["LOG_SECONDS"]
        )
    if due:
        flush()


def flush() -> int:
    """Write every queued row; the number written. Rows stay queued if the database fails."""
    with _lock:
        rows = _pending[:]
        _pending.clear()
    if not rows:
        return 0
    try:
        # A savepoint: a failed write must not break a transaction the caller is in.
        with transaction.atomic():
            SearchQueryLog.objects.bulk_create(rows)
    except DatabaseError:
        log.warning("Could not write %d search log rows; kept for the next try", len(rows),
                    exc_info=True)
        with _lock:
            # Bounded: a database that stays down must not grow the queue without end.
            _pending[:0] = rows[-10 * settings.SEARCH_INDEX["LOG_BATCH"]:]
        return 0
    return len(rows)


def pending() -> int:
    """Rows waiting to be written (for tests and the shutdown message)."""
    with _lock:
        return len(_pending)


def _flush_at_exit() -> None:
    try:
        flush()
    except Exception:  # the interpreter is going away; a log row is not worth a traceback
        log.warning("Search log rows lost at exit", exc_info=True)


atexit.register(_flush_at_exit)
