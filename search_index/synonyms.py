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

    def add(self, phrase: str, terms: Iterable[str]) -> None:
        key = analyse(phrase)
        if not key:
            return
        self.words.update(whole_words(phrase))
        for term in terms:
            tokens = analyse(term)
            if tokens and tokens != key:
                self.entries.setdefault(key, set()).add(tokens)
                self.words.update(whole_words(term))

    def expansions(self, query_tokens: Tokens) -> list[Tokens]:
        """Terms of every phrase that occurs, word for word, in the query; new ones only."""
        found: set[Tokens] = set()
        for key, terms in self.entries.items():
            if _contains(query_tokens, key):
                found.update(terms)
        present = set(query_tokens)
        return sorted(t for t in found if not set(t) <= present)


def _contains(tokens: Tokens, part: Tokens) -> bool:
    n = len(part)
    return any(tokens[i : i + n] == part for i in range(len(tokens) - n + 1))


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
