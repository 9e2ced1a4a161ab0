"""The seed article fixture: complete, valid, and written in the project's own words."""
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from faq.models import (
    FAQ,
    Article,
    ArticleCitation,
    Citation,
    FAQCitation,
    Section,
    SectionCitation,
    validate_partial_date,
)

SLUG = "numb-legs-and-feet"
SOURCE_TEXT = Path(settings.BASE_DIR).parent / "shared" / "seed" / "numb-legs-and-feet.txt"
CAUSE_SLUGS = {
    "posture",
    "injury",
    "diabetes",
    "lower-back-and-sciatica",
    "tarsal-tunnel-syndrome",
    "peripheral-artery-disease",
    "tumors-and-growths",
    "alcohol-use",
    "fibromyalgia",
    "multiple-sclerosis",
    "stroke-and-mini-stroke",
}
READER_SECTIONS = {
    "overview": "other",
    "other-symptoms": "symptoms",
    "treatment": "treatment",
    "home-remedies": "self_care",
    "alternative-therapies": "other",
    "when-to-see-a-doctor": "see_doctor",
}
SHINGLE = 8


@pytest.fixture
def article(db):
    """Only this fixture, so the test does not depend on the glossary fixture's progress."""
    call_command("loaddata", SLUG, verbosity=0)
    return Article.objects.get(slug=SLUG)


def words(text: str) -> list[str]:
    """Lower-cased words with punctuation stripped."""
    return re.findall(r"[a-z0-9]+", text.lower())


def shingles(text: str) -> set[tuple[str, ...]]:
    """Every run of SHINGLE consecutive words."""
    w = words(text)
    return {tuple(w[i : i + SHINGLE]) for i in range(len(w) - SHINGLE + 1)}


def test_article_is_published_and_reviewed(article):
    assert article.is_published
    assert Article.objects.published().filter(pk=article.pk).exists()
    assert article.publish_problems() == []
    assert article.next_review_due > article.last_reviewed
    assert article.medical_reviewer == ""
    assert {"pins and needles", "paresthesia", "dead leg"} <= set(article.also_called_list())


def test_every_cause_is_its_own_section(article):
    causes = article.sections.filter(kind="cause")
    assert set(causes.values_list("slug", flat=True)) == CAUSE_SLUGS
    headings = " | ".join(causes.values_list("heading", flat=True)).lower()
    for word in ("posture", "diabetes", "sciatica", "tarsal", "artery", "tumors", "alcohol",
                 "fibromyalgia", "multiple sclerosis", "stroke"):
        assert word in headings


def test_reader_sections_exist_with_their_kind(article):
    kinds = dict(article.sections.values_list("slug", "kind"))
    for slug, kind in READER_SECTIONS.items():
        assert kinds.get(slug) == kind, slug


def test_sections_are_ordered_with_unique_anchors(article):
    sections = list(article.sections.all())
    assert [s.order for s in sections] == list(range(1, len(sections) + 1))
    assert len({s.slug for s in sections}) == len(sections)
    assert sections[0].slug == "overview"
    assert sections[-1].slug == "when-to-see-a-doctor"


def test_section_and_faq_lengths_suit_a_reader(article):
    for section in article.sections.all():
        assert 80 <= len(words(section.body)) <= 220, section.slug
        html = section.body_html()
        assert html.startswith("<p>") and "**" not in html, section.slug
    for faq in article.faqs.all():
        assert 40 <= len(words(faq.answer)) <= 120, faq.slug


def test_stroke_section_gives_fast_and_calls_it_an_emergency(article):
    body = article.sections.get(slug="stroke-and-mini-stroke").body
    for letter in ("**Face**", "**Arms**", "**Speech**", "**Time**"):
        assert letter in body
    assert "emergency" in body.lower()
    assert "emergency" in article.sections.get(slug="when-to-see-a-doctor").body.lower()


def test_faqs_are_published_and_belong_to_a_section_of_the_article(article):
    faqs = FAQ.objects.published().filter(article=article)
    assert faqs.count() >= 12
    assert len(set(faqs.values_list("slug", flat=True))) == faqs.count()
    for faq in faqs:
        assert faq.section is not None and faq.section.article_id == article.pk, faq.slug
        assert faq.question.endswith("?")
    stroke = faqs.get(slug="numb-leg-stroke-sign")
    assert stroke.question_type == "emergency"


def test_citations_are_complete_with_valid_partial_dates(article):
    citations = list(article.ordered_citations())
    # The capture lists six references, but two are the same AHA page: five distinct plus
    # the source article itself.
    assert len(citations) == Citation.objects.count() == 6
    for citation in citations:
        validate_partial_date(citation.date_published)
    source = citations[-1]
    assert source.author_list() == [("Huizen", "Jennifer")]
    assert source.date_published == "2018-04-21"
    assert str(source.date_accessed) == "2019-09-06"
    assert not Citation.objects.exclude(sections=None).filter(articles=None).exists()


def test_every_row_passes_model_validation(article):
    for model in (Citation, Article, Section, FAQ, ArticleCitation, SectionCitation, FAQCitation):
        rows = list(model.objects.all())
        assert rows, model.__name__
        for row in rows:
            row.full_clean()


def test_no_sentence_is_copied_from_the_source(article):
    if not SOURCE_TEXT.exists():
        pytest.skip(f"source text not found at {SOURCE_TEXT}; cannot check originality")
    source = shingles(SOURCE_TEXT.read_text(encoding="utf-8"))
    texts = {f"section {s.slug}": s.body for s in article.sections.all()}
    texts |= {f"faq {f.slug}": f.answer for f in article.faqs.all()}
    copied = {name: sorted(shingles(text) & source) for name, text in texts.items()}
    assert {name: runs for name, runs in copied.items() if runs} == {}
