"""Content models: the validation and constraints an editor relies on."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from faq.markup import render_markup
from faq.models import (
    FAQ,
    Article,
    ArticleCitation,
    Citation,
    Section,
    Status,
    validate_partial_date,
)

DAY = datetime.date(2025, 6, 1)


def make_article(slug="cold-feet", **fields):
    values = {"title": slug.replace("-", " ").capitalize(), "summary": "About it.", **fields}
    return Article.objects.create(slug=slug, **values)


def make_section(article, slug="causes", **fields):
    values = {"heading": slug.capitalize(), "body": "Text.", **fields}
    return Section.objects.create(article=article, slug=slug, **values)


@pytest.mark.parametrize("value", ["2016", "2016-10", "2016-10-05", "1999-12-31", "n.d."])
def test_partial_date_accepts(value):
    validate_partial_date(value)


@pytest.mark.parametrize(
    "value", ["", "16", "2016-13", "2016-00", "2016-10-32", "2016/10", "nd", "n.d", "2016-1"]
)
def test_partial_date_rejects(value):
    with pytest.raises(ValidationError):
        validate_partial_date(value)


def test_citation_full_clean_rejects_bad_date(db):
    citation = Citation(title="A page", date_published="October 2016")
    with pytest.raises(ValidationError) as caught:
        citation.full_clean()
    assert "date_published" in caught.value.message_dict


def test_review_due_before_last_review_fails_validation(db):
    article = Article(title="Gout", slug="gout", summary="x", last_reviewed=DAY,
                      next_review_due=DAY - datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as caught:
        article.full_clean()
    assert "next_review_due" in caught.value.message_dict


def test_review_due_before_last_review_is_refused_by_the_database(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(last_reviewed=DAY, next_review_due=DAY - datetime.timedelta(days=1))


def test_review_due_on_the_review_day_is_allowed(db):
    article = Article(title="Gout", slug="gout", summary="x", last_reviewed=DAY,
                      next_review_due=DAY)
    article.full_clean()


def test_duplicate_article_slug(db):
    make_article()
    with pytest.raises(ValidationError):
        Article(title="Other", slug="cold-feet", summary="x").full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article()


def test_duplicate_faq_slug(db):
    FAQ.objects.create(question="Why?", slug="why", answer="Because.")
    with pytest.raises(IntegrityError), transaction.atomic():
        FAQ.objects.create(question="Why again?", slug="why", answer="Because.")


def test_section_anchor_unique_within_an_article_only(db):
    first, second = make_article(), make_article(slug="gout")
    make_section(first)
    make_section(second)  # the same anchor on another article is fine
    duplicate = Section(article=first, slug="causes", heading="More causes", body="x")
    with pytest.raises(ValidationError) as caught:
        duplicate.full_clean()
    assert "already uses this anchor" in str(caught.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_published_and_due_for_review_querysets(db):
    live = make_article(status=Status.PUBLISHED, next_review_due=DAY)
    make_article(slug="draft", status=Status.DRAFT, next_review_due=DAY)
    later = make_article(slug="later", status=Status.PUBLISHED,
                         next_review_due=DAY + datetime.timedelta(days=1))
    make_article(slug="undated", status=Status.PUBLISHED)
    assert set(Article.objects.published()) == {live, later, Article.objects.get(slug="undated")}
    due = Article.objects.published().due_for_review(on=DAY)
    assert list(due) == [live]
    assert set(Article.objects.due_for_review(on=DAY + datetime.timedelta(days=1))) == {
        live, later, Article.objects.get(slug="draft")
    }


def test_faq_published_queryset(db):
    public = FAQ.objects.create(question="A?", slug="a", answer="x", status=Status.PUBLISHED)
    FAQ.objects.create(question="B?", slug="b", answer="x", status=Status.IN_REVIEW)
    assert list(FAQ.objects.published()) == [public]


def test_faq_section_must_belong_to_its_article(db):
    section = make_section(make_article())
    other = make_article(slug="gout")
    faq = FAQ(question="Why?", slug="why", answer="x", article=other, section=section)
    with pytest.raises(ValidationError) as caught:
        faq.full_clean()
    assert "section" in caught.value.message_dict


def test_faq_section_alone_fills_in_its_article(db):
    section = make_section(make_article())
    faq = FAQ(question="Why?", slug="why", answer="x", section=section)
    faq.full_clean()
    assert faq.article_id == section.article_id


def test_published_faq_needs_answer_or_source(db):
    faq = FAQ(question="Why?", slug="why", answer="  ", status=Status.PUBLISHED)
    with pytest.raises(ValidationError) as caught:
        faq.full_clean()
    assert "answer" in caught.value.message_dict
    faq.source_url = "https://example.org/why"
    faq.full_clean()


def test_publishing_sets_published_date_and_needs_a_section(db):
    article = make_article()
    assert article.publish_problems() == ["A published article needs at least one section."]
    make_section(article)
    assert article.publish_problems() == []
    article.status = Status.PUBLISHED
    article.full_clean()
    assert article.published_date is not None


def test_helpers_for_pages(db):
    article = make_article(also_called="numb feet\n\n  pins and needles \n")
    section = make_section(article, slug="posture")
    assert article.also_called_list() == ["numb feet", "pins and needles"]
    assert section.get_absolute_url() == "/articles/cold-feet/#posture"
    citation = Citation(authors="Huizen, Jennifer\n\nSmith,  Ann B.\nWHO", title="t")
    assert citation.author_list() == [("Huizen", "Jennifer"), ("Smith", "Ann B."), ("WHO", "")]


def test_ordered_citations_follow_the_stated_order(db):
    article, other = make_article(), make_article(slug="gout")
    second = Citation.objects.create(title="A second")
    first = Citation.objects.create(title="B first")
    ArticleCitation.objects.create(article=article, citation=second, order=2)
    ArticleCitation.objects.create(article=article, citation=first, order=1)
    # The same citation used by another article must not duplicate or reorder this list.
    ArticleCitation.objects.create(article=other, citation=first, order=9)
    ArticleCitation.objects.create(article=other, citation=second, order=0)
    assert list(article.ordered_citations()) == [first, second]


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("Hi <script>alert(1)</script>", "<script"),
        ('<img src="x" onerror="alert(1)">', "onerror"),
        ('<img src="x" onerror="alert(1)">', "<img"),
        ("[click](javascript:alert(1))", "javascript:"),
        ('<a href="javascript:alert(1)">click</a>', "javascript:"),
        ('<p onclick="steal()">x</p>', "onclick"),
        ("<iframe src='https://evil.example'></iframe>", "<iframe"),
    ],
)
def test_markup_removes_anything_executable(source, forbidden):
    assert forbidden not in render_markup(source).lower()


def test_markup_keeps_the_small_safe_set(db):
    html = render_markup("**Bold**, *it*, [NHS](https://www.nhs.uk)\n\n- one\n- two")
    assert "<strong>Bold</strong>" in html and "<em>it</em>" in html
    assert '<a href="https://www.nhs.uk" rel="noopener noreferrer">NHS</a>' in html
    assert "<ul>" in html and "<li>one</li>" in html
    section = Section(body="<script>x</script>Plain")
    assert "<script" not in section.body_html()
    faq = FAQ(answer='<img src=x onerror="a()">Yes')
    assert "onerror" not in faq.answer_html() and "Yes" in faq.answer_html()
