"""The one entry point of search: search(q, page, correct) -> SearchPage.

A query goes: clean (query/grammar.py) -> triage (query/triage/) -> plan (query/plan.py:
grammar, intent, glossary, spelling) -> rank (the configured backend, backends/base.py) ->
page -> snippets (text/snippets.py); rankings and shown pages are remembered (caching/),
first pages logged (analytics/). Views call timed_search; nothing here knows the engine.
"""
import logging
import time
from dataclasses import dataclass, field, replace

from django.conf import settings

from faq.markup import is_web_url
from search_index.analytics import log as query_log
from search_index.backends import IndexUnavailable, SearchReader, get_backend
from search_index.backends.tree import Node, Term, WithOptional
from search_index.caching import results as query_cache
from search_index.query.glossary import Glossary, analyse, glossary, whole_words
from search_index.query.grammar import clean_query
from search_index.query.intent import TermStats, kind_factor, question_types
from search_index.query.plan import make_plan, meanings
from search_index.query.spelling import apply_corrections, corrections
from search_index.query.triage.rules import (
    keeps_red_flags,
    matching_rule,
    message_for,
    rule_words,
    urgent_message,
)
from search_index.query.triage.support import pinned_hits
from search_index.results import SearchHit, SearchPage, spread_articles
from search_index.text.snippets import snippet

__all__ = ["PageNotFound", "clean_query", "search", "timed_search"]

log = logging.getLogger(__name__)

MAX_RESULTS = 200  # a reader never pages further; ranking more is wasted work
# Names what a shared page entry holds; a new name when that changes, so other processes
# (or the previous release) never read an entry of another shape.
PAGE_ENTRY = "page-3"
# A FAQ whose answer the source withheld (only its question and a link out) ranks below an
# answer matching as well, its score multiplied by this before the best are chosen: its body
# is just its question, so short that BM25 put it first (MedQuAD's public release withholds
# 31,034 of its 47,457 answers). On the dev questions, MRR@10 / R@10 / nDCG@10 rose from
# 0.479 / 0.791 / 0.554 to 0.631 / 0.818 / 0.670 (raw) and from 0.515 / 0.843 / 0.586 to
# 0.673 / 0.870 / 0.713 (focus+type); 0.7 gave nDCG 0.648 and 0.693, 0.3 gave 0.673 and
# 0.718; the seed lay queries did not move.
WITHHELD_FACTOR = 0.5
WITHHELD = Term("answered", "no")
# A topic the reader named by another name has its best hit among this many first results
# when the query names other topics too (plan.topic_seats).
FIRST_ROW = 3
PER_ARTICLE = 2  # hits from one article before others get their turn...
SPREAD_WINDOW = 30  # ...within the first three pages


class PageNotFound(Exception):
    """The requested page of results does not exist."""


@dataclass
class Ranked:
    """Documents matching a query, in display order, and the terms to mark in snippets."""

    docnums: list[tuple[int, float]]
    terms: set[str]
    # Each name in the query with several meanings: (title, query) of each.
    meanings: list[list[tuple[str, str]]] = field(default_factory=list)


def term_stats(reader: SearchReader) -> TermStats:
    """How common words are in the index's bodies, for choosing a long question's words."""
    return TermStats(lambda token: reader.doc_frequency("body", token), reader.doc_count())


def rank(
    reader: SearchReader, text: str, lay: Glossary, fixes: dict[str, str] | None = None
) -> Ranked:
    """Run a cleaned query; at most MAX_RESULTS documents, no article filling a page."""
    planned = make_plan(text, lay, fixes, term_stats(reader))
    offered = meanings(planned, text, lay)
    if planned.query is None:
        return Ranked([], planned.terms, offered)
    scored = reader.rank(planned.query, MAX_RESULTS, (WITHHELD, WITHHELD_FACTOR))
    # A hit's article and type are read for the first pages only.
    kinds = question_types(text)
    head = []
    for docnum, score in scored[:SPREAD_WINDOW]:
        kind, article = reader.kind_and_article(docnum)
        head.append((docnum, score * kind_factor(kind, kinds), article))
    head.sort(key=lambda hit: -hit[1])
    docnums = spread_articles(head, PER_ARTICLE) + scored[SPREAD_WINDOW:]
    for seat in planned.seats:
        docnums = seated(reader, WithOptional(seat, planned.query), docnums)
    return Ranked(docnums, planned.terms, offered)


