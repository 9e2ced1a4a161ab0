"""What search engines and printers get: JSON-LD, canonical and Open Graph, print styles."""
import json
import re

import pytest

from faq.models import FAQ

from .helpers import SEED_ARTICLE, screenshot

pytestmark = [pytest.mark.slow, pytest.mark.browser]

REQUIRED_KEYS = {
    "@context", "@type", "name", "url", "lastReviewed", "about", "citation", "datePublished",
    "author",
}


def test_article_json_ld_parses_with_required_keys(site, page):
    page.goto(site + SEED_ARTICLE)
    blocks = page.locator('script[type="application/ld+json"]')
    assert blocks.count() == 1
    data = json.loads(blocks.text_content())
    assert REQUIRED_KEYS <= data.keys(), sorted(data)
    assert data["@type"] == "MedicalWebPage"
    assert data["url"] == site + SEED_ARTICLE
    assert data["name"] == page.locator("h1").inner_text()
    assert data["about"]["@type"] == "MedicalCondition"
    assert data["about"]["alternateName"]
    written_by = page.locator("dl.meta dt:text-is('Written by') + dd").inner_text()
    assert data["author"]["name"] == written_by
    cited = [c["name"] for c in data["citation"]]
    assert len(cited) == page.locator("#page-references li").count()
    review_line = page.locator("p.review-line").inner_text()
    if review_line.startswith("Not yet reviewed"):
        assert "reviewedBy" not in data
    else:
        assert review_line.startswith(f"Medically reviewed by {data['reviewedBy']['name']}")
    canonical = page.locator('link[rel="canonical"]').get_attribute("href")
    assert canonical == data["url"]
    assert page.locator('meta[property="og:url"]').get_attribute("content") == canonical
    assert page.locator('meta[property="og:title"]').get_attribute("content") == data["name"]


def test_print_hides_search_and_keeps_references(site, page):
    page.goto(site + SEED_ARTICLE)
    page.emulate_media(media="print")
    assert not page.locator(".header-search").is_visible()
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".toc").is_visible()  # page links mean nothing on paper
    references = page.locator("#page-references")
    assert references.is_visible()
    assert page.locator("#page-references li").first.is_visible()
    assert page.locator(".section").first.is_visible()
    screenshot(page, "article-print")


def test_robots_leads_to_a_sitemap_with_the_article_and_faqs(site, page):
    robots = page.request.get(site + "/robots.txt")
    assert robots.ok
    sitemap = re.search(r"^Sitemap: (\S+)$", robots.text(), re.MULTILINE).group(1)
    assert sitemap == site + "/sitemap.xml"
    listed = []
    for part in re.findall(r"<loc>([^<]+)</loc>", page.request.get(sitemap).text()):
        listed += re.findall(r"<loc>([^<]+)</loc>", page.request.get(part).text())
    assert site + SEED_ARTICLE in listed
    faqs = [site + faq.get_absolute_url() for faq in FAQ.objects.published()]
    assert faqs and set(faqs) <= set(listed)
