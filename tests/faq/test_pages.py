"""Public reader pages: what renders, what stays private, and the structure readers rely on."""
import datetime
from html.parser import HTMLParser

import pytest
from django.template.loader import get_template
from django.test import RequestFactory
from django.utils import timezone
from django.views.defaults import server_error

from faq import views
from faq.citations import cite_page_apa, cite_page_mla
from faq.models import FAQ, Article, Citation, Section, SectionCitation, Status

SEED_URL = "/articles/numb-legs-and-feet/"


class PageOutline(HTMLParser):
    """Headings, element ids, links and forms of a page, enough to check its structure."""

    def __init__(self):
        super().__init__()
        self.headings, self.ids, self.links, self.forms, self.inputs = [], [], [], [], []
        self.toc_links, self._in_toc = [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self.headings.append(int(tag[1]))
        elif tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])
            if self._in_toc:
                self.toc_links.append(attrs["href"])
        elif tag == "form":
            self.forms.append(attrs)
        elif tag == "input":
            self.inputs.append(attrs)
        elif tag == "nav" and "toc" in attrs.get("class", ""):
            self._in_toc = True

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_toc = False


def outline(response):
    parser = PageOutline()
    parser.feed(response.content.decode())
    return parser


def assert_well_formed_page(response):
    """One h1, headings never skip a level, ids unique, and the header search goes to /search/."""
    page = outline(response)
    assert page.headings.count(1) == 1
    assert page.headings[0] == 1
    for before, after in zip(page.headings, page.headings[1:], strict=False):
        assert after <= before + 1, page.headings
    assert len(page.ids) == len(set(page.ids)), "duplicate ids"
    assert {"action": "/search/", "method": "get", "class": "header-search", "role": "search"} in (
        page.forms
    )
    assert any(i.get("name") == "q" and i.get("type") == "search" for i in page.inputs)
    assert "main" in page.ids
    return page


def make_article(title="Cold feet", status=Status.PUBLISHED, **fields):
    values = {
        "slug": title.lower().replace(" ", "-"),
        "summary": f"About {title.lower()}.",
        "published_date": datetime.date(2025, 1, 10),
        **fields,
    }
    return Article.objects.create(title=title, status=status, **values)


def make_section(article, heading="Causes", **fields):
    values = {"slug": heading.lower().replace(" ", "-"), "body": "Some **text**.", **fields}
    return Section.objects.create(article=article, heading=heading, **values)


def make_faq(question="Why are my feet cold?", status=Status.PUBLISHED, **fields):
    values = {
        "slug": question.lower().strip("?").replace(" ", "-"),
        "answer": "Often poor circulation.",
        **fields,
    }
    return FAQ.objects.create(question=question, status=status, **values)


@pytest.fixture
def client_no_debug(client, settings):
    settings.DEBUG = False
    return client


# Seed content: every public page renders.

@pytest.mark.parametrize("url", ["/", "/topics/", "/topics/?letter=W", "/faqs/",
                                 "/faqs/?article=numb-legs-and-feet", SEED_URL])
def test_public_pages_render_with_seed(client, seed, url):
    response = client.get(url)
    assert response.status_code == 200
    assert_well_formed_page(response)


def test_every_seed_faq_page_renders(client, seed):
    faqs = FAQ.objects.published()
    assert faqs.count() >= 12
    for faq in faqs:
        response = client.get(faq.get_absolute_url())
        assert response.status_code == 200, faq.slug
        assert_well_formed_page(response)
        assert f"<h1>{faq.question}</h1>".encode() in response.content


def test_home_has_search_examples_and_a_to_z(client, seed):
    response = client.get("/")
    html = response.content.decode()
    assert '<label for="home-q">Describe your symptoms</label>' in html
    assert 'href="/search/?q=numb%20feet"' in html
    assert 'href="#letter-W"' in html
    assert 'id="letter-W"' in html
    assert f'href="{SEED_URL}"' in html
    assert "Recently reviewed" in html


def test_seed_article_toc_links_every_section_anchor(client, seed):
    response = client.get(SEED_URL)
    page = outline(response)
    slugs = list(Section.objects.filter(article__slug="numb-legs-and-feet").values_list(
        "slug", flat=True))
    assert len(slugs) >= 12
    assert page.toc_links[: len(slugs)] == [f"#{slug}" for slug in slugs]
    for href in page.toc_links:
        assert href[1:] in page.ids, href


