"""Start-up work for server processes, so no reader's search pays for it."""
import gc
import logging

from django.db import DatabaseError, connections

from search_index.backends.whoosh import nearby_words
from search_index.backends.whoosh.arrays import lexicon, ranking
from search_index.backends.whoosh.searcher import get_searcher
from search_index.backends.whoosh.storage import INDEX_ERRORS, IndexUnavailable, open_index
from search_index.query.glossary import glossary
from search_index.query.triage.english import english
from search_index.query.triage.rules import urgent_care_rules
from search_index.service import EXTRA_FIELDS, FIELDS
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
        with open_index(create=False).searcher() as searcher:
            reader = searcher.reader()
            nearby_words.warm(reader, VOCABULARY_FIELD)
            # Snippets, urgent-care rules and queries stem words; the Snowball stemmer takes
            # about 10 us a word, a reader's first page meets hundreds of new ones.
            if VOCABULARY_FIELD in reader.schema:
                field = reader.schema[VOCABULARY_FIELD]
                words = (field.from_bytes(t) for t in reader.lexicon(VOCABULARY_FIELD))
                medical_analyzer().remember(words)
            lexicon.build(reader, [*FIELDS, *EXTRA_FIELDS, VOCABULARY_FIELD])
            ranking.preload(reader, [*FIELDS, *EXTRA_FIELDS])
    except (IndexUnavailable, *INDEX_ERRORS) as exc:
        log.warning("Spelling word lists not built before fork: %s", exc)
    # All of this lives as long as the workers: out of the collector's reach, a full
    # collection took about 1 ms instead of 130 to 160 ms (a reader's request waited for it),
    # and the forked workers no longer write to these shared pages when they collect.
    gc.freeze()


def warm_after_fork() -> None:
    """Open this process's searcher; a missing index is reported by searches, not here."""
    try:
        get_searcher()
    except IndexUnavailable as exc:
        log.warning("Search index not opened at start-up: %s", exc)
