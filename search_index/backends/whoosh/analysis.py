"""The text/ analysis pipeline as Whoosh tokenizers, for the schema's fields.

Whoosh asks an analyzer for a stream of Token objects; these classes make that stream from
text/analysis.py's terms, so the index holds exactly the terms queries are planned with.
The schema pickles these classes into the index's table of contents: moving them needs a
new storage.FORMAT_VERSION.

>>> [t.text for t in WhooshWords(medical_analyzer())("Numbness & TINGLING in the feet")]
['numb', 'tingl', 'feet']
>>> [(t.text, t.pos) for t in WhooshWords(medical_analyzer())("pain in the feet", positions=True)]
[('pain', 0), ('feet', 1)]
"""
from collections.abc import Iterator

from whoosh.analysis import Tokenizer
from whoosh.analysis.acore import Token

from search_index.text.analysis import WORDS, WordAnalyzer, medical_analyzer
from search_index.text.vocabulary import index_term

__all__ = ["CountedWords", "WhooshWords", "medical_analyzer"]


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


class WhooshWords(Tokenizer):
    """A text/ WordAnalyzer as one Whoosh tokenizer.

    Yields what RegexTokenizer | NFKC | LowercaseFilter | CharsetFilter(accent_map)
    [| StopFilter | StemFilter("en")] would, one reused Token, each word analysed once.
    Also offers the analyzer's term_positions, which the array codec's formats use to index
    a field's words without a Token per word.
    """

    def __init__(self, words: WordAnalyzer) -> None:
        self.words = words

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__ and other.words == self.words

    def __hash__(self) -> int:
        return hash((self.__class__, self.words))

    def term_positions(self, value: str) -> dict[str, list[int]]:
        """Each term of the value with its positions (text/analysis.py)."""
        return self.words.term_positions(value)

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
        """Tokens as Whoosh's analyzers yield them; stop words leave no gap in positions."""
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        matches = WORDS.finditer(value) if tokenize else [_Whole(value)]
        keeporiginal = keeporiginal or not tokenize  # as RegexTokenizer does
        term = self.words.term
        pos = None  # the last kept token's position
        for n, match in enumerate(matches):
            word = match.group()
            text, stopped = term(word)
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


class CountedWords(Tokenizer):
    """Tokens of "word count" lines (text/vocabulary.py): each word as the vocabulary keeps
    it (whole, folded), with its count as the token's boost, which Whoosh adds up into the
    term's weight.

    >>> [(t.text, t.boost) for t in CountedWords()("Numb 3\\nPARESTHÉSIE 2\\ntoes")]
    [('numb', 3.0), ('paresthesie', 2.0), ('toes', 1.0)]
    """

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__

    def __hash__(self) -> int:
        return hash(self.__class__)

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
        """One token per line (a line without a count counts once)."""
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for n, line in enumerate(value.splitlines()):
            word, _, count = line.strip().partition(" ")
            if not word:
                continue
            t.text = index_term(word)
            t.boost = float(count) if count.isdigit() else 1.0
            t.stopped = False
            if positions:
                t.pos = start_pos + n
            if keeporiginal:
                t.original = word
            if chars:
                t.startchar = t.endchar = start_char
            yield t