def test_seed_article_shows_review_facts_and_references(client, seed):
    html = client.get(SEED_URL).content.decode()
    article = Article.objects.get(slug="numb-legs-and-feet")
    assert "Not yet reviewed by a clinician, last reviewed <time" in html
    assert f', next review due <time datetime="{article.next_review_due.isoformat()}">' in html
    assert "<strong>Also called:</strong> numb legs" in html
    for number in range(1, article.citations.count() + 1):
        assert f'id="ref-{number}"' in html
        assert f'href="#ref-{number}"' in html
    assert "Review overdue" not in html


def test_seed_article_cite_box(client, seed):
    html = client.get(SEED_URL).content.decode()
    article = Article.objects.get(slug="numb-legs-and-feet")
    url = "http://testserver" + SEED_URL
    today = timezone.localdate()
    assert "<h2>Cite this page</h2>" in html
    assert f"<dd>{cite_page_mla(article, url, today)}</dd>" in html
    assert f"<dd>{cite_page_apa(article, url, today)}</dd>" in html
    assert f"Accessed {today.day} " in html


# Only published content is public.

@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW])
def test_unpublished_article_and_faq_are_not_found(client_no_debug, db, status):
    article = make_article(status=status)
    make_section(article)
    faq = make_faq(status=status)
    assert client_no_debug.get(article.get_absolute_url()).status_code == 404
    assert client_no_debug.get(faq.get_absolute_url()).status_code == 404
    for url in ["/", "/topics/?letter=C", "/faqs/"]:
        html = client_no_debug.get(url).content.decode()
        assert article.get_absolute_url() not in html
        assert faq.get_absolute_url() not in html


def test_faq_of_a_draft_article_neither_links_to_it_nor_names_it(client, db):
    article = make_article(title="Secret draft", status=Status.DRAFT)
    faq = make_faq(article=article)
    make_faq(question="What is gout?", article=make_article(title="Gout"))
    for url in [faq.get_absolute_url(), "/faqs/"]:
        html = client.get(url).content.decode()
        assert article.get_absolute_url() not in html and "Secret draft" not in html
    listing = client.get("/faqs/").content.decode()
    assert listing.index("Gout</a></h2>") < listing.index("<h2>Other questions</h2>")


def test_friendly_404_for_unknown_slug(client_no_debug, db):
    response = client_no_debug.get("/articles/no-such-thing/")
    assert response.status_code == 404
    assert b"We could not find that page" in response.content
    assert_well_formed_page(response)


def test_500_template_renders_standalone():
    html = get_template("500.html").render()
    assert "Sorry, something went wrong" in html
    assert "{%" not in html
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"in an emergency call your local emergency number" in response.content.lower()


# Article details.

def test_article_sections_references_and_safe_markup(client, db):
    article = make_article(medical_reviewer="Dr Ana Reyes", author="Jennifer Huizen")
    cited = Citation.objects.create(title="Cold hands and feet", container_title="Heart Site",
                                    date_published="2020-02", url="https://example.org/cold")
    first = make_section(article, heading="Causes", order=1,
                         body="Hi <script>alert(1)</script> [x](javascript:alert(1))")
    make_section(article, heading="Treatment", order=2)
    SectionCitation.objects.create(section=first, citation=cited)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<script>" not in html and "javascript:" not in html
    assert '<section class="section section-other" id="causes">' in html
    assert '<a href="#treatment">Treatment</a>' in html
    assert "Dr Ana Reyes" in html and "Not yet reviewed" not in html
    # A source cited only by a section still gets a number in the reference list.
    assert '<li id="ref-1"><i>Cold hands and feet</i>. (2020, February). Heart Site.' in html
    assert '<a class="url" href="https://example.org/cold">' in html
    assert "Huizen, J. (2025, January 10). <i>Cold feet</i>. Symptom Search." in html


def test_overdue_review_is_announced(client, db):
    today = timezone.localdate()
    article = make_article(last_reviewed=today - datetime.timedelta(days=400),
                           next_review_due=today - datetime.timedelta(days=35))
    make_section(article)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Review overdue:" in html


