"""The reader's query: cleaned, parsed by a deliberately small grammar, run against the index.

Readers may use words, "quoted phrases", +required and -excluded words. Nothing else is
syntax: field names, wildcards, ranges, boosts and fuzzy marks are plain text, so no query
can reach a field we did not choose or make the engine expand terms (Whoosh's own parser
takes seconds on `a*` or a 100,000-character word). The Whoosh query is built here, term
by term, from the analysed tokens.
"""
import logging
import re
import time
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from whoosh import query as wq
from whoosh.searching import Searcher

from search_index.analytics import log as query_log
from search_index.backends.whoosh.arrays import lexicon
from search_index.backends.whoosh.arrays.ranking import rank_documents, term_factors
from search_index.backends.whoosh.searcher import get_searcher, kind_and_article, stored_fields
from search_index.backends.whoosh.storage import INDEX_ERRORS, IndexUnavailable
from search_index.caching import results as query_cache
from search_index.query.glossary import Glossary, Tokens, analyse, glossary, whole_words
from search_index.query.intent import (
    MAX_TERMS,
    Intent,
    TermStats,
    choose_words,
    focus_query,
    is_chatter,
    kind_factor,
    question_types,
    strip_chatter,
)
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

log = logging.getLogger(__name__)

# Fields a reader's words are looked up in; their boosts live in the schema. Not also_called:
# articles list broad names there ("syndrome"), and on the MedQuAD dev questions leaving it
# out raised nDCG@10 from 0.395 to 0.482 (raw) and 0.526 to 0.570 (focus+type).
FIELDS = ("title", "body", "article_title")
# Fields read at a query-time weight on top of their schema boost. heading_path repeats
# article_title and title: at full weight it cost dev nDCG (0.588 -> 0.578 focus+type), left
# out it drops a seed lay query ("tingly feet") out of the top three. Long questions leave it
# out: raw dev questions' nDCG@10 rose (0.544 -> 0.553), and it was a fifth of their lists.
EXTRA_FIELDS: dict[str, float] = {"heading_path": 0.75}
# Proximity is costly to check: only where it tells most (heading or question, and body).
PHRASE_FIELDS = ("title", "body")
PHRASE_BONUS = 0.75  # adjacent query words found next to each other in the text
QUOTED_BOOST = 2.0  # a phrase the reader put in quotes
EXPANSION_BOOST = 0.4  # synonym terms rank below the reader's own words
# A synonym of more words than this ("age-related changes in bones, muscles and joints") is
# a phrase that hardly occurs elsewhere word for word: leaving them out changed no dev
# question figure, and they were the costliest phrase checks.
EXPANSION_WORDS = 4
MAX_PAIRS = 6  # adjacent word pairs given a phrase bonus
# A question of more words than this is a consumer's letter: its chatter goes, no proximity.
LONG_QUERY = 6
MAX_RESULTS = 200  # a reader never pages further; ranking more is wasted work
MAX_FREQUENCIES = 50_000  # words' document frequencies remembered per searcher
# Names what a shared page entry holds; a new name when that changes, so other processes
# (or the previous release) never read an entry of another shape.
PAGE_ENTRY = "page-2"
# A FAQ whose answer the source withheld (only its question and a link out) ranks below an
# answer matching as well, its score multiplied by this before the best are chosen: its body
# is just its question, so short that BM25 put it first (MedQuAD's public release withholds
# 31,034 of its 47,457 answers). On the dev questions, MRR@10 / R@10 / nDCG@10 rose from
# 0.479 / 0.791 / 0.554 to 0.631 / 0.818 / 0.670 (raw) and from 0.515 / 0.843 / 0.586 to
# 0.673 / 0.870 / 0.713 (focus+type); 0.7 gave nDCG 0.648 and 0.693, 0.3 gave 0.673 and
# 0.718; the seed lay queries did not move.
WITHHELD_FACTOR = 0.5
PER_ARTICLE = 2  # hits from one article before others get their turn...
SPREAD_WINDOW = 30  # ...within the first three pages

