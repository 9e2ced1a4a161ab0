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
"""
import unicodedata
from collections.abc import Iterator

from whoosh.analysis import (
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.analysis.acore import Token
from whoosh.support.charset import accent_map

# Whoosh's English list plus words that carry no meaning in symptom questions.
STOP_WORDS = frozenset(
    """a an and are as at be by can for from have if in is it may of on or our that the this
    to us we when will with yet you your i my me am do does did im ive what which who whom
    how why there their they them its was were been being has had having not no so than too
    very just about into over under also get got""".split()
)

# Words with an apostrophe stay whole ("don't"); hyphenated words split ("pins-and-needles").
WORD_PATTERN = r"\w+(?:'\w+)*"


class NormalizeFilter(Filter):
    """Unicode NFKC normalisation, so 'ﬁ' is 'fi' and full-width letters are plain."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            t.text = unicodedata.normalize("NFKC", t.text)
            yield t


def medical_analyzer():
    """Analyzer for searchable prose: normalise, fold, drop stop words, stem."""
    return (
        RegexTokenizer(WORD_PATTERN)
        | NormalizeFilter()
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter(stoplist=STOP_WORDS, minsize=2)
        | StemFilter(lang="en", cachesize=50000)
    )


def vocabulary_analyzer():
    """Analyzer that keeps whole words (no stemming or stop words), for spelling suggestions."""
    return (
        RegexTokenizer(WORD_PATTERN)
        | NormalizeFilter()
        | LowercaseFilter()
        | CharsetFilter(accent_map)
    )
