"""Lay language at query time: editors' Synonym table plus articles' "also called" names.

Both become one in-memory glossary keyed by analysed phrase. It is rebuilt only when a cheap
database fingerprint (row counts and newest update time) changes, so every worker process
sees an editor's change on its next search without re-reading the tables each time.
"""
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Max

from faq.models import Article

from .analysis import medical_analyzer, vocabulary_analyzer
from .models import Synonym

Tokens = tuple[str, ...]

_analyzer = medical_analyzer()
_vocabulary = vocabulary_analyzer()


def analyse(text: str) -> Tokens:
    """Stemmed, stop-word-free tokens of text, exactly as the index sees prose."""
    return tuple(t.text for t in _analyzer(text))


def whole_words(text: str) -> list[str]:
    """Lower-cased, unstemmed words of text, as the spelling vocabulary stores them."""
    return [t.text for t in _vocabulary(text)]


@dataclass
class Glossary:
    """Analysed lay phrase -> analysed terms it stands for, and the words all of them use."""

    entries: dict[Tokens, set[Tokens]] = field(default_factory=dict)
    words: set[str] = field(default_factory=set)
    # Phrases by their first token, and words by their first letter: with thousands of
    # imported "also called" names, scanning everything per query would cost milliseconds.
    _phrases_by_first: dict[str, list[Tokens]] = field(default_factory=dict)
    _words_by_initial: dict[str, set[str]] = field(default_factory=dict)

    def add(self, phrase: str, terms: Iterable[str]) -> None:
        key = analyse(phrase)
        if not key:
            return
        self._add_words(whole_words(phrase))
        for term in terms:
            tokens = analyse(term)
            if tokens and tokens != key:
                if key not in self.entries:
                    self.entries[key] = set()
                    self._phrases_by_first.setdefault(key[0], []).append(key)
                self.entries[key].add(tokens)
                self._add_words(whole_words(term))

    def _add_words(self, words: list[str]) -> None:
        for word in words:
            self.words.add(word)
            self._words_by_initial.setdefault(word[:1], set()).add(word)

    def words_starting_like(self, word: str) -> set[str]:
        """Glossary words with the same first letter (where misspellings rarely are)."""
        return self._words_by_initial.get(word[:1], set())

    def expansions(self, query_tokens: Tokens) -> list[Tokens]:
        """Terms of every phrase that occurs, word for word, in the query; new ones only."""
        found: set[Tokens] = set()
        for i, token in enumerate(query_tokens):
            for key in self._phrases_by_first.get(token, ()):
                if query_tokens[i : i + len(key)] == key:
                    found.update(self.entries[key])
        present = set(query_tokens)
        return sorted(t for t in found if not set(t) <= present)


_lock = threading.Lock()
_cached: tuple[tuple, Glossary] | None = None


def _fingerprint() -> tuple:
    synonyms = Synonym.objects.aggregate(n=Count("pk"), latest=Max("updated_at"))
    articles = Article.objects.aggregate(n=Count("pk"), latest=Max("updated_at"))
    return (synonyms["n"], synonyms["latest"], articles["n"], articles["latest"])


def _build() -> Glossary:
    glossary = Glossary()
    for synonym in Synonym.objects.filter(active=True):
        glossary.add(synonym.phrase, synonym.term_list())
    for article in Article.objects.published().exclude(also_called="").only(
        "title", "also_called"
    ):
        for name in article.also_called_list():
            glossary.add(name, [article.title])
    return glossary


def glossary() -> Glossary:
    """The current glossary, rebuilt only when synonyms or articles have changed."""
    global _cached
    key = _fingerprint()
    with _lock:
        if _cached is None or _cached[0] != key:
            _cached = (key, _build())
        return _cached[1]