CLAUSE = re.compile(r'([+-]?)"([^"]*)"|(\S+)')
SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Clause:
    """One unit of a query: a word or a quoted phrase, possibly required or excluded."""

    text: str
    tokens: Tokens
    phrase: bool = False
    modifier: str = ""  # "", "+" (required) or "-" (excluded)


def clean_query(raw: str | None) -> str:
    """Cap, strip control characters and lone surrogates, NFKC-normalise, tidy spaces."""
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
    return SPACES.sub(" ", text).strip()[:limit]


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


def any_field(token: str, boost: float = 1.0, extra: dict[str, float] = EXTRA_FIELDS) -> wq.Query:
    terms = [wq.Term(f, token, boost=boost) for f in FIELDS]
    terms += [wq.Term(f, token, boost=boost * w) for f, w in extra.items()]
    return wq.Or(terms)


def phrase_any_field(
    tokens: Tokens, boost: float = 1.0, slop: int = 1, extra: dict[str, float] = EXTRA_FIELDS
) -> wq.Query:
    if len(tokens) == 1:
        return any_field(tokens[0], boost, extra)
    return wq.Or([wq.Phrase(f, list(tokens), slop=slop, boost=boost) for f in PHRASE_FIELDS])


def _clause_query(
    clause: Clause, boost: float = 1.0, extra: dict[str, float] = EXTRA_FIELDS
) -> wq.Query:
    if clause.phrase:
        return phrase_any_field(clause.tokens, boost * QUOTED_BOOST, extra=extra)
    if len(clause.tokens) == 1:
        return any_field(clause.tokens[0], boost, extra)
    # Every part of a hyphenated or slashed word ("pins-and-needles") must appear.
    return wq.And([any_field(t, boost, extra) for t in clause.tokens])


def optional_words(clauses: list[Clause]) -> Tokens:
    """The tokens of the plain (unquoted, unmodified) words, in query order."""
    return tuple(t for c in clauses if not c.modifier and not c.phrase for t in c.tokens)


def build_query(
    clauses: list[Clause],
    expansions: list[Tokens],
    stats: TermStats | None = None,
    intent: Intent | None = None,
) -> wq.Query | None:
    """OR of the reader's words, phrase bonuses and synonym terms; +/- as must/must not.

    `stats` (document frequencies) choose the words of a long query; `intent` adds the
    article names found in it and prefers FAQs of the question's type.
    """
    intent = intent or Intent()
    plain = list(optional_words(clauses))
    extra = EXTRA_FIELDS if len(plain) <= LONG_QUERY else {}
    required = [_clause_query(c, extra=extra) for c in clauses if c.modifier == "+"]
    excluded = [_clause_query(c, extra=extra) for c in clauses if c.modifier == "-"]
    named = {t for name in intent.focus for t in name}
    words = [w for w in plain if w in named]
    words += choose_words([w for w in plain if w not in named], stats, MAX_TERMS - len(words))
    optional = [any_field(t, extra=extra) for t in words]
    optional += [_clause_query(c, extra=extra) for c in clauses if c.phrase and not c.modifier]
    if len(plain) <= LONG_QUERY:
        optional += phrase_bonuses(clauses, set(words))
    optional += [focus_query(name) for name in intent.focus]
    optional += [phrase_any_field(e, EXPANSION_BOOST, extra=extra) for e in expansions[:MAX_TERMS]]
    if required:
        query = wq.And(required)
        if optional:
            query = wq.AndMaybe(query, flat_or(optional))
    elif optional:
        query = flat_or(optional)
    else:
        return None
    if excluded:
        query = wq.AndNot(query, wq.Or(excluded))
    return query


def phrase_bonuses(clauses: list[Clause], chosen: set[str]) -> list[wq.Query]:
    """Proximity queries for adjacent plain words of the query."""
    plain = optional_words(clauses)
    pairs = [p for p in zip(plain, plain[1:], strict=False) if p[0] != p[1] and set(p) <= chosen]
    pairs = list(dict.fromkeys(pairs))[:MAX_PAIRS]
    return [phrase_any_field(p, PHRASE_BONUS, slop=2) for p in pairs]


