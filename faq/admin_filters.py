"""Changelist filters editors use to plan their work."""
from datetime import timedelta

from django.contrib import admin
from django.utils import timezone

# How far ahead "due soon" looks; a month gives reviewers time to book a clinician.
DUE_SOON_DAYS = 30


class ReviewDueFilter(admin.SimpleListFilter):
    """Articles by where their next clinical review stands."""

    title = "review due"
    parameter_name = "review_due"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue (due today or earlier)"),
            ("soon", f"Due within {DUE_SOON_DAYS} days"),
            ("unscheduled", "Not scheduled"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.due_for_review(on=today)
        if self.value() == "soon":
            return queryset.filter(
                next_review_due__gt=today,
                next_review_due__lte=today + timedelta(days=DUE_SOON_DAYS),
            )
        if self.value() == "unscheduled":
            return queryset.filter(next_review_due__isnull=True)
        return queryset


class FAQArticleFilter(admin.SimpleListFilter):
    """FAQs of one article, or those attached to none.

    Imported collections hold thousands of articles, too many to list in a sidebar, so the
    choices are "no article" and the article already chosen; the FAQ list links each row's
    article to its filtered view.
    """

    title = "article"
    parameter_name = "article"
    NONE = "none"

    def lookups(self, request, model_admin):
        choices = [(self.NONE, "Not attached to an article")]
        chosen = self.value()
        if chosen and chosen.isdigit():
            article = model_admin.model._meta.get_field("article").related_model
            title = article.objects.filter(pk=chosen).values_list("title", flat=True).first()
            if title is not None:
                choices.append((chosen, title))
        return choices

    def queryset(self, request, queryset):
        chosen = self.value()
        if chosen == self.NONE:
            return queryset.filter(article__isnull=True)
        if chosen and chosen.isdigit():
            return queryset.filter(article_id=int(chosen))
        if chosen:
            return queryset.none()
        return queryset
