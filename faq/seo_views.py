"""sitemap.xml (an index of sitemap pages) and robots.txt, for search engines.

Imported collections hold tens of thousands of questions and one sitemap may list at most
50,000 addresses, so /sitemap.xml is an index of numbered pages per kind of content.
"""
from xml.sax.saxutils import escape

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from .models import FAQ, Article

URLS_PER_SITEMAP = 10_000
SITEMAP_KINDS = {
    "articles": (Article, "faq:article", "last_reviewed"),
    "faqs": (FAQ, "faq:faq", "last_reviewed"),
}
XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def xml_response(body: str) -> HttpResponse:
    response = HttpResponse(XML_HEAD + body, content_type="application/xml; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    return response


def page_count(kind: str) -> int:
    model = SITEMAP_KINDS[kind][0]
    total = model.objects.published().count()
    return max(1, -(-total // URLS_PER_SITEMAP))


@require_GET
def sitemap_index(request):
    """The sitemap index: one entry per page of each kind of content."""
    entries = []
    for kind in SITEMAP_KINDS:
        for page in range(1, page_count(kind) + 1):
            path = reverse("faq:sitemap_page", kwargs={"kind": kind, "page": page})
            loc = escape(request.build_absolute_uri(path))
            entries.append(f"<sitemap><loc>{loc}</loc></sitemap>")
    body = f'<sitemapindex xmlns="{SITEMAP_NS}">\n' + "\n".join(entries) + "\n</sitemapindex>\n"
    return xml_response(body)


@require_GET
def sitemap_page(request, kind, page):
    """One page of published addresses, with the date each was last reviewed."""
    if kind not in SITEMAP_KINDS or not 1 <= page <= page_count(kind):
        raise Http404("No such sitemap.")
    model, url_name, date_field = SITEMAP_KINDS[kind]
    rows = model.objects.published().order_by("pk").values_list("slug", date_field)
    start = (page - 1) * URLS_PER_SITEMAP
    entries = []
    for slug, reviewed in rows[start:start + URLS_PER_SITEMAP]:
        loc = escape(request.build_absolute_uri(reverse(url_name, kwargs={"slug": slug})))
        lastmod = f"<lastmod>{reviewed.isoformat()}</lastmod>" if reviewed else ""
        entries.append(f"<url><loc>{loc}</loc>{lastmod}</url>")
    body = f'<urlset xmlns="{SITEMAP_NS}">\n' + "\n".join(entries) + "\n</urlset>\n"
    return xml_response(body)


@require_GET
def robots_txt(request):
    """Crawl the reader pages; skip the admin, the API and the endless search result pages."""
    sitemap = request.build_absolute_uri(reverse("faq:sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/",
        "Disallow: /search/",
        "",
        f"Sitemap: {sitemap}",
    ]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response