def flat_or(queries: list[wq.Query]) -> wq.Or:
    """One OR of all the leaves.

    In one OR, the array ranker sees that a proximity phrase's words are looked up anyway
    and checks the phrase only in the best documents (ranking.py). For Whoosh's own
    searcher, the fallback, the OR gathers matches in arrays: its default binary tree of
    union matchers took three to ten times the CPU on 47,000 FAQs.
    """
    leaves = [leaf for q in queries for leaf in (q.subqueries if type(q) is wq.Or else [q])]
    query = wq.Or(leaves)
    query.matcher_type = wq.Or.ARRAY_MATCHER
    return query


def searched_terms(query: wq.Query | None) -> set[str]:
    """The stemmed tokens a query looks for, to mark in snippets (never an excluded word).

    Only what was searched: a long question's other words ("he", "but", "all") would have
    marked noise, and made its snippets cost milliseconds.
    """
    if query is None:
        return set()
    if type(query) is wq.Term:
        return {query.text}
    if type(query) is wq.Phrase:
        return set(query.words)
    if type(query) is wq.AndNot:
        return searched_terms(query.a)
    return {t for child in query.children() for t in searched_terms(child)}


def plan(
    text: str,
    lay: Glossary,
    fixes: dict[str, str] | None = None,
    stats: TermStats | None = None,
) -> tuple[wq.Query | None, set[str]]:
    """The Whoosh query for a cleaned text and the terms to highlight.

    `fixes` (misspelt word -> correction) add the corrections as low-boosted terms, so a
    query with one misspelt word still ranks what that word meant.
    """
    clauses = parse_clauses(text)
    if len(clauses) > LONG_QUERY:
        clauses = parse_clauses(strip_chatter(text))
        clauses = [c for c in clauses if c.modifier or c.phrase or not is_chatter(c.text)]
    query_tokens = tuple(t for c in clauses if c.modifier != "-" for t in c.tokens)
    expansions = [e for e in lay.expansions(query_tokens) if len(e) <= EXPANSION_WORDS]
    expansions += [t for t in (analyse(f) for f in (fixes or {}).values()) if t]
    intent = Intent(tuple(lay.names_in(query_tokens)))
    query = build_query(clauses, expansions, stats, intent)
    return query, searched_terms(query)


class PageNotFound(Exception):
    """The requested page of results does not exist."""


@dataclass
class Ranked:
    """Documents matching a query, in display order, and the terms to mark in snippets."""

    docnums: list[tuple[int, float]]
    terms: set[str]


def term_stats(searcher: Searcher) -> TermStats:
    """Document frequencies of words in the index's bodies, remembered per searcher (a long
    question asks for dozens, each a lookup in every segment)."""
    reader = searcher.reader()
    known = searcher.__dict__.setdefault("_body_frequencies", {})

    def frequency(token: str) -> int:
        found = known.get(token)
        if found is None:
            if len(known) >= MAX_FREQUENCIES:  # made-up words must not pile up
                known.clear()
            found = known[token] = lexicon.doc_frequency(reader, "body", token)
        return found

    return TermStats(frequency, reader.doc_count())


def rank(
    searcher: Searcher, text: str, lay: Glossary, fixes: dict[str, str] | None = None
) -> Ranked:
    """Run a cleaned query; at most MAX_RESULTS documents, no article filling a page."""
    whoosh_query, terms = plan(text, lay, fixes, term_stats(searcher))
    if whoosh_query is None:
        return Ranked([], terms)
    withheld = term_factors(searcher, "answered", "no", WITHHELD_FACTOR)
    scored = rank_documents(searcher, whoosh_query, MAX_RESULTS, withheld)
    # A hit's article and type are read for the first pages only.
    kinds = question_types(text)
    head = []
    for docnum, score in scored[:SPREAD_WINDOW]:
        kind, article = kind_and_article(searcher, docnum)
        head.append((docnum, score * kind_factor(kind, kinds), article))
    head.sort(key=lambda hit: -hit[1])
    return Ranked(spread_articles(head, PER_ARTICLE) + scored[SPREAD_WINDOW:], terms)


