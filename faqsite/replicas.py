"""Read replicas (DATABASE_REPLICA_URLS): readers' pages and searches read from a streaming
replica; everything else uses the primary.

The rule, in full:
- Only a reader's request reads from a replica: GET or HEAD, outside /admin/ and /health
  (which compares the node's index with the primary), from a client and a node that have not
  written lately. The request picks one replica for all its reads, so a rendered page and the
  content generation it is kept under come from the same copy; the generation names that
  copy (faq/generations.py), so a page built from a replica is never served to a reader
  pinned to the primary.
- Management commands, the queue worker, index upkeep and every write use the primary, and so
  do the change log and the node table at all times (a node's place in the log must be true).
- Read-your-writes: a request that may write (any other method, or /admin/) pins reads to the
  primary for DATABASE_PRIMARY_PIN_SECONDS (default 5; replicas on one network lag by
  milliseconds) both for the client (a cookie) and for the node (its local "search" cache,
  shared by the node's processes), so neither the editor nor another reader of the same node
  is shown content older than the editor saw. A write made outside a request (a shell, an
  import) pins nothing: readers may see it a replica's lag later.
"""
import contextvars
import logging
import random
import time

from django.conf import settings
from django.core.cache import caches

log = logging.getLogger(__name__)

PRIMARY = "default"
# Pages that compare or change: /health compares the node's index with the primary.
PRIMARY_PATHS = ("/admin/", "/health")
PIN_COOKIE = "primary_until"
NODE_PIN_KEY = "replicas:primary-until"
# Always on the primary: the change log, the nodes following it, sessions and sign-ins.
PRIMARY_ONLY_APPS = {"sessions", "axes", "admin", "auth", "contenttypes"}
PRIMARY_ONLY_MODELS = {"search_index.indexchange", "search_index.indexnode"}

_reading_from: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "reading_from", default=None
)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


def pin_seconds() -> float:
    return float(getattr(settings, "DATABASE_PRIMARY_PIN_SECONDS", 5.0))


class ReplicaRouter:
    """Reads of a reader's request go to its replica; the rest to the primary."""

    def db_for_read(self, model, **hints):
        alias = _reading_from.get()
        if alias is None or model._meta.app_label in PRIMARY_ONLY_APPS:
            return PRIMARY
        if model._meta.label_lower in PRIMARY_ONLY_MODELS:
            return PRIMARY
        return alias

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # replicas are copies of the primary

    def allow_migrate(self, db, app_label, **hints):
        return db == PRIMARY


class ReplicaMiddleware:
    """Chooses where each request reads (see the module's rule)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        writing = request.method not in ("GET", "HEAD") or request.path.startswith("/admin/")
        replicas = replica_aliases()
        alias = None
        primary_page = request.path.startswith(PRIMARY_PATHS)
        if replicas and not writing and not primary_page and not _pinned(request):
            alias = random.choice(replicas)  # noqa: S311 (spreading load, not a secret)
        token = _reading_from.set(alias)
        try:
            response = self.get_response(request)
        finally:
            _reading_from.reset(token)
        if writing:
            until = time.time() + pin_seconds()
            response.set_cookie(PIN_COOKIE, f"{until:.3f}", max_age=int(pin_seconds()) + 1,
                                httponly=True, samesite="Lax")
            _pin_node(until)
        return response


def _pinned(request) -> bool:
    now = time.time()
    try:
        if float(request.COOKIES.get(PIN_COOKIE, "0")) > now:
            return True
    except ValueError:
        pass
    try:
        return float(caches["search"].get(NODE_PIN_KEY, 0)) > now
    except Exception:  # the node's cache unreadable: the client's cookie still holds
        return False


def _pin_node(until: float) -> None:
    try:
        caches["search"].set(NODE_PIN_KEY, until, int(pin_seconds()) + 1)
    except Exception:  # the client's cookie still pins its own reads
        log.warning("Node's primary pin not recorded", exc_info=True)
