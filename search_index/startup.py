"""Start-up work for server processes, so no reader's search pays for it."""
import gc
import logging

from django.db import DatabaseError, connections

from search_index.backends import IndexUnavailable, get_backend
from search_index.query.glossary import glossary
from search_index.query.plan import EXTRA_FIELDS, FIELDS
from search_index.query.triage.english import english
from search_index.query.triage.rules import urgent_care_rules
from search_index.text.analysis import medical_analyzer
from search_index.text.vocabulary import VOCABULARY_FIELD

log = logging.getLogger(__name__)


def warm_before_fork() -> None:
    """Build the glossary and the spelling word lists, stem the collection's words, list the
    searched fields' terms and read the common words' posting lists, in the parent process,
    then leave them to no garbage collection.

    The index is opened and closed again here: a searcher shared across a fork gives wrong
    results, while the word lists are plain memory. No database connection is left open.
    """
    # English word frequencies for triage's misspellings: 15 MB, half a second to load.
    english()
    try:
        glossary()
        urgent_care_rules()
    except DatabaseError:
        log.warning(
            "Glossary and urgent-care rules not read before fork: the database is unavailable",
            exc_info=True,
        )
    finally:
        # A connection shared by forked workers would interleave their queries.
        connections.close_all()
    try:
        words = get_backend().warm_before_fork([*FIELDS, *EXTRA_FIELDS], VOCABULARY_FIELD)
        # Snippets, urgent-care rules and queries stem words; the Snowball stemmer takes
        # about 10 us a word, a reader's first page meets hundreds of new ones.
        medical_analyzer().remember(words)
    except IndexUnavailable as exc:
        log.warning("Spelling word lists not built before fork: %s", exc)
    # All of this lives as long as the workers: out of the collector's reach, a full
    # collection took about 1 ms instead of 130 to 160 ms (a reader's request waited for it),
    # and the forked workers no longer write to these shared pages when they collect.
    gc.freeze()


def warm_after_fork() -> None:
    """Open this process's reader; a missing index is reported by searches, not here."""
    try:
        get_backend().warm_after_fork()
    except IndexUnavailable as exc:
        log.warning("Search index not opened at start-up: %s", exc)
