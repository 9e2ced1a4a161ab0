"""Keeping the spelling vocabulary (text/vocabulary.py) through an update of a Whoosh index.

The vocabulary's carrier documents hold each word's count in the "words" field's term
vectors; an update that replaces or deletes a carrier passes its words on to a document it
writes, with the words of the update that the index does not know yet.
"""
from collections import Counter
from collections.abc import Callable, Iterable

from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from search_index.text.vocabulary import VOCABULARY_FIELD, index_term, spread_over


def unknown_words(reader: IndexReader, counts: Counter) -> Counter:
    """The counted words the index vocabulary does not hold yet."""
    return Counter(
        {w: n for w, n in counts.items() if (VOCABULARY_FIELD, index_term(w)) not in reader}
    )


def carried_words(searcher: Searcher, keys: Iterable[str]) -> Counter:
    """The words the live documents with these doc_ids carry, with their counts."""
    reader = searcher.reader()
    counts: Counter = Counter()
    for key in keys:
        for docnum in searcher.document_numbers(doc_id=key):
            if reader.has_vector(docnum, VOCABULARY_FIELD):
                for term, weight in reader.vector_as("weight", docnum, VOCABULARY_FIELD):
                    counts[term] += round(weight)
    return counts


def carry_on(
    searcher: Searcher,
    replaced: list[str],
    new_words: Counter,
    carrier: dict | None,
    spare: Callable[[set[str]], dict | None],
) -> dict | None:
    """Make an update keep the vocabulary and learn its new words.

    `replaced` are the doc_ids it updates or deletes (their carried words must move on),
    `new_words` the counted words of the documents it writes, and `carrier` the last of those,
    still unwritten: it gets the words. An update that writes no document puts them on
    `spare(excluded doc_ids)`, another row's document, and returns it to be written.
    """
    counts = carried_words(searcher, replaced)
    counts.update(unknown_words(searcher.reader(), new_words))
    if not counts:
        return None
    extra = None
    if carrier is None:
        carrier = extra = spare(set(replaced))
        if carrier is None:
            return None  # no document left in the database: nothing to suggest from
        counts.update(carried_words(searcher, [carrier["doc_id"]]))
    spread_over([carrier], counts)
    return extra


