"""Every web node keeps its own index and follows the change log at its own pace.

The change log (IndexChange) is written in commit order: on PostgreSQL each saving
transaction takes one advisory lock before it appends, and holds it until it commits, so a
reader that sees entry n has seen every entry before it; SQLite has one writer at a time
anyway. A node is its index directory on its host (or SEARCH_INDEX["NODE_NAME"]); its row
records the position up to which its index has applied the log. The position moves only
after the index commit, so a node that dies mid-apply applies the same entries again (each
is "make this document what the database says", so applying one twice is harmless).

Entries every live node has applied are pruned. A node that was away so long that entries it
had not applied were pruned, or that appears after others (a new node), rebuilds its index
from the database instead (`needs_rebuild`).
"""
import socket
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import Max, Min, Q, QuerySet
from django.utils import timezone

from search_index.models import IndexChange, IndexNode

# Appending to the log takes this PostgreSQL advisory lock until commit (any fixed number
# that nothing else in the database uses), and notifies this channel, which queue workers
# listen on (delivered when the transaction commits).
LOG_LOCK = 7_314_159_017
CHANNEL = "search_index_log"
# A node not seen for this long no longer holds back pruning; when it returns it rebuilds.
NODE_TIMEOUT = timedelta(days=2)
# The worker records that its node is alive at most this often.
SEEN_EVERY = timedelta(seconds=30)


def node_name() -> str:
    """This node's name: SEARCH_INDEX["NODE_NAME"], else host and index directory."""
    configured = settings.SEARCH_INDEX.get("NODE_NAME")
    if configured:
        return str(configured)
    return f"{socket.gethostname()}:{Path(settings.SEARCH_INDEX['PATH']).resolve()}"


def this_node() -> IndexNode:
    """This node's row, registered on first use."""
    found = IndexNode.objects.filter(name=node_name()).first()
    return found if found is not None else _register(node_name())


def _register(name: str) -> IndexNode:
    """A node's first row. The first node of all keeps the index it has (an index of the
    single-node queue, which marked entries applied); any later one rebuilds."""
    first = not IndexNode.objects.exists()
    node, _ = IndexNode.objects.get_or_create(
        name=name,
        defaults={"position": _unapplied_position() if first else 0, "needs_rebuild": not first},
    )
    return node


def _unapplied_position() -> int:
    """The position before the first entry no node has applied."""
    first = IndexChange.objects.filter(applied_at__isnull=True).aggregate(n=Min("pk"))["n"]
    return first - 1 if first is not None else head()


def head() -> int:
    """The position of the newest entry in the log (0 when empty)."""
    return IndexChange.objects.aggregate(n=Max("pk"))["n"] or 0


def hold_log_order(model=IndexChange) -> None:
    """Inside the appending transaction: make entries commit in the order of their ids."""
    alias = router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s), pg_notify(%s, '')", [LOG_LOCK, CHANNEL]
            )


def listen() -> None:
    """Have wait_for_entries() wake on new entries from now on (PostgreSQL; call before
    looking at the log, as the connection may have been reopened)."""
    connection = connections[router.db_for_write(IndexChange)]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LISTEN {CHANNEL}")


def wait_for_entries(seconds: float) -> bool:
    """True as soon as a saving transaction commits (PostgreSQL, after listen()); False after
    `seconds` without one (always, on SQLite: the caller polls)."""
    connection = connections[router.db_for_write(IndexChange)]
    if connection.vendor != "postgresql" or connection.connection is None:
        time.sleep(seconds)
        return False
    return any(True for _ in connection.connection.notifies(timeout=seconds, stop_after=1))


def unapplied(node: IndexNode | None = None) -> QuerySet:
    """Log entries past the node's position, oldest first."""
    position = (node or this_node()).position
    return IndexChange.objects.filter(pk__gt=position).order_by("pk")


def advance(position: int, rebuilt: bool = False, failing: bool = False) -> None:
    """Record that this node's index has committed every entry up to `position` (`failing`:
    the entry after it failed, and its error stays shown)."""
    now = timezone.now()
    this_node()  # registered first
    nodes = IndexNode.objects.filter(name=node_name())
    moved = nodes.filter(position__lt=position).update(position=position, applied_at=now)
    fields = {"seen_at": now} if failing else {"seen_at": now, "last_error": ""}
    if rebuilt:
        fields.update(rebuilt_at=now, needs_rebuild=False)
    nodes.update(**fields)
    if moved:  # when a node first applied an entry, for the admin and the documents check
        IndexChange.objects.filter(pk__lte=position, applied_at__isnull=True).update(applied_at=now)


def record_error(message: str) -> None:
    """Show why this node's index is not applying the log (admin, index_status)."""
    this_node()
    IndexNode.objects.filter(name=node_name()).update(last_error=message[:2000])


def needs_rebuild() -> bool:
    """True when this node must rebuild its index before following the log."""
    return this_node().needs_rebuild


def seen() -> None:
    """Record that this node's worker is alive (at most every SEEN_EVERY)."""
    now = timezone.now()
    this_node()
    IndexNode.objects.filter(name=node_name()).filter(
        Q(seen_at__isnull=True) | Q(seen_at__lt=now - SEEN_EVERY)
    ).update(seen_at=now)


def lag(node: IndexNode | None = None) -> dict:
    """How far the node's index is behind the log: entries and the age of the oldest."""
    node = node or this_node()
    waiting = unapplied(node).aggregate(n=Max("pk"), oldest=Min("created_at"), first=Min("pk"))
    behind = unapplied(node).count() if waiting["n"] is not None else 0
    oldest = waiting["oldest"]
    return {
        "node": node.name,
        "position": node.position,
        "head": max(node.position, waiting["n"] or 0),
        "behind": behind,
        "lag_seconds": (timezone.now() - oldest).total_seconds() if oldest else 0.0,
        "needs_rebuild": node.needs_rebuild,
        "last_error": node.last_error,
    }


def prune(timeout: timedelta = NODE_TIMEOUT) -> int:
    """Delete entries every live node has applied; nodes away longer than `timeout` that miss
    some of them are told to rebuild. Returns how many entries were deleted."""
    cutoff = timezone.now() - timeout
    with transaction.atomic(using=router.db_for_write(IndexNode)):
        nodes = list(IndexNode.objects.select_for_update())
        live = [n for n in nodes if not n.needs_rebuild and (n.seen_at or cutoff) >= cutoff]
        if not live:
            return 0
        horizon = min(n.position for n in live)
        away = [n.pk for n in nodes if n not in live and n.position < horizon]
        IndexNode.objects.filter(pk__in=away).update(needs_rebuild=True)
        deleted, _ = IndexChange.objects.filter(pk__lte=horizon).delete()
    return deleted
