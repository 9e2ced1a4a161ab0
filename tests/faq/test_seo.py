"""sitemap.xml, robots.txt and the article JSON-LD as search engines read them."""
import json
import re
import xml.etree.ElementTree as ET  # noqa: S405 - parsing our own responses

import pytest

from faq import seo_views
from faq.models import FAQ, Article, Status

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
SEED_URL = "/articles/numb-legs-and-feet/"
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)

pytestmark = pytest.mark.django_db


def locations(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return [el.text for el in ET.fromstring(response.content).iter()  # noqa: S314
            if el.tag.endswith("loc")]


def sitemap_urls(client):
    urls = []
    for page in locations(client, "/sitemap.xml"):
        urls += locations(client, page.removeprefix("http://testserver"))
    return urls


def test_sitemap_lists_published_article_and_faqs(client, seed):
    urls = sitemap_urls(client)
    assert f"http://testserver{SEED_URL}" in urls
    published = FAQ.objects.published()
    assert published.count() > 5
    for faq in published:
        assert f"http://testserver{faq.get_absolute_url()}" in urls


def test_sitemap_leaves_out_drafts(client, seed):
    faq = FAQ.objects.published().first()
    faq.status = Status.DRAFT
    faq.save()
    assert f"http://testserver{faq.get_absolute_url()}" not in sitemap_urls(client)


def test_sitemap_splits_into_pages(client, seed, monkeypatch):
    monkeypatch.setattr(seo_views, "URLS_PER_SITEMAP", 5)
    pages = locations(client, "/sitemap.xml")
    faq_pages = [p for p in pages if "sitemap-faqs-" in p]
    assert len(faq_pages) == -(-FAQ.objects.published().count() // 5)
    published = FAQ.objects.published().count() + Article.objects.published().count()
    assert len(sitemap_urls(client)) == published
    assert client.get("/sitemap-faqs-99.xml").status_code == 404
    assert client.get("/sitemap-nothing-1.xml").status_code == 404


def test_robots_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /search/" in lines


def json_ld(client, url):
    html = client.get(url).content.decode()
    blocks = JSON_LD.findall(html)
    assert len(blocks) == 1
    return json.loads(blocks[0]), blocks[0]


def test_hostile_title_cannot_leave_the_script_block(client, seed):
    hostile = '</script><script>alert("x")</script><!--'
    Article.objects.filter(slug="numb-legs-and-feet").update(
        title=hostile, also_called="a & b\n</SCRIPT>"
    )
    data, raw = json_ld(client, SEED_URL)
    assert "<" not in raw and ">" not in raw
    assert data["name"] == hostile
    assert data["about"]["alternateName"] == ["a & b", "</SCRIPT>"]


def test_reviewer_only_when_recorded(client, seed, django_capture_on_commit_callbacks):
    article = Article.objects.get(slug="numb-legs-and-feet")
    article.medical_reviewer = ""
    with django_capture_on_commit_callbacks(execute=True):
        article.save()
    data, _ = json_ld(client, SEED_URL)
    assert "reviewedBy" not in data
    article.medical_reviewer = "Dr A. Example"
    with django_capture_on_commit_callbacks(execute=True):
        article.save()
    data, _ = json_ld(client, SEED_URL)
    assert data["reviewedBy"] == {"@type": "Person", "name": "Dr A. Example"}
    assert data["lastReviewed"]


def test_faq_page_carries_its_question_and_answer(client, seed):
    faq = FAQ.objects.published().exclude(answer="").first()
    data, raw = json_ld(client, faq.get_absolute_url())
    assert data["@type"] == "FAQPage"
    assert data["url"] == f"http://testserver{faq.get_absolute_url()}"
    [question] = data["mainEntity"]
    assert question["name"] == faq.question
    text = question["acceptedAnswer"]["text"]
    assert text and "<" not in text  # plain text, markup removed
    assert text.split()[0] in faq.answer


def test_faq_answered_elsewhere_has_no_faq_markup(client, seed):
    faq = FAQ.objects.published().first()
    FAQ.objects.filter(pk=faq.pk).update(answer="", source_url="https://example.org/a")
    html = client.get(faq.get_absolute_url()).content.decode()
    assert JSON_LD.findall(html) == []
