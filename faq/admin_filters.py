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
