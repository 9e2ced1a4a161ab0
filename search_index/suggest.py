"""Search-as-you-type: `/api/suggest?q=` completes article titles, FAQ questions and synonyms.

Every keystroke asks, so the answer comes from a sorted list of word-start keys held in
memory per process and searched with bisect; the list is rebuilt only when the content
changes (newest `updated_at` and row count of each source).
"""
import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass

from django.http import JsonResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from faq.models import FAQ, Article
from search_index.caching.rechecked import Rechecked, rows_version
from search_index.models import Synonym
from search_index.query.triage.rules import urgent_message
from search_index.views import urgent_payload

MIN_LETTERS = 2
MAX_SUGGESTIONS = 8
MAX_QUERY_LENGTH = 100
# Past this many candidates a prefix is too short to rank usefully; the first ones will do.
MAX_CANDIDATES = 200
KIND_ORDER = {"article": 0, "synonym": 1, "faq": 2}
WORD = re.compile(r"[a-z0-9]+")
# Question openers carry no meaning on their own; a key starting there helps nobody.
SKIP_WORDS = frozenset(
    "a an and are as at be by can do does for from how i in is it my of on or the to what "
    "when where which who why will with you your".split()
)


@dataclass(frozen=True)
class Suggestion:
    text: str
    kind: str
    url: str
    detail: str = ""


def normalise(text: str) -> str:
    """Lower case, accents dropped, words separated by single spaces.

    >>> normalise("  Sciatica — Pins & Needles ")
    'sciatica pins needles'
    >>> normalise("Ménière's disease")
    'meniere s disease'
    """
    folded = text.casefold()
    if not folded.isascii():  # most text is ASCII; accents cost a pass per character
        decomposed = unicodedata.normalize("NFKD", folded)
        folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(WORD.findall(folded))


def word_keys(text: str) -> list[str]:
    """The normalised text from each meaningful word onwards: what a typed prefix can match.

    >>> word_keys("What causes numb feet?")
    ['what causes numb feet', 'causes numb feet', 'numb feet', 'feet']
    """
    words = normalise(text).split()
    keys = [" ".join(words)] if words else []
    keys += [" ".join(words[i:]) for i in range(1, len(words)) if words[i] not in SKIP_WORDS]
    return keys


class SuggestionList:
    """Sorted (key, position) pairs over every suggestion; a prefix is a contiguous slice."""

    def __init__(self, suggestions: list[Suggestion]):
        self.suggestions = suggestions
        self.keys = sorted(
            (key, n, i == 0)
            for n, item in enumerate(suggestions)
            for i, key in enumerate(word_keys(item.text))
        )

    def complete(self, prefix: str, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
        """Up to `limit` suggestions with a word starting with `prefix`, best first."""
        start = bisect_left(self.keys, (prefix,))
        candidates = {}
        for key, n, from_start in self.keys[start:start + MAX_CANDIDATES]:
            if not key.startswith(prefix):
                break
            item = self.suggestions[n]
            rank = (not from_start, KIND_ORDER[item.kind], len(item.text), item.text)
            if n not in candidates or rank < candidates[n]:
                candidates[n] = rank
        ranked = sorted(candidates, key=candidates.get)
        seen, chosen = set(), []
        for n in ranked:
            item = self.suggestions[n]
            # The same words twice (a topic's other name and a synonym) would only puzzle;
            # the better-ranked one, a topic before a search, stays.
            if normalise(item.text) not in seen:
                seen.add(normalise(item.text))
                chosen.append(item)
            if len(chosen) == limit:
                break
        return chosen


def content_version() -> tuple:
    """Changes whenever a suggestion source gains, loses or edits a row."""
    return tuple(rows_version(model) for model in (Article, FAQ, Synonym))


def url_maker(name: str):
    """A fast slug -> address function for one URL name (reverse() per row is slow at 58k)."""
    placeholder = "__slug__"
    pattern = reverse(name, kwargs={"slug": placeholder})
    return lambda slug: pattern.replace(placeholder, slug)


def collect_suggestions() -> list[Suggestion]:
    """Published titles and their other names, published questions, active synonyms."""
    items = []
    article_url, faq_url = url_maker("faq:article"), url_maker("faq:faq")
    for title, slug, also_called in Article.objects.published().values_list(
        "title", "slug", "also_called"
    ):
        url = article_url(slug)
        items.append(Suggestion(title, "article", url))
        items += [
            Suggestion(name.strip(), "article", url, detail=title)
            for name in also_called.splitlines()
            if name.strip()
        ]
    for question, slug in FAQ.objects.published().values_list("question", "slug"):
        items.append(Suggestion(question, "faq", faq_url(slug)))
    search_url = reverse("search")
    for phrase in Synonym.objects.filter(active=True).values_list("phrase", flat=True):
        items.append(Suggestion(phrase, "synonym", f"{search_url}?{urlencode({'q': phrase})}"))
    return items


def _build_list(_version: tuple) -> SuggestionList:
    return SuggestionList(collect_suggestions())


# One list per process, rebuilt when content_version() changes. Asking costs more than a
# lookup in ~58k rows, so it is asked at most every 10 s (at once after a save in this
# process): another process's new title may take that long to be suggested.
cache = Rechecked("suggestions", content_version, _build_list, 10.0, [Article, FAQ, Synonym])


def suggestion_payload(item: Suggestion) -> dict:
    return {"text": item.text, "kind": item.kind, "url": item.url, "detail": item.detail}


@require_GET
def suggest(request):
    """JSON completions for the search box; fewer than two letters gives an empty list."""
    typed = request.GET.get("q", "")[:MAX_QUERY_LENGTH]
    prefix = normalise(typed)
    items = cache.get().complete(prefix) if len(prefix) >= MIN_LETTERS else []
    urgent = urgent_message(typed) if len(prefix) >= MIN_LETTERS else None
    response = JsonResponse(
        {
            "query": prefix,
            "suggestions": [suggestion_payload(i) for i in items],
            "urgent": urgent_payload(urgent),
        }
    )
    # Completions change only with the content; a minute of browser caching saves keystrokes.
    response["Cache-Control"] = "public, max-age=60"
    return response
