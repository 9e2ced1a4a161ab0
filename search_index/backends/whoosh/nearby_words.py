"""Known words within a few edits of a misspelt one, in about a millisecond.

On an index of several segments, Whoosh's terms_within lists every word of the field that
shares the first letter and measures each in pure Python: over MedQuAD's vocabulary about
130 ms per misspelt word, half the time of a long question's search. (On one segment it
walks a Levenshtein automaton instead, where a swap of two letters counts as two edits, so
"heles" does not reach "heels".) Here each segment's words are listed once per first letter
and kept (segments never change), and rapidfuzz measures Whoosh's damerau_levenshtein
distance (optimal string alignment: a swap is one edit) in C, the same on any index.
"""
from whoosh.reading import IndexReader

from search_index.backends import edit_distance
from search_index.backends.whoosh.arrays.segments import segment_key
from search_index.caching.registry import LRU

# Word lists kept per process, each a (segment, field, first letters) slice of a vocabulary.
MAX_LISTS = 2048

word_lists = LRU("spelling word lists", MAX_LISTS)


def words_within(
    reader: IndexReader, fieldname: str, word: str, maxdist: int, prefix: int = 1
) -> list[tuple[str, int]]:
    """(word, edits) of the field's words within maxdist edits that share the first letters."""
    choices = _words_starting(reader, fieldname, word[:prefix])
    return edit_distance.within(word, choices, maxdist)



def _words_starting(reader: IndexReader, fieldname: str, start: str) -> list[str]:
    leaves = reader.leaf_readers() if not reader.is_atomic() else [(reader, 0)]
    if len(leaves) == 1:
        return _segment_words(leaves[0][0], fieldname, start)
    # A word in several segments is measured once. Joining two segments' lists of a letter
    # took a few hundred microseconds, so the joined list is kept too.
    key = (tuple(segment_key(leaf) for leaf, _ in leaves), fieldname, start)

    def joined() -> list[str]:
        found = (w for leaf, _ in leaves for w in _segment_words(leaf, fieldname, start))
        return list(dict.fromkeys(found))

    return _kept(key, joined)


def _segment_words(reader: IndexReader, fieldname: str, start: str) -> list[str]:
    if fieldname not in reader.schema:
        return []
    field = reader.schema[fieldname]
    return _kept(
        (segment_key(reader), fieldname, start),
        lambda: [field.from_bytes(term) for term in reader.expand_prefix(fieldname, start)],
    )


def _kept(key: tuple, build) -> list[str]:
    """The word list kept under key, built (outside the lock) when it is not there."""
    return word_lists.kept(key, build)


def warm(reader: IndexReader, fieldname: str) -> int:
    """List the field's words of every segment by first letter now; the number of words.

    Run before the server's workers fork, the lists are shared by all of them, and no
    reader's first misspelling waits 10 to 20 ms for its letter's list.
    """
    leaves = reader.leaf_readers() if not reader.is_atomic() else [(reader, 0)]
    total = 0
    initials: set[str] = set()
    for leaf, _offset in leaves:
        if fieldname not in leaf.schema:
            continue
        field = leaf.schema[fieldname]
        by_initial: dict[str, list[str]] = {}
        for term in leaf.lexicon(fieldname):
            word = field.from_bytes(term)
            by_initial.setdefault(word[:1], []).append(word)
        key = segment_key(leaf)
        for initial, words in by_initial.items():
            word_lists.put((key, fieldname, initial), words)
            total += len(words)
        initials.update(by_initial)
    if len(leaves) > 1:
        for initial in initials:
            _words_starting(reader, fieldname, initial)  # the segments' lists joined
    return total

