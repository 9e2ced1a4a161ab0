"""'Did you mean': corrections drawn from the index's own words and the lay glossary.

A word is only ever replaced when it is unknown: a word found in the index vocabulary
(the unstemmed `words` field, see vocabulary.py) or in the glossary is left alone, so correct
medical words such as 'paresthesia' are never rewritten into commoner ones.
"""
import re

from search_index.backends.base import SearchReader
from search_index.backends.edit_distance import edits
from search_index.query.glossary import Glossary, glossary, whole_words
from search_index.text.analysis import STOP_WORDS, WORD_PATTERN, stem
from search_index.text.vocabulary import MAX_LENGTH, MIN_LENGTH, VOCABULARY_FIELD, max_distance

MAX_WORDS = 8  # words looked at per query
WORD = re.compile(WORD_PATTERN)


def is_known(reader: SearchReader, word: str, vocabulary: set[str]) -> bool:
    """True when the word needs no correction."""
    return (
        word in STOP_WORDS
        or word in vocabulary
        or len(word) < MIN_LENGTH
        or len(word) > MAX_LENGTH
        or not word.isalpha()
        or reader.has_word(VOCABULARY_FIELD, word)
    )


def correct_word(reader: SearchReader, word: str, lay: Glossary) -> str | None:
    """The closest known word, preferring fewer edits, then the most documents."""
    # A vocabulary word's weight is its document count (vocabulary.py); on an index written
    # with a "words" field per document, it is (nearly) its document count as well.
    limit = max_distance(word)
    candidates: dict[str, tuple[int, int]] = {}
    nearby = reader.words_within(VOCABULARY_FIELD, word, limit, prefix=1)
    if nearby:
        fewest = min(edits for _term, edits in nearby)
        candidates = {
            term: (edits, -reader.word_frequency(VOCABULARY_FIELD, term))
            for term, edits in nearby
            if edits == fewest
        }
    for term in lay.words_starting_like(word):
        if abs(len(term) - len(word)) <= limit:
            needed = edits(term, word)
            if needed <= limit:
                # Glossary words carry no frequency; an index word at equal distance wins.
                candidates.setdefault(term, (needed, 0))
    if not candidates:
        return None
    return min(candidates, key=lambda term: (candidates[term], term))


def corrections(
    reader: SearchReader,
    text: str,
    lay: Glossary | None = None,
    keep: frozenset[str] = frozenset(),
) -> dict[str, str]:
    """Unknown words of the query (lower-cased) mapped to their best corrections.

    `lay` is the glossary (read from the database when not given); words whose stem is in
    `keep` (the urgent-care rules' words) are never corrected.
    """
    lay = glossary() if lay is None else lay
    found: dict[str, str] = {}
    for word in list(dict.fromkeys(whole_words(text)))[:MAX_WORDS]:
        if keep and stem(word) in keep:
            continue
        if not is_known(reader, word, lay.words):
            better = correct_word(reader, word, lay)
            if better is not None:
                found[word] = better
    return found


def apply_corrections(text: str, fixes: dict[str, str]) -> str | None:
    """The query with corrected words put in, keeping everything else; None if unchanged."""
    if not fixes:
        return None

    def replace(match: re.Match) -> str:
        words = whole_words(match.group())
        return fixes.get(words[0], match.group()) if len(words) == 1 else match.group()

    corrected = WORD.sub(replace, text)
    return corrected if corrected != text else None


def suggest(reader: SearchReader, text: str) -> str | None:
    """The query with unknown words corrected, or None when there is nothing to correct."""
    return apply_corrections(text, corrections(reader, text))