def seated(reader: SearchReader, topic: Node, docnums: list[tuple[int, float]]):
    """The ranking with the best hit on a topic the reader named among the first
    FIRST_ROW, in the last place there if it was lower."""
    best = reader.rank(topic, 1, (WITHHELD, WITHHELD_FACTOR))
    if not best or best[0][0] in {d for d, _s in docnums[:FIRST_ROW]}:
        return docnums
    hit = next((d for d in docnums if d[0] == best[0][0]), best[0])
    rest = [d for d in docnums if d[0] != hit[0]]
    return rest[: FIRST_ROW - 1] + [hit] + rest[FIRST_ROW - 1 :]


def safe_link(url: str) -> str:
    """The URL if it is web (faq.markup's rule) or site-relative; else ('javascript:') ''."""
    url = (url or "").strip()
    site_relative = url.startswith("/") and not url.startswith("//")
    return url if site_relative or is_web_url(url) else ""


def to_hit(fields: dict, score: float, terms: set[str]) -> SearchHit:
    """A display-ready hit from a document's stored fields."""
    return SearchHit(
        kind=fields.get("doc_type", ""),
        title=fields.get("title", ""),
        article_title=fields.get("article_title", ""),
        url=safe_link(fields.get("url", "")),
        snippet_html=snippet(fields.get("body", ""), terms),
        source_name=fields.get("source_name", ""),
        source_url=safe_link(fields.get("source_url", "")),
        score=round(score, 4),
        article_slug=fields.get("article_slug", ""),
    )