def test_imported_topic_shows_source_box(client, db):
    article = make_article(source_name="MedlinePlus", source_url="https://medlineplus.gov/x",
                           attribution="Courtesy of the U.S. National Library of Medicine.")
    make_section(article)
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<h2 id="source-heading">Source</h2>' in html
    assert '<a href="https://medlineplus.gov/x" rel="noopener">MedlinePlus</a>' in html
    assert "Courtesy of the U.S. National Library of Medicine." in html


# FAQ pages.

def test_faq_without_answer_points_to_source(client, db):
    faq = make_faq(answer="", source_name="NIDDK", source_url="https://example.gov/q",
                   attribution="Public domain.")
    html = client.get(faq.get_absolute_url()).content.decode()
    assert "The answer to this question is on the source website" in html
    assert '<a href="https://example.gov/q" rel="noopener">NIDDK</a>' in html
    assert "Public domain." in html


def test_faq_links_to_its_article_section(client, db):
    article = make_article()
    section = make_section(article, heading="Poor circulation")
    faq = make_faq(article=article, section=section, last_reviewed=datetime.date(2025, 3, 1),
                   source_name="Symptom Search")
    html = client.get(faq.get_absolute_url()).content.decode()
    assert 'id="source-heading"' not in html  # our own content needs no source box
    assert f'href="{article.get_absolute_url()}#poor-circulation"' in html
    assert "1 March 2025" in html
    assert "<p>Often poor circulation.</p>" in html


def test_faq_list_filters_by_article_and_rejects_unknown(client, db):
    cold = make_article()
    make_faq(article=cold)
    make_faq(question="What is gout?", article=make_article(title="Gout"))
    html = client.get(f"/faqs/?article={cold.slug}").content.decode()
    assert "Why are my feet cold?" in html and "What is gout?" not in html
    assert client.get("/faqs/?article=nothing-here").status_code == 404


# A to Z at scale and pagination.

def test_home_limits_each_letter_and_links_to_the_full_list(client, db):
    Article.objects.bulk_create([
        Article(title=f"Back pain {n:02}", slug=f"back-pain-{n:02}", summary=".",
                status=Status.PUBLISHED)
        for n in range(12)
    ])
    html = client.get("/").content.decode()
    assert html.count('href="/articles/back-pain-') == views.TOPICS_PER_LETTER_ON_HOME
    assert 'href="/topics/?letter=B">All 12 topics under B</a>' in html
    assert '<span>Z</span>' in html
    letter_page = client.get("/topics/?letter=b").content.decode()
    assert letter_page.count('href="/articles/back-pain-') == 12


def test_topics_paginate_with_orphans_and_bad_input_is_404(client, db):
    count = views.TOPICS_PER_PAGE + 10
    Article.objects.bulk_create([
        Article(title=f"Ache {n:03}", slug=f"ache-{n:03}", summary=".", status=Status.PUBLISHED)
        for n in range(count)
    ])
    first = client.get("/topics/?letter=A")
    assert first.context["page"].paginator.num_pages == 2
    assert 'href="?letter=A&amp;page=2" rel="next"' in first.content.decode()
    second = client.get("/topics/?letter=A&page=2")
    assert len(second.context["page"].object_list) == 10
    for bad in ["/topics/?letter=A&page=3", "/topics/?page=abc", "/topics/?letter=AB",
                "/faqs/?page=0"]:
        assert client.get(bad).status_code == 404, bad


def test_titles_starting_with_digits_file_under_hash(client, db):
    make_article(title="5th toe pain", slug="fifth-toe")
    html = client.get("/").content.decode()
    assert 'id="letter-other"' in html
    assert '<span class="visually-hidden">Numbers and symbols </span>#</a>' in html
    other = client.get("/topics/?letter=%23").content.decode()
    assert "/articles/fifth-toe/" in other
    assert 'href="/topics/?letter=%23" aria-current="page">' in other


def test_home_and_article_queries_do_not_grow_with_content(
    client, seed, django_assert_max_num_queries
):
    Article.objects.bulk_create([
        Article(title=f"{letter}topic {n}", slug=f"{letter.lower()}topic-{n}", summary=".",
                status=Status.PUBLISHED)
        for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ1" for n in range(10)
    ])
    with django_assert_max_num_queries(4):
        assert client.get("/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(SEED_URL).status_code == 200
