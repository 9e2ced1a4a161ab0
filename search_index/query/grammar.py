"""The reader's words, cleaned and split by a deliberately small grammar.

Readers may use words, "quoted phrases", +required and -excluded words. Nothing else is
syntax: field names, wildcards, ranges, boosts and fuzzy marks are plain text, so no query
can reach a field we did not choose or make the engine expand terms (Whoosh's own parser
takes seconds on `a*` or a 100,000-character word).
"""
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

from search_index.caching.registry import register
from search_index.query.glossary import Tokens, analyse

CLAUSE = re.compile(r'([+-]?)"([^"]*)"|(\S+)')
SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Clause:
    """One unit of a query: a word or a quoted phrase, possibly required or excluded."""

    text: str
    tokens: Tokens
    phrase: bool = False
    modifier: str = ""  # "", "+" (required) or "-" (excluded)


class CleanQuery(str):
    """Text clean_query has already cleaned: the search form cleans, the service need not."""

    __slots__ = ()


def clean_query(raw: str | None) -> CleanQuery:
    """Cap, strip control characters and lone surrogates, NFKC-normalise, tidy spaces."""
    if isinstance(raw, CleanQuery):
        return raw
    limit = settings.SEARCH_INDEX["MAX_QUERY_LENGTH"]
    text = (raw or "")[:limit]
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch.isspace():
            kept.append(" ")
        elif category not in ("Cc", "Cs", "Cf", "Co", "Cn"):
            kept.append(ch)
    text = unicodedata.normalize("NFKC", "".join(kept))
    return CleanQuery(SPACES.sub(" ", text).strip()[:limit])


@lru_cache(maxsize=20_000)
def _analysed(text: str) -> Tokens:
    """analyse() of a clause: readers' questions share most of their words, and a long one
    is parsed twice (before and after its chatter goes)."""
    return analyse(text)


def parse_clauses(text: str) -> list[Clause]:
    """Split a cleaned query into clauses; an unbalanced quote is just a character."""
    clauses = []
    for match in CLAUSE.finditer(text):
        modifier, quoted, word = match.groups()
        if word is not None:
            modifier = word[0] if len(word) > 1 and word[0] in "+-" else ""
            body, phrase = word[len(modifier) :], False
        else:
            body, phrase = quoted, True
        tokens = _analysed(body)
        if tokens:
            clauses.append(Clause(body, tokens, phrase and len(tokens) > 1, modifier))
    return clauses


def optional_words(clauses: list[Clause]) -> Tokens:
    """The tokens of the plain (unquoted, unmodified) words, in query order."""
    return tuple(t for c in clauses if not c.modifier and not c.phrase for t in c.tokens)


register("parsed clauses", _analysed.cache_clear)