def fill_page(result: SearchPage, reader: SearchReader, ranked: Ranked) -> None:
    """Put one page of ranked documents, with snippets, into the result."""
    per_page = settings.SEARCH_INDEX["RESULTS_PER_PAGE"]
    result.total = len(ranked.docnums)
    result.num_pages = max(1, -(-result.total // per_page))
    if result.page > result.num_pages:
        raise PageNotFound(result.page)
    first = (result.page - 1) * per_page
    chosen = ranked.docnums[first : first + per_page]
    result.hits = [to_hit(reader.describe(d), s, ranked.terms) for d, s in chosen]
    result.has_previous = result.page > 1
    result.has_next = result.page < result.num_pages


@dataclass(frozen=True)
class Outcome:
    """A query's ranking, whatever the page: what to show and the spelling advice."""

    ranked: Ranked
    suggestion: str | None
    corrected: bool
    meanings: list[list[tuple[str, str]]] = field(default_factory=list)
    nearest: list[str] = field(default_factory=list)


def outcome(reader: SearchReader, lay: Glossary, text: str, correct: bool) -> Outcome:
    """The ranking, with the meanings of an ambiguous name in the query and, when nothing
    matched, the names the site knows nearest to the reader's words."""
    found = ranked_outcome(reader, lay, text, correct)
    nearest = [] if found.ranked.docnums else lay.nearest_names(whole_words(text))
    return replace(found, meanings=found.ranked.meanings, nearest=nearest)


def ranked_outcome(reader: SearchReader, lay: Glossary, text: str, correct: bool) -> Outcome:
    """Rank a cleaned query once; a wholly misspelt one is ranked as corrected instead."""
    fixes = corrections(reader, text, lay, keep=rule_words()) if correct else {}
    # A misspelt word found nothing by itself, so its correction is always worth offering.
    suggestion = apply_corrections(text, fixes)
    if suggestion and not keeps_red_flags(text, suggestion):
        # Did-you-mean never steers a reader away from an urgent-care message.
        fixes, suggestion = {}, None
    if suggestion and not analyse(" ".join(w for w in whole_words(text) if w not in fixes)):
        # Every word was misspelt: the reader's text alone would find nothing.
        ranked = rank(reader, suggestion, lay)
        return Outcome(ranked, suggestion, bool(ranked.docnums))
    # The reader's other words find something: keep them, and let the corrections help.
    return Outcome(rank(reader, text, lay, fixes), suggestion, False)


def _search_index(result: SearchPage, words: str, correct: bool) -> None:
    """Fill the result with a page of hits for `words` (the reader's query, or support)."""
    reader, lay = get_backend().reader(), glossary()
    owners = (reader, lay)

    def one_page() -> tuple[str | None, bool, SearchPage]:
        # The ranking of every page is remembered in this process only; shown pages (mostly
        # the first) are shared with the other processes, without the ranking (pickling its
        # 200 hits took a third of the write).
        found = query_cache.cached(
            owners,
            (words, correct),
            lambda: outcome(reader, lay, words, correct),
            share=False,
        )
        page = SearchPage(query=words, page=result.page)
        fill_page(page, reader, found.ranked)
        page.meanings, page.nearest = found.meanings, found.nearest
        return found.suggestion, found.corrected, page

    # Snippets cost milliseconds per page, so a shown page is remembered as well.
    key = (PAGE_ENTRY, words, correct, result.page)
    shown = query_cache.cached(owners, key, one_page)
    result.suggestion, result.corrected, page = shown
    result.hits, result.total, result.num_pages = list(page.hits), page.total, page.num_pages
    result.has_previous, result.has_next = page.has_previous, page.has_next
    result.meanings, result.nearest = page.meanings, page.nearest


def _run_search(result: SearchPage, words: str, correct: bool) -> None:
    """_search_index, with a broken or missing index reported as unavailable, not raised."""
    try:
        _search_index(result, words, correct)
    except IndexUnavailable as exc:
        log.warning("Search index unavailable: %s", exc)
        result.hits, result.total, result.unavailable = [], 0, True
    except get_backend().read_errors:
        # Damage found mid-query (or a bug): the reader gets the unavailable page, not a 500.
        log.exception("Search failed for a query of %d characters", len(words))
        result.hits, result.total, result.unavailable = [], 0, True


def search(q: str | None, page: int = 1, correct: bool = True) -> SearchPage:
    """Search for a reader's query; raises only PageNotFound, whatever the query text."""
    text = clean_query(q)
    if page < 1:
        raise PageNotFound(page)
    result = SearchPage(query=text, page=page, urgent=urgent_message(text))
    if not text:
        return result
    if result.urgent is not None and result.urgent.results_query:
        show_support(result)
        return result
    _run_search(result, text, correct)
    if result.urgent is None and result.suggestion:
        # A misspelling the rules did not foresee must not hide a red flag either.
        result.urgent = message_for(matching_rule(result.suggestion))
        if result.urgent is not None and result.urgent.results_query:
            show_support(result)
    return result


def show_support(result: SearchPage) -> None:
    """Under a crisis banner: the rule's pinned pages, then results for its support words,
    never results for what the reader typed (which may name a method or a dose)."""
    urgent = result.urgent
    _run_search(result, urgent.results_query, correct=False)
    result.suggestion, result.corrected = None, False
    result.meanings, result.nearest = [], []
    if result.page == 1 and urgent.pinned:
        pinned = pinned_hits(urgent.pinned)
        urls = {hit.url for hit in pinned}
        others = [hit for hit in result.hits if hit.url not in urls]
        result.total += len(pinned) - (len(result.hits) - len(others))
        result.hits = pinned + others
    result.support_results = True


def log_search(result: SearchPage, took_ms: float) -> None:
    """Record a first-page search for the search-terms report; never fails the search."""
    if not result.query or result.page != 1 or result.unavailable:
        return
    query_log.record(
        result.query, result.total, took_ms, result.urgent.kind if result.urgent else ""
    )


def timed_search(q: str | None, page: int = 1, correct: bool = True) -> SearchPage:
    """search() plus a query-log entry with the time it took."""
    started = time.perf_counter()
    result = search(q, page, correct)
    log_search(result, (time.perf_counter() - started) * 1000)
    return result
