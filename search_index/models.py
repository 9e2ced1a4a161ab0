"""Search configuration editors maintain, the index change queue, and the query log.

No Whoosh here: these are plain database tables that the index layer reads.
"""
from django.db import models


class Synonym(models.Model):
    """A lay phrase readers type, mapped to the clinical terms our content uses."""

    phrase = models.CharField(
        max_length=200, unique=True, help_text="What readers type, e.g. 'pins and needles'."
    )
    terms = models.TextField(
        help_text="Clinical terms it means, one per line, e.g. 'paresthesia'."
    )
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["phrase"]

    def __str__(self) -> str:
        return self.phrase

    def term_list(self) -> list[str]:
        return [t.strip() for t in self.terms.splitlines() if t.strip()]


class UrgentCareRule(models.Model):
    """Phrases that mean a reader may need emergency or urgent care now."""

    class Level(models.TextChoices):
        EMERGENCY = "emergency", "Call emergency services"
        URGENT = "urgent", "Get urgent care"

    name = models.CharField(max_length=200, unique=True)
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.EMERGENCY)
    patterns = models.TextField(
        help_text=(
            "One pattern per line. A pattern matches when all its words appear in the query "
            "(in any order); separate alternatives for one word with '|', e.g. "
            "'sudden numb|numbness one|side'."
        )
    )
    message = models.TextField(help_text="What the banner tells the reader to do.")
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["level", "name"]

    def __str__(self) -> str:
        return self.name

    def pattern_list(self) -> list[str]:
        return [p.strip() for p in self.patterns.splitlines() if p.strip()]


class IndexChange(models.Model):
    """A change to indexed content, written in the same transaction as the content itself.

    One writer drains this queue into Whoosh, so no save can be lost to a lock or a crash.
    """

    model = models.CharField(max_length=50)
    object_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    applied_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["applied_at", "id"], name="indexchange_pending")]

    def __str__(self) -> str:
        return f"{self.model}:{self.object_id}"


class SearchQueryLog(models.Model):
    """One search as readers made it (no IP or user), for the search-terms report."""

    query = models.CharField(max_length=256, db_index=True)
    results = models.PositiveIntegerField()
    took_ms = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.query
