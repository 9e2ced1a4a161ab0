"""The editorial workflow around content: editors' drafts of live pages, promoted results."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from .models import FAQ, Article, ReviewerProfile, SavedWithItsSignals, Section, Status


class Draft(models.Model):
    """An editor's unpublished change to a live article, section or FAQ.

    The live row stays as a reviewer approved it, so readers and search see the approved
    version; the draft holds the edited field values until a reviewer publishes or discards it.
    """

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.PositiveIntegerField()
    data = models.JSONField(help_text="The edited fields, as their form values.")
    reason = models.CharField(max_length=100, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="one_draft_per_object"
            )
        ]

    def __str__(self) -> str:
        return f"Draft of {self.content_type.name} {self.object_id}"


class PromotedResult(SavedWithItsSignals):
    """A page editors pin as the first result, marked "Recommended", for a query's meaning."""

    query = models.CharField(
        max_length=200,
        help_text="What readers search for. Matched as search reads it (word endings, "
        "common words and the glossary's synonyms), not only as typed.",
    )
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    faq = models.ForeignKey(
        FAQ, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name="FAQ",
    )
    starts_on = models.DateField(null=True, blank=True, help_text="Empty: from publication.")
    ends_on = models.DateField(null=True, blank=True, help_text="Empty: until withdrawn.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    signed_off_by = models.ForeignKey(
        ReviewerProfile, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["query"]
        permissions = [("publish_promotedresult", "Can publish promoted results")]

    def __str__(self) -> str:
        return f"“{self.query}” → {self.target}"

    @property
    def target(self):
        """The pinned article, section or FAQ."""
        return self.section or self.faq or self.article

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    def target_is_public(self) -> bool:
        """Whether readers can open the pinned page now."""
        target = self.target
        if isinstance(target, Section):
            return target.article.is_published
        return target is not None and target.is_published

    def clean(self) -> None:
        pinned = [f for f in ("article", "section", "faq") if getattr(self, f"{f}_id")]
        if len(pinned) != 1:
            raise ValidationError("Pin exactly one page: an article, a section or an FAQ.")
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The end date is before the start date."})
        if self.status == Status.PUBLISHED and not self.target_is_public():
            raise ValidationError("Pin a published page: readers cannot open a draft.")
