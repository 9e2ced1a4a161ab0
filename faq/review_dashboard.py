"""The review dashboard: what is overdue, due soon or recently reviewed, and drafts waiting."""
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from .admin_filters import DUE_SOON_DAYS
from .models import FAQ, Article, Draft, ReviewerProfile, Status

RECENT_DAYS = 30
ROWS = 100  # per list: a dashboard to act on, not an export


@dataclass(frozen=True)
class ReviewFilters:
    """What the dashboard is narrowed to: words of a topic's title, and a reviewer."""

    topic: str = ""
    reviewer_id: int | None = None

    @classmethod
    def from_query(cls, params) -> "ReviewFilters":
        """Filters from the query string; a reviewer id that is not a number is ignored."""
        reviewer = params.get("reviewer", "")
        return cls(
            topic=params.get("topic", "").strip()[:200],
            reviewer_id=int(reviewer) if reviewer.isdigit() else None,
        )


def narrowed(queryset, filters: ReviewFilters, topic_field: str):
    """The queryset narrowed to a topic (by title words) and a reviewer."""
    if filters.topic:
        queryset = queryset.filter(**{f"{topic_field}__icontains": filters.topic})
    if filters.reviewer_id:
        queryset = queryset.filter(reviewed_by_id=filters.reviewer_id)
    return queryset


def review_lists(filters: ReviewFilters, today=None) -> dict:
    """Published articles and FAQs overdue, due within 30 days, and reviewed in the last 30."""
    today = today or timezone.localdate()
    soon = today + timedelta(days=DUE_SOON_DAYS)
    lists = {}
    for name, condition, order in (
        ("overdue", Q(next_review_due__lte=today), "next_review_due"),
        ("due_soon", Q(next_review_due__gt=today, next_review_due__lte=soon), "next_review_due"),
        ("recent", Q(last_reviewed__gte=today - timedelta(days=RECENT_DAYS)), "-last_reviewed"),
    ):
        articles = narrowed(
            Article.objects.published().filter(condition), filters, "title"
        ).select_related("reviewed_by").order_by(order, "title")
        faqs = narrowed(
            FAQ.objects.published().filter(condition), filters, "article__title"
        ).select_related("reviewed_by", "article").order_by(order, "question")
        lists[name] = {"articles": list(articles[:ROWS]), "faqs": list(faqs[:ROWS]),
                       "count": articles.count() + faqs.count()}
    return lists


def overdue_count(today=None) -> int:
    """Published articles and FAQs whose review is overdue (the admin index shows it)."""
    today = today or timezone.localdate()
    return sum(
        model.objects.filter(status=Status.PUBLISHED, next_review_due__lte=today).count()
        for model in (Article, FAQ)
    )


def waiting_drafts() -> list[Draft]:
    """Editors' drafts of live pages, oldest first, each with the object it changes."""
    found = []
    for draft in Draft.objects.select_related("author", "content_type").order_by("updated_at"):
        model = draft.content_type.model_class()
        draft.target = model._default_manager.filter(pk=draft.object_id).first()
        if draft.target is None:
            continue  # its page was deleted since
        draft.url_name = f"admin:{model._meta.app_label}_{model._meta.model_name}_draft"
        found.append(draft)
    return found


def dashboard_context(params) -> dict:
    """Everything the dashboard page shows for these query parameters."""
    filters = ReviewFilters.from_query(params)
    return {
        "filters": filters,
        "lists": review_lists(filters),
        "reviewers": ReviewerProfile.objects.all(),
        "drafts": waiting_drafts(),
        "due_soon_days": DUE_SOON_DAYS,
        "recent_days": RECENT_DAYS,
    }
