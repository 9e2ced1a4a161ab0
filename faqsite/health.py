"""A health check for load balancers and monitoring: is the database up, is search readable?

It answers with fixed words, counts and document ids only. index_status() is for operators (it
names the index path and the error text); this endpoint is public, so the details go to the
log, never the response. Document ids name rows readers can reach by search anyway.
"""
import logging

from django.db import DatabaseError, connection
from django.db.models import Count, Min
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from search_index.backends import IndexUnavailable, get_backend
from search_index.sync.check import recent_check
from search_index.sync.nodes import needs_rebuild
from search_index.sync.rebuild import pending_changes

logger = logging.getLogger(__name__)


def database_state() -> tuple[str, int | None, int | None]:
    """("ok", changes this node's index has yet to apply, age in seconds of the oldest: the
    node's lag) when the database answers.

    A queue that only grows (a read-only or full disk under the index, a stopped worker)
    leaves the site serving, so the status stays "ok"; the age is what a monitor should alert
    on.
    """
    try:
        connection.ensure_connection()
        pending = pending_changes().aggregate(n=Count("pk"), oldest=Min("created_at"))
    except DatabaseError:
        logger.error("Health check: the database cannot be reached", exc_info=True)
        return "error", None, None
    oldest = pending["oldest"]
    age = int((timezone.now() - oldest).total_seconds()) if oldest else 0
    return "ok", pending["n"], age


def index_state() -> str:
    """ "ok" when a searcher opens on the index and reads its segments, "unavailable" when
    not, "rebuilding" when the change log left this node's index behind (sync/nodes.py)."""
    try:
        get_backend().check_readable()
    except (IndexUnavailable, *get_backend().read_errors) as exc:
        # One line, no traceback: monitors poll this every few seconds.
        logger.warning("Health check: the search index is unavailable: %s", exc)
        return "unavailable"
    try:
        behind = needs_rebuild()
    except DatabaseError:
        return "ok"  # database_state() reports the database
    if behind:
        logger.warning("Health check: this node's index is being rebuilt from the database")
        return "rebuilding"
    return "ok"


def documents_state() -> dict | None:
    """Which documents differ from the database (index_check.py); None when unreadable.

    A document that differs while no change for it waits in the queue was lost on its way to
    the index (or changed behind the queue's back): alert on "differing" above 0.
    """
    try:
        summary = recent_check().summary()
    except (DatabaseError, IndexUnavailable, *get_backend().read_errors) as exc:
        logger.warning("Health check: documents not compared: %s", exc)
        return None
    examples = summary["examples"]
    return {
        "in_step": bool(summary["versions_recorded"] and not summary["differing"]),
        "versions_recorded": summary["versions_recorded"],
        "differing": summary["differing"],
        "waiting": summary["waiting"],
        "examples": {kind: ids[:5] for kind, ids in examples.items() if kind != "waiting"},
    }


@never_cache
@require_safe
def health(request):
    """200 with status "ok" when everything works; 503 with status "degraded" otherwise."""
    database, pending, oldest = database_state()
    index = index_state()
    healthy = database == "ok" and index == "ok"
    body = {
        "status": "ok" if healthy else "degraded",
        "database": database,
        "index": index,
        "pending_changes": pending,
        "oldest_pending_seconds": oldest,
        "documents": documents_state() if healthy else None,
    }
    return JsonResponse(body, status=200 if healthy else 503)
