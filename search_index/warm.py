"""Start-up work for server processes, so no reader's search pays for it."""
import logging

from django.db import DatabaseError, connections

from .searcher import get_searcher
from .storage import IndexUnavailable
from .synonyms import glossary

log = logging.getLogger(__name__)


def warm_before_fork() -> None:
    """Build the glossary in the parent process; leave no database connection to inherit."""
    try:
        glossary()
    except DatabaseError:
        log.warning("Glossary not built before fork: the database is unavailable", exc_info=True)
    finally:
        # A connection shared by forked workers would interleave their queries.
        connections.close_all()


def warm_after_fork() -> None:
    """Open this process's searcher; a missing index is reported by searches, not here."""
    try:
        get_searcher()
    except IndexUnavailable as exc:
        log.warning("Search index not opened at start-up: %s", exc)
