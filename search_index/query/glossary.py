"""Lay language at query time: editors' Synonym table plus articles' "also called" names.

Both become one in-memory glossary keyed by analysed phrase. It is rebuilt only when a cheap
database fingerprint (row counts and newest update time) changes; each worker checks the
fingerprint at most every 2 s, and at once after a save in its own process (rechecked.py).
"""
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from faq.models import Article
from search_index.caching.rechecked import Rechecked, rows_version
from search_index.caching.registry import register
from search_index.models import Synonym
from search_index.text.analysis import medical_analyzer, vocabulary_analyzer

Tokens = tuple[str, ...]

# A name that more articles than this give as theirs ("syndrome", an abbreviation of several
# conditions) says too little to search for all of them: left out, the dev questions' nDCG@10
# rose (raw 0.540 -> 0.544, focus+type 0.581 -> 0.585) and the slowest lost phrase checks.
MAX_NAME_TITLES = 3

_analyzer = medical_analyzer()
_vocabulary = vocabulary_analyzer()


def analyse(text: str) -> Tokens:
    """Stemmed, stop-word-free tokens of text, exactly as the index sees prose."""
    return tuple(_analyzer.terms(text))


def whole_words(text: str) -> list[str]:
    """Lower-cased, unstemmed words of text, as the spelling vocabulary stores them."""
    return _vocabulary.terms(text)


@dataclass
class Glossary:
    """Analysed lay phrase -> analysed terms it stands for, and the words all of them use."""

    entries: dict[Tokens, set[Tokens]] = field(default_factory=dict)
    words: set[str] = field(default_factory=set)
    # Phrases by their first token, and words by their first letter: with thousands of
    # imported "also called" names, scanning everything per query would cost milliseconds.
    _phrases_by_first: dict[str, list[Tokens]] = field(default_factory=dict)
    _words_by_initial: dict[str, set[str]] = field(default_factory=dict)
    # Article titles and "also called" names by first token: a question's focus.
    _names_by_first: dict[str, set[Tokens]] = field(default_factory=dict)
    # The state of the rows it was built from, the same in every process that read them.
    fingerprint: str = ""

    def add(self, phrase: str, terms: Iterable[str]) -> None:
        """An editor's synonym: its words also become spelling vocabulary."""
        key = analyse(phrase)
        if not key:
            return
        self._add_words(whole_words(phrase))
        for term in terms:
            if self.link(key, analyse(term)):
                self._add_words(whole_words(term))

    def link(self, key: Tokens, tokens: Tokens) -> bool:
        """Map an analysed phrase to analysed terms; False when there is nothing to map."""
        if not key or not tokens or tokens == key:
            return False
        if key not in self.entries:
            self.entries[key] = set()
            self._phrases_by_first.setdefault(key[0], []).append(key)
        self.entries[key].add(tokens)
        return True

    def add_name(self, name: Tokens) -> None:
        """An article's title or other name, which a question may be about."""
        if name:
            self._names_by_first.setdefault(name[0], set()).add(name)

    def names_in(self, query_tokens: Tokens, limit: int = 3) -> list[Tokens]:
        """The longest article names found word for word in the query, not overlapping."""
        spans = []
        for i, token in enumerate(query_tokens):
            for name in self._names_by_first.get(token, ()):
                if query_tokens[i : i + len(name)] == name:
                    spans.append((-len(name), i, name))
        taken: set[int] = set()
        found: list[Tokens] = []
        for negative_length, start, name in sorted(spans):
            positions = set(range(start, start - negative_length))
            if not positions & taken and name not in found:
                taken |= positions
                found.append(name)
        return found[:limit]

    def _add_words(self, words: list[str]) -> None:
        for word in words:
            self.words.add(word)
            self._words_by_initial.setdefault(word[:1], set()).add(word)

    def words_starting_like(self, word: str) -> set[str]:
        """Glossary words with the same first letter (where misspellings rarely are)."""
        return self._words_by_initial.get(word[:1], set())

    def phrase_starts(self, query_tokens: Tokens) -> Iterator[tuple[int, set[Tokens]]]:
        """(where, terms) of every phrase that occurs, word for word, in the tokens."""
        for i, token in enumerate(query_tokens):
            for key in self._phrases_by_first.get(token, ()):
                if query_tokens[i : i + len(key)] == key:
                    yield i, self.entries[key]

    def expansions(self, query_tokens: Tokens) -> list[Tokens]:
        """Terms of every phrase that occurs, word for word, in the query; new ones only."""
        found: set[Tokens] = set()
        for _start, terms in self.phrase_starts(query_tokens):
            found.update(terms)
        present = set(query_tokens)
        return sorted(t for t in found if not set(t) <= present)


def _fingerprint() -> tuple:
    return (*rows_version(Synonym), *rows_version(Article))


def _build(fingerprint: tuple) -> Glossary:
    glossary = Glossary(fingerprint=repr(fingerprint))
    for synonym in Synonym.objects.filter(active=True):
        glossary.add(synonym.phrase, synonym.term_list())
    # Article names are already words of the index, so they are not spelling vocabulary here.
    titles: dict[Tokens, set[Tokens]] = {}
    for key, title in _article_names():
        glossary.add_name(key)
        if key != title:
            titles.setdefault(key, set()).add(title)
    for key, named in titles.items():
        if len(named) <= MAX_NAME_TITLES:
            for title in named:
                glossary.link(key, title)
    return glossary


# Analysed "also called" names per article, kept between rebuilds: analysing every name of
# thousands of imported articles takes seconds, so only changed articles are analysed again.
_names: dict[int, tuple[object, list[tuple[Tokens, Tokens]]]] = {}


def _article_names() -> Iterator[tuple[Tokens, Tokens]]:
    """(analysed name, analysed article title) of every published article, title included."""
    global _names
    rows = Article.objects.published().values_list("pk", "updated_at", "title", "also_called")
    fresh = {}
    for pk, updated_at, title, also_called in rows.iterator(chunk_size=2000):
        cached = _names.get(pk)
        if cached is None or cached[0] != updated_at:
            title_tokens = analyse(title)
            names = [title, *also_called.splitlines()]
            pairs = [(analyse(name), title_tokens) for name in names]
            cached = (updated_at, pairs)
        fresh[pk] = cached
        yield from cached[1]
    _names = fresh


# Checking the fingerprint costs two aggregate queries (milliseconds on thousands of
# articles), so a process checks at most every 2 s; its own saves force a check at once.
glossary_cache: Rechecked[Glossary] = Rechecked(
    "glossary", _fingerprint, _build, 2.0, [Synonym, Article]
)


def glossary() -> Glossary:
    """The current glossary, rebuilt only when synonyms or articles have changed."""
    return glossary_cache.get()


def built_glossary() -> Glossary | None:
    """The glossary this process last built, if any, without building or checking it."""
    return glossary_cache.built


def _forget_names() -> None:
    global _names
    _names = {}


register("article names", _forget_names)
