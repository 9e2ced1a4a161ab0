"""The spelling vocabulary: every distinct word of the index once, with how many documents use it.

"Did you mean" needs to know which words exist and how common each is, not which document
holds them. Indexing each document's words in its own "words" field made that field about 45%
of all postings and most of a rebuild's time. Instead a rebuild counts the words while it reads
the documents and hands the whole count to its last few documents, the carriers: their "words"
field holds "word count" lines, each word weighted by its count. The field is not searched,
stored or scored, so a carrier ranks and counts like any other document, and the index holds
no document the database does not have.

A word's weight is its document count, so `reader.word_frequency("words", w)` is the number of
documents that used it at the last rebuild. The engine keeps each carrier's words with it (in
Whoosh, the field's term vectors: backends/whoosh/vocabulary.py), so a carrier that is edited
or deleted passes its words on. This module holds the rules, and no engine.

Trade-offs, until the next rebuild_index (which recounts everything):
- an incremental update (queue, reconcile) adds only words the index does not know yet, with
  the number of updated documents that use them; the counts of known words stay as they were;
- a word whose last document was edited away or deleted stays a known word (and a possible
  correction), as it did before: Whoosh never dropped a deleted document's terms either;
- words moved off an edited carrier count twice until Whoosh merges the old carrier's segment
  away (its weights stay in the term statistics, as deleted documents' always did); counts only
  break ties between equally close corrections.
"""
import re
from collections import Counter, deque
from collections.abc import Iterable, Iterator

from search_index.text.analysis import WORD_PATTERN, vocabulary_analyzer

VOCABULARY_FIELD = "words"
MIN_LENGTH = 4  # spelling corrects no shorter word: too many neighbours to guess from
MAX_LENGTH = 30  # longer "words" are not misspellings; skip the automaton work
# A rebuild's carriers: a collection's 100,000 words make lines of 12,500 per document.
REBUILD_CARRIERS = 8
# The fields whose words readers search, hence the words worth suggesting; the title is left
# out because heading_path always ends with it.
WORDS_FROM = ("heading_path", "body", "also_called")

def max_distance(word: str) -> int:
    """Edits spelling allows: one for short words, two from eight letters on."""
    return 2 if len(word) >= 8 else 1


# Spelling never looks a shorter word up nor offers one as a correction (it corrects words
# of MIN_LENGTH and more, by at most max_distance edits).
# Only ASCII words are judged by their length here: NFKC can lengthen others ("ﬁx").
SHORTEST_SPELLING_WORD = min(
    n - max_distance("x" * n) for n in range(MIN_LENGTH, MAX_LENGTH + 1)
)

_WORD = re.compile(WORD_PATTERN)
_unstemmed = vocabulary_analyzer()


def distinct_words(*parts: str) -> set[str]:
    """The distinct lower-cased words of the parts.

    >>> sorted(distinct_words("Numb feet", "numb FEET at night", ""))
    ['at', 'feet', 'night', 'numb']
    """
    # Sets and map keep the per-word work in C: a rebuild counts some 7 million words.
    return set(map(str.lower, set(_WORD.findall("\n".join(part for part in parts if part)))))


def document_words(document: dict) -> set[str]:
    """The distinct words of one index document, short ones included (see spelling_words)."""
    return distinct_words(*(document.get(name) or "" for name in WORDS_FROM))


def spelling_words(counts: Counter) -> Counter:
    """The counted words spelling may use: short ASCII words are never looked up nor offered."""
    return Counter(
        {w: n for w, n in counts.items() if len(w) >= SHORTEST_SPELLING_WORD or not w.isascii()}
    )


def count_words(documents: Iterable[dict]) -> Counter:
    """How many of the documents use each word spelling may use."""
    counts: Counter = Counter()
    for document in documents:
        counts.update(document_words(document))
    return spelling_words(counts)


def vocabulary_text(counts: Counter) -> str:
    """The field value that carries these word counts: "word count" per line."""
    return "\n".join(f"{word} {int(count)}" for word, count in sorted(counts.items()) if count > 0)


def spread_over(carriers: list[dict], counts: Counter) -> None:
    """Give the counted words to the carriers, a share each, before they are written."""
    words = sorted(word for word, count in counts.items() if count > 0)
    if not carriers or not words:
        return
    share = -(-len(words) // len(carriers))  # ceiling: every word finds a carrier
    for n, carrier in enumerate(carriers):
        part = words[n * share : (n + 1) * share]
        if part:
            carrier[VOCABULARY_FIELD] = vocabulary_text(Counter({w: counts[w] for w in part}))


def index_term(word: str) -> str:
    """The term a word becomes in the vocabulary field."""
    return _unstemmed.term(word)[0]


def with_vocabulary(documents: Iterable[dict]) -> Iterator[dict]:
    """The documents of a rebuild as given, the last few carrying the vocabulary of them all."""
    counts: Counter = Counter()
    held: deque = deque()
    for document in documents:
        counts.update(document_words(document))
        held.append(document)
        if len(held) > REBUILD_CARRIERS:
            yield held.popleft()
    carriers = list(held)
    spread_over(carriers, spelling_words(counts))
    yield from carriers
