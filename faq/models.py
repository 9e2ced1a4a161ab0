"""Health content: articles made of sections, FAQs, and the citations behind them."""
import re
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .markup import render_markup

PARTIAL_DATE = re.compile(r"^(n\.d\.|\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?)$")


def validate_partial_date(value: str) -> None:
    """Accept YYYY, YYYY-MM, YYYY-MM-DD or 'n.d.' (no date), as references allow."""
    if not PARTIAL_DATE.match(value or ""):
        raise ValidationError(
            "Enter a date as YYYY, YYYY-MM or YYYY-MM-DD, or n.d. when the source has no date."
        )


class SavedWithItsSignals(models.Model):
    """A save whose post_save receivers run inside its transaction.

    Django sends post_save after an autocommit save has committed, so a receiver's writes (the
    search index's queue row) would commit apart from the content: a process killed between
    the two left a change that nothing would ever index. Deletes already send post_delete
    inside the deleting transaction.
    """

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using, savepoint=False):
            super().save(*args, **kwargs)


# Clinical content is reviewed yearly unless a reviewer sets another date.
REVIEW_INTERVAL = timedelta(days=365)


class ReviewerProfile(models.Model):
    """A clinician who signs off content: the name and credentials readers are shown."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviewer_profile"
    )
    name = models.CharField(max_length=200, help_text="As readers see it, e.g. 'Dr A. Patel'.")
    credentials = models.CharField(
        max_length=200, help_text="Qualifications and speciality, e.g. 'MB ChB, neurologist'."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.credentials}"


class SignedOff(models.Model):
    """Who last signed off a published version, and who last reviewed it clinically, when."""

    signed_off_by = models.ForeignKey(
        ReviewerProfile, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="The reviewer who approved the version readers see.",
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        ReviewerProfile, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="The reviewer who last checked the content clinically.",
    )

    class Meta:
        abstract = True

    def record_sign_off(self, reviewer: ReviewerProfile, publishing: bool) -> None:
        """A reviewer approved this version; publishing (not a correction) is also a review."""
        now = timezone.now()
        self.signed_off_by, self.signed_off_at = reviewer, now
        if publishing or self.last_reviewed is None:
            self.record_review(reviewer, timezone.localdate(now))

    def record_review(self, reviewer: ReviewerProfile, day) -> None:
        """A reviewer checked the content today: the review dates move, the text does not."""
        self.reviewed_by, self.last_reviewed = reviewer, day
        self.next_review_due = day + REVIEW_INTERVAL


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "review", "In review"
    PUBLISHED = "published", "Published"


class ContentQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)


class ReviewedQuerySet(ContentQuerySet):
    def due_for_review(self, on=None):
        on = on or timezone.localdate()
        return self.filter(next_review_due__lte=on)


class Citation(SavedWithItsSignals):
    """A structured reference that articles, sections and FAQs cite."""

    authors = models.TextField(
        blank=True,
        help_text="One author per line as 'Family, Given'. Leave empty for an organisation.",
    )
    title = models.CharField(max_length=500)
    container_title = models.CharField(
        "site or journal", max_length=300, blank=True, help_text="Website or journal name."
    )
    publisher = models.CharField(max_length=300, blank=True)
    date_published = models.CharField(
        max_length=10,
        default="n.d.",
        validators=[validate_partial_date],
        help_text="YYYY, YYYY-MM, YYYY-MM-DD, or n.d.",
    )
    url = models.URLField("URL", max_length=500, blank=True)
    date_accessed = models.DateField(null=True, blank=True)
    doi = models.CharField("DOI", max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.date_published})"

    def author_list(self) -> list[tuple[str, str]]:
        """Authors as (family, given) pairs, in the order written."""
        pairs = []
        for line in self.authors.splitlines():
            if line.strip():
                family, _, given = line.partition(",")
                pairs.append((family.strip(), given.strip()))
        return pairs


class Article(SignedOff, SavedWithItsSignals):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.TextField(help_text="One or two sentences shown under the title.")
    author = models.CharField(max_length=200, blank=True)
    medical_reviewer = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_date = models.DateField(null=True, blank=True)
    last_reviewed = models.DateField(null=True, blank=True)
    next_review_due = models.DateField(null=True, blank=True)
    also_called = models.TextField(
        blank=True, help_text="Other names readers use, one per line (searchable)."
    )
    source_name = models.CharField(
        max_length=200, blank=True, help_text="For imported topics: the collection it came from."
    )
    source_url = models.URLField(max_length=500, blank=True)
    attribution = models.TextField(
        blank=True, help_text="Licence credit shown on the page for imported content."
    )
    external_key = models.CharField(
        max_length=200, unique=True, null=True, blank=True, editable=False,
        help_text="Stable key of imported content (collection/document).",
    )
    citations = models.ManyToManyField(
        Citation, through="ArticleCitation", related_name="articles", blank=True
    )
    updated_at = models.DateTimeField(auto_now=True, db_index=True)  # fingerprints read Max

    objects = ReviewedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        permissions = [("publish_article", "Can publish articles")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(next_review_due__isnull=True)
                | models.Q(last_reviewed__isnull=True)
                | models.Q(next_review_due__gte=models.F("last_reviewed")),
                name="article_review_due_after_last_review",
                violation_error_message="Next review due cannot be before the last review.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("faq:article", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    def also_called_list(self) -> list[str]:
        return [t.strip() for t in self.also_called.splitlines() if t.strip()]

    def ordered_citations(self):
        return self.citations.order_by("articlecitation__order", "pk")

    def clean(self) -> None:
        errors = {}
        if (
            self.next_review_due
            and self.last_reviewed
            and self.next_review_due < self.last_reviewed
        ):
            errors["next_review_due"] = "Next review due cannot be before the last review."
        if self.status == Status.PUBLISHED and not self.published_date:
            self.published_date = timezone.localdate()
        if errors:
            raise ValidationError(errors)

    def publish_problems(self) -> list[str]:
        """Reasons this article cannot be published yet (empty when it can)."""
        from .publish_checks import article_problems

        if self.pk is None or not (self.sections.exists() or self.faqs.exists()):
            return ["A published article needs at least one section."]
        return article_problems(self, list(self.sections.all()))


class SectionKind(models.TextChoices):
    CAUSE = "cause", "Cause"
    SYMPTOMS = "symptoms", "Symptoms"
    TREATMENT = "treatment", "Treatment"
    SELF_CARE = "self_care", "Self-care"
    SEE_DOCTOR = "see_doctor", "When to see a doctor"
    OTHER = "other", "Other"


class Section(SavedWithItsSignals):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveIntegerField(default=0, db_index=True)
    heading = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, help_text="Anchor on the article page (#slug).")
    kind = models.CharField(max_length=12, choices=SectionKind.choices, default=SectionKind.OTHER)
    body = models.TextField(
        help_text="Markdown: paragraphs, **bold**, *italic*, lists and links. HTML is stripped."
    )
    citations = models.ManyToManyField(
        Citation, through="SectionCitation", related_name="sections", blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["article", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "slug"],
                name="section_slug_unique_in_article",
                violation_error_message="Another section of this article already uses this anchor.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article.title}: {self.heading}"

    def get_absolute_url(self) -> str:
        return f"{self.article.get_absolute_url()}#{self.slug}"

    @property
    def is_published(self) -> bool:
        return self.article.status == Status.PUBLISHED

    def body_html(self) -> str:
        return render_markup(self.body)


class FAQ(SignedOff, SavedWithItsSignals):
    question = models.CharField(max_length=500)
    slug = models.SlugField(max_length=200, unique=True)
    answer = models.TextField(
        blank=True,
        help_text="Markdown. Leave empty only for imported questions whose answer was withheld.",
    )
    article = models.ForeignKey(
        Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="faqs"
    )
    section = models.ForeignKey(
        Section, on_delete=models.SET_NULL, null=True, blank=True, related_name="faqs"
    )
    order = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    question_type = models.CharField(
        max_length=50, blank=True, help_text="e.g. causes, symptoms, treatment (from the source)."
    )
    source_name = models.CharField(max_length=200, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    attribution = models.TextField(
        blank=True, help_text="Licence credit shown on the page for imported content."
    )
    external_key = models.CharField(
        max_length=200, unique=True, null=True, blank=True, editable=False,
        help_text="Stable key of imported content (collection/document/question).",
    )
    citations = models.ManyToManyField(
        Citation, through="FAQCitation", related_name="faqs", blank=True
    )
    last_reviewed = models.DateField(null=True, blank=True)
    next_review_due = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)  # fingerprints read Max

    objects = ReviewedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "question"]
        verbose_name = "FAQ"
        verbose_name_plural = "FAQs"
        permissions = [("publish_faq", "Can publish FAQs")]

    def __str__(self) -> str:
        return self.question

    def get_absolute_url(self) -> str:
        return reverse("faq:faq", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    def answer_html(self) -> str:
        return render_markup(self.answer)

    def clean(self) -> None:
        if self.section_id and self.article_id and self.section.article_id != self.article_id:
            raise ValidationError({"section": "This section belongs to another article."})
        if self.section_id and not self.article_id:
            self.article_id = self.section.article_id
        if self.status == Status.PUBLISHED and not self.answer.strip() and not self.source_url:
            raise ValidationError({"answer": "A published FAQ needs an answer or a source link."})
        if self.status == Status.PUBLISHED:
            problems = self.publish_problems()
            if problems:
                raise ValidationError(problems)

    def publish_problems(self) -> list[str]:
        """Reasons this FAQ cannot be published yet (empty when it can)."""
        from .publish_checks import faq_problems

        return faq_problems(self)


class CitationLink(SavedWithItsSignals):
    """A citation cited by some content, in the order the content lists its references."""

    citation = models.ForeignKey(Citation, on_delete=models.PROTECT)
    order = models.PositiveIntegerField(default=0)

    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return str(self.citation)


class ArticleCitation(CitationLink):
    article = models.ForeignKey(Article, on_delete=models.CASCADE)

    class Meta(CitationLink.Meta):
        constraints = [
            models.UniqueConstraint(fields=["article", "citation"], name="article_cites_once")
        ]


class SectionCitation(CitationLink):
    section = models.ForeignKey(Section, on_delete=models.CASCADE)

    class Meta(CitationLink.Meta):
        constraints = [
            models.UniqueConstraint(fields=["section", "citation"], name="section_cites_once")
        ]


class FAQCitation(CitationLink):
    faq = models.ForeignKey(FAQ, on_delete=models.CASCADE)

    class Meta(CitationLink.Meta):
        constraints = [models.UniqueConstraint(fields=["faq", "citation"], name="faq_cites_once")]



# Editorial workflow rows that refer to the content above; importable from here.
from .editorial import Draft, PromotedResult  # noqa: E402,F401
from .generations import Generation  # noqa: E402,F401
