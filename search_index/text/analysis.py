"""Text analysis for consumer health text, shared by indexing and querying.

Both sides must analyse alike, so every field and the query parser take their analyzers
from here. Tokens are NFKC-normalised (full-width letters, ligatures, odd digits), lower-cased,
accent-folded, stripped of stop words and stemmed.

>>> [t.text for t in medical_analyzer()("Numbness & TINGLING in the feet")]
['numb', 'tingl', 'feet']
>>> [t.text for t in medical_analyzer()("Paresthésie, ﬁbromyalgia")]
['paresthesi', 'fibromyalgia']
>>> [t.text for t in medical_analyzer()("Sciatica, SCIATICA")]
['sciatica', 'sciatica']
>>> [t.text for t in vocabulary_analyzer()("Pins-and-needles in my TOES")]
['pins', 'and', 'needles', 'in', 'my', 'toes']

Stop words leave no gap in positions, as Whoosh's StopFilter renumbers them:

>>> [(t.text, t.pos) for t in medical_analyzer()("pain in the feet", positions=True)]
[('pain', 0), ('feet', 1)]
"""
import re
import unicodedata
from collections.abc import Iterable, Iterator

from whoosh.analysis import Tokenizer
from whoosh.analysis.acore import Token
from whoosh.lang import stemmer_for_language
from whoosh.support.charset import accent_map

from search_index.caching.registry import register

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

_stem = stemmer_for_language("en")
_WORD = re.compile(WORD_PATTERN)


def _fold(word: str) -> str:
    return unicodedata.normalize("NFKC", word).lower().translate(accent_map)


_stems: dict[str, str] = {}


def stem(text: str) -> str:
    """The Snowball stem of a folded word (stop words too), remembered.

    What the medical analyzer works out (and start-up prepares, see warm.py) is used first.
    """
    known = WordAnalyzer._folded[True].get(text)
    if known is not None and not known[1]:
        return known[0]
    found = _stems.get(text)
    if found is None:
        if len(_stems) >= CACHE_WORDS:
            _stems.clear()
        found = _stems[text] = _stem(text)
    return found


class _Whole:
    """The whole input as one match, for tokenize=False."""

    def __init__(self, value: str) -> None:
        self.value = value

    def group(self) -> str:
        return self.value

    def start(self) -> int:
        return 0

    def end(self) -> int:
        return len(self.value)


class WordAnalyzer(Tokenizer):
    """Split into words and turn each into its index term in one step, remembered per word.

    Equivalent to RegexTokenizer | NFKC | LowercaseFilter | CharsetFilter(accent_map)
    [| StopFilter | StemFilter("en")], but the chain's per-token work (six generators, NFKC,
    and above all the Snowball stemmer, whose own 50,000-word cache thrashes on a large
    collection) is done once per distinct word.
    """

    # By word as found, and by folded word ("Numbness" and "numbness" are stemmed once).
    _caches: dict[bool, dict[str, tuple[str, bool]]] = {True: {}, False: {}}
    _folded: dict[bool, dict[str, tuple[str, bool]]] = {True: {}, False: {}}

    def __init__(self, stem: bool = True) -> None:
        self.stem = stem

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__ and other.stem == self.stem

    def __hash__(self) -> int:
        return hash((self.__class__, self.stem))

    def term(self, word: str) -> tuple[str, bool]:
        """(index term, is a stop word) of one word as the tokenizer found it."""
        cache = self._caches[self.stem]
        try:
            return cache[word]
        except KeyError:
            pass
        text = _fold(word)
        folded = self._folded[self.stem]
        found = folded.get(text)
        if found is None:
            if not self.stem:
                found = (text, False)
            elif len(text) < MIN_WORD_LENGTH or text in STOP_WORDS:
                found = (text, True)
            else:
                found = (_stem(text), False)
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

    def spans(self, value: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, index term) of each word that is not a stop word.

        What __call__(value, chars=True) yields, without a Token per word: snippets look at
        thousands of words a page.
        """
        term = self.term
        cache = self._caches[self.stem]
        for match in _WORD.finditer(value):
            text, stopped = cache.get(match.group()) or term(match.group())
            if not stopped:
                yield match.start(), match.end(), text

    def terms(self, value: str) -> list[str]:
        """The index terms of the value's words in order, stop words left out: the texts of
        __call__(value)'s tokens, without a Token per word."""
        term = self.term
        cache = self._caches[self.stem]
        found = []
        for word in _WORD.findall(value):
            text, stopped = cache.get(word) or term(word)
            if not stopped:
                found.append(text)
        return found

    def term_positions(self, value: str) -> dict[str, list[int]]:
        """Each index term of the value with its positions, as __call__(value, positions=True)
        numbers them, without a Token per word: a rebuild indexes millions of words."""
        term = self.term
        cache = self._caches[self.stem]
        found: dict[str, list[int]] = {}
        pos = None
        for n, word in enumerate(_WORD.findall(value)):
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

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs,
    ) -> Iterator[Token]:
        """Tokens as Whoosh's analyzers yield them (one Token object, reused)."""
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        matches = _WORD.finditer(value) if tokenize else [_Whole(value)]
        keeporiginal = keeporiginal or not tokenize  # as RegexTokenizer does
        term = self.term
        cache = self._caches[self.stem]
        pos = None  # the last kept token's position: stop words leave no gap
        for n, match in enumerate(matches):
            word = match.group()
            text, stopped = cache.get(word) or term(word)
            if stopped:
                if removestops:
                    continue
                if positions:
                    t.pos = start_pos + n
            elif positions:
                pos = start_pos + n if pos is None else pos + 1
                t.pos = pos
            t.text = text
            t.stopped = stopped
            t.boost = 1.0
            if keeporiginal:
                t.original = word
            if chars:
                t.startchar = start_char + match.start()
                t.endchar = start_char + match.end()
            yield t


def medical_analyzer() -> WordAnalyzer:
    """Analyzer for searchable prose: normalise, fold, drop stop words, stem."""
    return WordAnalyzer(stem=True)


def vocabulary_analyzer() -> WordAnalyzer:
    """Analyzer that keeps whole words (no stemming or stop words), for spelling suggestions."""
    return WordAnalyzer(stem=False)


def _forget_words() -> None:
    _stems.clear()
    for caches in (WordAnalyzer._caches, WordAnalyzer._folded):
        for cache in caches.values():
            cache.clear()


register("analysed words", _forget_words)
