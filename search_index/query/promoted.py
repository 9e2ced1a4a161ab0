"""Promoted results: the page editors pinned for a query, matched as search reads queries.

A promotion matches when the reader's query and the promotion's query mean the same words once
analysed as the index analyses prose (word endings, common words and case do not matter) and,
either side, a glossary phrase may stand for one of its terms: "pins and needles in my feet"
matches a promotion for "paresthesia feet". Word order does not matter; extra words do.
"""
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from faq.models import PromotedResult, Section, Status
from search_index.query.glossary import Tokens, analyse, glossary

# Longer queries are questions, not the short phrases editors pin; also bounds the work.
MAX_TOKENS = 12


@dataclass(frozen=True)
class Recommendation:
    """What the results page shows above the results, marked "Recommended"."""

    kind: str
    title: str
    url: str
    summary: str


def readings(text: str) -> set[frozenset[str]]:
    """The query's analysed words, and the same with a glossary phrase put as one of its terms."""
    tokens: Tokens = analyse(text)[:MAX_TOKENS]
    if not tokens:
        return set()
    entries = glossary().entries
    found = {frozenset(tokens)}
    for start in range(len(tokens)):
        for end in range(start + 1, len(tokens) + 1):
            for terms in entries.get(tokens[start:end], ()):
                found.add(frozenset(tokens[:start] + terms + tokens[end:]))
    return found


def live_promotions(today=None):
    """Published promotions within their dates."""
    today = today or timezone.localdate()
    return PromotedResult.objects.filter(
        Q(starts_on__isnull=True) | Q(starts_on__lte=today),
        Q(ends_on__isnull=True) | Q(ends_on__gte=today),
        status=Status.PUBLISHED,
    ).select_related("article", "section__article", "faq")


def promotion_for(query: str, today=None) -> PromotedResult | None:
    """The newest live promotion whose query means what this query means, if any."""
    wanted = readings(query)
    if not wanted:
        return None
    for promotion in live_promotions(today).order_by("-updated_at"):
        if readings(promotion.query) & wanted and promotion.target_is_public():
            return promotion
    return None


def recommendation(promotion: PromotedResult) -> Recommendation:
    """How a promotion is shown to readers."""
    target = promotion.target
    if isinstance(target, Section):
        return Recommendation("section", target.heading, target.get_absolute_url(),
                              target.article.title)
    if promotion.faq_id:
        return Recommendation("faq", target.question, target.get_absolute_url(), "")
    return Recommendation("article", target.title, target.get_absolute_url(), target.summary)


def recommended_for(query: str) -> Recommendation | None:
    """The "Recommended" result for a reader's query, if editors pinned one."""
    promotion = promotion_for(query)
    return recommendation(promotion) if promotion is not None else None
