"""The search report's fix-its: from a query, one step to a synonym, a pinned result or a
draft FAQ, and whether the query finds something now.

The report's own figures (search_index.admin.search_terms_report) say what readers searched;
this adds, per query, the editor's ways to fix it and what the same search finds today.
"""
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, Max
from django.urls import reverse
from django.utils.text import slugify

from search_index.models import SearchQueryLog, SearchResultClick
from search_index.query.promoted import promotion_for
from search_index.service import search

PERIODS = (7, 30, 90, 365)
DEFAULT_DAYS = 30
ROWS = 50


def report_days(params) -> int:
    """The report's period in days, from ?days=; anything but an offered period is the default."""
    value = params.get("days", "")
    return int(value) if value.isdigit() and int(value) in PERIODS else DEFAULT_DAYS


@dataclass(frozen=True)
class FixLinks:
    """Admin forms prefilled from a query: each is one save away from a fix."""

    synonym: str
    promotion: str
    faq: str


def fix_links(query: str) -> FixLinks:
    """Where an editor adds a synonym, pins a result, or starts a draft FAQ for this query."""
    question = query[:1].upper() + query[1:]
    return FixLinks(
        synonym=f"{reverse('admin:search_index_synonym_add')}?{urlencode({'phrase': query})}",
        promotion=f"{reverse('admin:faq_promotedresult_add')}?{urlencode({'query': query})}",
        faq=reverse("admin:faq_faq_add") + "?" + urlencode(
            {"question": question, "slug": slugify(query)[:200]}
        ),
    )


def finds_now(query: str) -> dict:
    """What the same search finds today: its result count and any Recommended page."""
    promotion = promotion_for(query)
    page = search(query, 1, correct=True)
    return {
        "results": 0 if page.unavailable else page.total,
        "recommended": str(promotion.target) if promotion is not None else "",
    }


def with_fixes(rows) -> list[dict]:
    """Report rows with their fix links and what the query finds now."""
    return [{**row, "fix": fix_links(row["query"]), "now": finds_now(row["query"])}
            for row in rows]


def unopened(since) -> list[dict]:
    """Queries that found results but whose results nobody opened since then."""
    clicked = SearchResultClick.objects.filter(created_at__gte=since).values("query")
    rows = (
        SearchQueryLog.objects.filter(created_at__gte=since, results__gt=0)
        .exclude(query__in=clicked)
        .values("query")
        .annotate(n=Count("pk"), most_results=Max("results"), last=Max("created_at"))
        .order_by("-n", "query")[:ROWS]
    )
    return list(rows)


def with_fix_its(report: dict, since) -> dict:
    """The report with fix-its on its zero-result queries, and the unopened queries."""
    return {
        **report,
        "periods": PERIODS,
        "zero_results": with_fixes(report["zero_results"]),
        "unopened": with_fixes(unopened(since)),
        "clicks": SearchResultClick.objects.filter(created_at__gte=since).count(),
    }
