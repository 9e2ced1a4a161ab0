"""Search configuration editors maintain, the index change queue, and the query log.

No Whoosh here: these are plain database tables that the index layer reads.
"""
from django.db import models
from simple_history.models import HistoricalRecords


class SynonymManager(models.Manager):
    def get_by_natural_key(self, phrase: str) -> "Synonym":
        return self.get(phrase=phrase)


class Synonym(models.Model):
    """A lay phrase readers type, mapped to the clinical terms our content uses.

    Fixtures name rows by their phrase (natural_key), not by id, so loading the starter
    glossary updates its own phrases and never overwrites a row found in the content.
    """

    class Origin(models.TextChoices):
        EDITOR = "editor", "Written by an editor"
        MINED = "mined", "Found in the content (an abbreviation defined in a page)"

    phrase = models.CharField(
        max_length=200, unique=True, help_text="What readers type, e.g. 'pins and needles'."
    )
    terms = models.TextField(
        help_text="Clinical terms it means, one per line, e.g. 'paresthesia'."
    )
    active = models.BooleanField(
        default=True,
        help_text="Untick to stop using it. A found abbreviation unticked stays off: the "
        "content scan never turns it on again (deleting it would let the scan bring it back).",
    )
    origin = models.CharField(
        max_length=10,
        choices=Origin.choices,
        default=Origin.EDITOR,
        help_text="Found abbreviations follow the content until an editor changes them; "
        "then they are the editor's, and the content scan leaves them alone.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = SynonymManager()

    class Meta:
        ordering = ["phrase"]

    def __str__(self) -> str:
        return self.phrase

    def natural_key(self) -> tuple[str]:
        return (self.phrase,)

    def term_list(self) -> list[str]:
        return [t.strip() for t in self.terms.splitlines() if t.strip()]


class UrgentCareRule(models.Model):
    """Phrases that mean a reader, or someone with them, may be in danger now."""

    class Kind(models.TextChoices):
        CRISIS = "crisis", "Crisis: suicide or self-harm"
        POISON = "poison", "Poisoning or overdose"
        EMERGENCY = "emergency", "Medical emergency"
        URGENT = "urgent", "Urgent care today"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(
        max_length=10,
        choices=Kind.choices,
        default=Kind.EMERGENCY,
        help_text="Which help the banner offers: the phone numbers come from the site's "
        "region (settings URGENT_CARE).",
    )
    patterns = models.TextField(
        help_text=(
            "One pattern per line. A pattern matches when all its words appear close together "
            "in the query, in any order; separate alternatives for one word with '|', e.g. "
            "'sudden numb|numbness one|side'."
        )
    )
    unless = models.TextField(
        blank=True,
        help_text=(
            "Optional patterns, one per line, written the same way: when one of them is in "
            "the query the rule does not fire, e.g. 'prevention|prevent' for 'stroke "
            "prevention diet'."
        ),
    )
    message = models.TextField(
        help_text="What the banner tells the reader to do; the phone numbers are added."
    )
    results_query = models.CharField(
        max_length=200,
        blank=True,
        help_text=(
            "Words searched instead of the reader's, so that the results under the banner "
            "are support pages rather than what was typed (used for crisis rules)."
        ),
    )
    pinned_article = models.ForeignKey(
        "faq.Article",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="A published page shown first under the banner.",
    )
    pinned_faq = models.ForeignKey(
        "faq.FAQ",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="A published question shown first under the banner (after the page).",
    )
    source_name = models.CharField(
        max_length=200, blank=True, help_text="The public guidance this rule follows."
    )
    source_url = models.URLField(blank=True, max_length=500)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    def pattern_list(self) -> list[str]:
        return lines(self.patterns)

    def unless_list(self) -> list[str]:
        return lines(self.unless)


def lines(text: str) -> list[str]:
    """The non-blank lines of a text field, stripped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


class IndexChange(models.Model):
    """One entry of the change log: a row of indexed content changed.

    Written in the same transaction as the content itself, and in commit order (sync/queue.py),
    so every node's index can follow the log by position (IndexNode.position) and no save can
    be lost to a lock or a crash. `applied_at`, `attempts` and `last_error` tell when a node
    first applied the entry and how applying it last failed.
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


class IndexNode(models.Model):
    """A web node's own index (named by its host and SEARCH_INDEX_DIR) and how far it has
    applied the change log."""

    name = models.CharField(max_length=300, unique=True)
    position = models.BigIntegerField(
        default=0, help_text="The last change-log entry this node's index has applied."
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    seen_at = models.DateTimeField(
        null=True, blank=True, help_text="When this node's index last applied or polled."
    )
    rebuilt_at = models.DateTimeField(null=True, blank=True)
    needs_rebuild = models.BooleanField(
        default=False,
        help_text="Entries it had not applied were pruned: it rebuilds from the database.",
    )
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SearchQueryLog(models.Model):
    """One search as readers made it (no IP or user), for the search-terms report."""

    query = models.CharField(max_length=256, db_index=True)
    results = models.PositiveIntegerField()
    # The kind of urgent-care banner the search raised, if any (UrgentCareRule.Kind).
    urgent_kind = models.CharField(max_length=10, blank=True, default="")
    took_ms = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.query


class SearchResultClick(models.Model):
    """One opened result: the query as the search log keeps it, where it led, and its rank."""

    query = models.CharField(max_length=256, db_index=True)
    url = models.CharField(max_length=500)
    rank = models.PositiveIntegerField(help_text="1 for the first result; 0 for Recommended.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.query} → {self.url}"