def safe_link(url: str) -> str:
    """The URL if it is web or site-relative; anything else ('javascript:') is dropped."""
    url = (url or "").strip()
    return url if url.startswith(("https://", "http://", "/")) and not url.startswith("//") else ""


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


def fill_page(result: SearchPage, searcher: Searcher, ranked: Ranked) -> None:
    """Put one page of ranked documents, with snippets, into the result."""
    per_page = settings.SEARCH_INDEX["RESULTS_PER_PAGE"]
    result.total = len(ranked.docnums)
    result.num_pages = max(1, -(-result.total // per_page))
    if result.page > result.num_pages:
        raise PageNotFound(result.page)
    first = (result.page - 1) * per_page
    chosen = ranked.docnums[first : first + per_page]
    result.hits = [to_hit(stored_fields(searcher, d), s, ranked.terms) for d, s in chosen]
    result.has_previous = result.page > 1
    result.has_next = result.page < result.num_pages


@dataclass(frozen=True)
class Outcome:
    """A query's ranking, whatever the page: what to show and the spelling advice."""

    ranked: Ranked
    suggestion: str | None
    corrected: bool


def outcome(searcher: Searcher, lay: Glossary, text: str, correct: bool) -> Outcome:
    """Rank a cleaned query once; a wholly misspelt one is ranked as corrected instead."""
    fixes = corrections(searcher.reader(), text, lay, keep=rule_words()) if correct else {}
    # A misspelt word found nothing by itself, so its correction is always worth offering.
    suggestion = apply_corrections(text, fixes)
    if suggestion and not keeps_red_flags(text, suggestion):
        # Did-you-mean never steers a reader away from an urgent-care message.
        fixes, suggestion = {}, None
    if suggestion and not analyse(" ".join(w for w in whole_words(text) if w not in fixes)):
        # Every word was misspelt: the reader's text alone would find nothing.
        ranked = rank(searcher, suggestion, lay)
        return Outcome(ranked, suggestion, bool(ranked.docnums))
    # The reader's other words find something: keep them, and let the corrections help.
    return Outcome(rank(searcher, text, lay, fixes), suggestion, False)


def _search_index(result: SearchPage, words: str, correct: bool) -> None:
    """Fill the result with a page of hits for `words` (the reader's query, or support)."""
    searcher, lay = get_searcher(), glossary()
    owners = (searcher, lay)

    def one_page() -> tuple[str | None, bool, SearchPage]:
        # The ranking of every page is remembered in this process only; shown pages (mostly
        # the first) are shared with the other processes, without the ranking (pickling its
        # 200 hits took a third of the write).
        found = query_cache.cached(
            owners,
            (words, correct),
            lambda: outcome(searcher, lay, words, correct),
            share=False,
        )
        page = SearchPage(query=words, page=result.page)
        fill_page(page, searcher, found.ranked)
        return found.suggestion, found.corrected, page

    # Snippets cost milliseconds per page, so a shown page is remembered as well.
    key = (PAGE_ENTRY, words, correct, result.page)
    shown = query_cache.cached(owners, key, one_page)
    result.suggestion, result.corrected, page = shown
    result.hits, result.total, result.num_pages = list(page.hits), page.total, page.num_pages
    result.has_previous, result.has_next = page.has_previous, page.has_next


def _run_search(result: SearchPage, words: str, correct: bool) -> None:
    """_search_index, with a broken or missing index reported as unavailable, not raised."""
    try:
        _search_index(result, words, correct)
    except IndexUnavailable as exc:
        log.warning("Search index unavailable: %s", exc)
        result.hits, result.total, result.unavailable = [], 0, True
    except INDEX_ERRORS:
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
    result.suggestion, result.corrected = None, False
    _run_search(result, urgent.results_query, correct=False)
    result.suggestion, result.corrected = None, False
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
