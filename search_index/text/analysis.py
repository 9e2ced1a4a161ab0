"""Text analysis for consumer health text, shared by indexing and querying and by any engine.

Both sides must analyse alike, so every field and every query take their terms from here.
The pipeline, word by word: split (WORD_PATTERN), fold (NFKC, lower case, accents off:
folding.py), drop stop words and words shorter than two letters, stem (the English Snowball
stemmer: stemming.py). Each word's outcome is remembered, so a word is analysed once per
process. Plain strings in, plain strings out: an engine wraps these in its own tokenizer
(backends/whoosh/analysis.py).

>>> medical_analyzer().terms("Numbness & TINGLING in the feet")
['numb', 'tingl', 'feet']
>>> medical_analyzer().terms("Paresthésie, ﬁbromyalgia")
['paresthesi', 'fibromyalgia']
>>> vocabulary_analyzer().terms("Pins-and-needles in my TOES")
['pins', 'and', 'needles', 'in', 'my', 'toes']

Stop words leave no gap in positions:

>>> medical_analyzer().term_positions("pain in the feet")
{'pain': [0], 'feet': [1]}
"""
import re
from collections.abc import Iterable, Iterator

from search_index.caching.registry import register
from search_index.text.folding import fold
from search_index.text.stemming import stem as snowball_stem

# Whoosh's English list plus words that carry no meaning in symptom questions.
STOP_WORDS = frozenset(
    """a an and are as at be by can for from have if in is it may of on or our that the this
    to us we when will with yet you your i my me am do does did im ive what which who whom
    how why there their they them its was were been being has had having not no so than too
    very just about into over under also get got""".split()
)

# Words with an apostrophe stay whole ("don't"); hyphenated words split ("pins-and-needles").
WORD_PATTERN = r"\w+(?:'\w+)*"
MIN_WORD_LENGTH = 2  # shorter words are dropped like stop words ("a", "x")
# Words analysed once and remembered. A rebuild meets a few hundred thousand distinct forms;
# past this the cache starts afresh, so a long-running server's memory stays bounded.
CACHE_WORDS = 500_000

WORDS = re.compile(WORD_PATTERN)

# Each analysis remembered: by word as found and by folded word ("Numbness" and "numbness"
# are stemmed once), for the stemming analyzer (True) and the whole-word one (False).
_by_word: dict[bool, dict[str, tuple[str, bool]]] = {True: {}, False: {}}
_by_folded: dict[bool, dict[str, tuple[str, bool]]] = {True: {}, False: {}}
_stems: dict[str, str] = {}


def stem(text: str) -> str:
    """The Snowball stem of a folded word (stop words too), remembered.

    What the medical analyzer works out (and start-up prepares, see startup.py) is used first.
    """
    known = _by_folded[True].get(text)
    if known is not None and not known[1]:
        return known[0]
    found = _stems.get(text)
    if found is None:
        if len(_stems) >= CACHE_WORDS:
            _stems.clear()
        found = _stems[text] = snowball_stem(text)
    return found


class WordAnalyzer:
    """Split into words and turn each into its index term in one step, remembered per word.

    The per-word work (NFKC and above all the Snowball stemmer) is done once per distinct
    word; an engine's tokenizer asks `term` for each word it meets.
    """

    def __init__(self, stem: bool = True) -> None:
        self.stem = stem

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__ and other.stem == self.stem

    def __hash__(self) -> int:
        return hash((self.__class__, self.stem))

    def term(self, word: str) -> tuple[str, bool]:
        """(index term, is a stop word) of one word as the tokenizer found it."""
        cache = _by_word[self.stem]
        try:
            return cache[word]
        except KeyError:
            pass
        text = fold(word)
        folded = _by_folded[self.stem]
        found = folded.get(text)
        if found is None:
            if not self.stem:
                found = (text, False)
            elif len(text) < MIN_WORD_LENGTH or text in STOP_WORDS:
                found = (text, True)
            else:
                found = (snowball_stem(text), False)
            if len(folded) >= CACHE_WORDS:
                folded.clear()
            folded[text] = found
        if len(cache) >= CACHE_WORDS:
            cache.clear()
        cache[word] = found
        return found

    def remember(self, words: Iterable[str]) -> int:
        """Analyse these words now (a server's start-up), not in a reader's first search."""
        count = 0
        for word in words:
            self.term(word)
            count += 1
        return count

    def remembered(self, folded_word: str) -> tuple[str, bool] | None:
        """What `term` found for this folded word, if it was analysed since the last reset."""
        return _by_folded[self.stem].get(folded_word)

    def remembered_count(self) -> int:
        """How many folded words this kind of analyzer has analysed since the last reset."""
        return len(_by_folded[self.stem])

    def remembered_forms(self) -> int:
        """How many words as found (any case or accents) it remembers."""
        return len(_by_word[self.stem])

    def spans(self, value: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, index term) of each word that is not a stop word: snippets look at
        thousands of words a page."""
        term = self.term
        cache = _by_word[self.stem]
        for match in WORDS.finditer(value):
            text, stopped = cache.get(match.group()) or term(match.group())
            if not stopped:
                yield match.start(), match.end(), text

    def terms(self, value: str) -> list[str]:
        """The index terms of the value's words in order, stop words left out."""
        term = self.term
        cache = _by_word[self.stem]
        found = []
        for word in WORDS.findall(value):
            text, stopped = cache.get(word) or term(word)
            if not stopped:
                found.append(text)
        return found

    def term_positions(self, value: str) -> dict[str, list[int]]:
        """Each index term of the value with its positions, stop words leaving no gap: a
        rebuild indexes millions of words."""
        term = self.term
        cache = _by_word[self.stem]
        found: dict[str, list[int]] = {}
        pos = None
        for n, word in enumerate(WORDS.findall(value)):
            text, stopped = cache.get(word) or term(word)
            if stopped:
                continue
            pos = n if pos is None else pos + 1
            places = found.get(text)
            if places is None:
                found[text] = [pos]
            else:
                places.append(pos)
        return found


def medical_analyzer() -> WordAnalyzer:
    """Analyzer for searchable prose: normalise, fold, drop stop words, stem."""
    return WordAnalyzer(stem=True)


def vocabulary_analyzer() -> WordAnalyzer:
    """Analyzer that keeps whole words (no stemming or stop words), for spelling suggestions."""
    return WordAnalyzer(stem=False)


def _forget_words() -> None:
    _stems.clear()
    for caches in (_by_word, _by_folded):
        for cache in caches.values():
            cache.clear()


register("analysed words", _forget_words)
