"""Stored and reflected XSS: hostile text in every editable field never becomes executable.

Each payload goes into every text field of its own article, section, FAQ, citation, synonym
and urgent-care rule (URL fields get `javascript:` URLs, as a careless import could store).
The content is published and indexed, then every public page that shows it and the admin
changelists are parsed: the only scripts are the site's own, and there is no event handler,
no `javascript:` address, no <svg> and no content <img> anywhere.
"""
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import override_settings
from django.utils.html import escape

from faq.models import FAQ, Article, Citation, Section, Status
from search_index.backends.whoosh.searcher import close_searcher
from search_index.models import Synonym, UrgentCareRule
from search_index.suggest import cache as suggestions
from search_index.sync.rebuild import rebuild

WORD = "zyxhostile"  # a word no seed text has, so a search finds exactly the hostile content
PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '"><b onmouseover=alert(1)>',
    "'><b onmouseover=alert(1)>",
    "</script><script>alert(1)</script>",
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=javascript:alert(1)>",
]
BAD_URLS = [
    "javascript:alert(1)", " JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>",
]
SCRIPT_SCHEMES = ("javascript:", "data:", "vbscript:")
ADMIN_LISTS = [
    "/admin/faq/article/", "/admin/faq/section/", "/admin/faq/faq/", "/admin/faq/citation/",
    "/admin/search_index/synonym/", "/admin/search_index/urgentcarerule/",
]
SCRIPT_TYPES = ("application/ld+json", "application/json")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}


class ExecutableFinder(HTMLParser):
    """Collects everything in a page that a browser could run."""

    def __init__(self, own_svg: bool = False):
        super().__init__(convert_charrefs=True)
        self.own_svg = own_svg  # the admin draws its icons as inline <svg>
        self.problems: list[str] = []
        self.script_type: str | None = None

    def handle_starttag(self, tag, attrs):
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            squashed = "".join(value.split()).lower()
            if name in URL_ATTRIBUTES and squashed.startswith(SCRIPT_SCHEMES):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag in ("iframe", "object", "embed", "math") or tag == "svg" and not self.own_svg:
            self.problems.append(f"<{tag}>")
        if tag == "img" and not values.get("src", "").startswith("/static/"):
            self.problems.append(f"<img src={values.get('src')!r}>")
        if tag == "script":
            self.start_script(values)

    def start_script(self, values: dict) -> None:
        src, kind = values.get("src", ""), values.get("type", "")
        if kind in SCRIPT_TYPES and not src:
            self.script_type = kind
        elif not src.startswith(("/static/", "/admin/jsi18n/")):
            self.problems.append(f"<script src={src!r} type={kind!r}>")

    def handle_data(self, data):
        if self.script_type:
            # Text of a data block must be the whole JSON: a payload ending it early fails here.
            try:
                json.loads(data)
            except ValueError:
                self.problems.append(f"data script that is not JSON: {data[:80]!r}")

    def handle_endtag(self, tag):
        if tag == "script":
            self.script_type = None


def executable_parts(html: str, own_svg: bool = False) -> list[str]:
    finder = ExecutableFinder(own_svg)
    finder.feed(html)
    finder.close()
    return finder.problems


def assert_inert(response, where: str, own_svg: bool = False) -> str:
    assert response.status_code == 200, where
    html = response.content.decode()
    assert executable_parts(html, own_svg) == [], where
    return html


def make_hostile(i: int, payload: str) -> None:
    """One of everything, every editable text field carrying the payload."""
    text = f"{WORD} {payload}"
    bad_url = BAD_URLS[i % len(BAD_URLS)]
    citation = Citation.objects.create(
        authors=f"{payload}, {payload}\nOther, {payload}", title=text, container_title=payload,
        publisher=payload, date_published="2020", url=bad_url, doi=payload,
    )
    article = Article.objects.create(
        title=text, slug=f"hostile-{i}", summary=text, author=payload, medical_reviewer=payload,
        status=Status.PUBLISHED, also_called=f"{payload}\n{WORD}", source_name=payload,
        source_url=bad_url, attribution=text,
    )
    article.citations.add(citation)
    body = f"{text}\n\n{payload}\n\n[link](javascript:alert(1)) <{bad_url}>"
    section = Section.objects.create(
        article=article, heading=text, slug=f"part-{i}", kind="symptoms", body=body
    )
    section.citations.add(citation)
    faq = FAQ.objects.create(
        question=text, slug=f"hostile-question-{i}", answer=body, article=article,
        section=section, status=Status.PUBLISHED, question_type=payload,
        source_name=payload, source_url=bad_url, attribution=text,
    )
    faq.citations.add(citation)
    Synonym.objects.create(phrase=text, terms=f"{payload}\n{WORD}")
    UrgentCareRule.objects.create(
        name=text, patterns=f"{WORD}\n{payload}", message=text, kind=("emergency", "urgent")[i % 2]
    )


@pytest.fixture(scope="class")
def hostile_index_path(django_db_setup, django_db_blocker, tmp_path_factory):
    """The seed content plus the hostile content, published and indexed once per class."""
    from django.core.management import call_command

    path = tmp_path_factory.mktemp("hostile-index")
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(SEARCH_INDEX={**settings.SEARCH_INDEX, "PATH": path}):
            call_command("load_seed", verbosity=0)
            for i, payload in enumerate(PAYLOADS):
                make_hostile(i, payload)
            rebuild()
        yield path
        close_searcher()
        transaction.set_rollback(True)


@pytest.fixture
def hostile(hostile_index_path, settings, db):
    settings.SEARCH_INDEX = {**settings.SEARCH_INDEX, "PATH": hostile_index_path}
    # The completion list lives per process and rechecks the database only every few seconds.
    suggestions.clear()
    yield
    suggestions.clear()


@pytest.mark.usefixtures("hostile")
class TestStoredXss:
    def test_finder_catches_what_it_should(self):
        """The checker itself: raw payloads are found, their escaped text is not."""
        for payload in PAYLOADS[:6] + PAYLOADS[7:]:
            assert executable_parts(f"<p>{payload}</p>"), payload
        assert executable_parts('<a href=" java\tscript:x">') != []
        assert executable_parts('<script type="application/ld+json">{"a": "</script>') != []
        assert executable_parts("".join(f"<p>{escape(p)}</p>" for p in PAYLOADS)) == []

    def test_content_pages(self, client):
        pages = ["/", "/topics/", "/faqs/", "/faqs/?article=hostile-0"]
        for i in range(len(PAYLOADS)):
            pages += [f"/articles/hostile-{i}/", f"/faqs/hostile-question-{i}/"]
        for page in pages:
            html = assert_inert(client.get(page), page)
            assert "alert(1)" not in html or "&lt;" in html or "](javascript" in html, page

    def test_json_ld_blocks_parse_and_carry_the_text(self, client):
        html = client.get("/articles/hostile-0/").content.decode()
        block = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
        data = json.loads(block)
        assert WORD in json.dumps(data)

    def test_search_results_and_highlights(self, client):
        html = assert_inert(client.get("/search/", {"q": WORD}), "search")
        assert html.count('class="search-hit"') >= len(PAYLOADS) or "<mark>" in html
        assert "urgent-banner" in html
        for page in (2, 3):
            response = client.get("/search/", {"q": WORD, "page": page})
            if response.status_code == 200:
                assert_inert(response, f"search page {page}")

    def test_api_search_and_suggest(self, client):
        for page in (1, 2, 3):
            response = client.get("/api/search", {"q": WORD, "page": page})
            if response.status_code == 404:
                break
            assert response["Content-Type"] == "application/json"
            body = response.json()
            assert body["urgent"] is not None
            for hit in body["results"]:
                assert executable_parts(hit["snippet"]) == [], hit["snippet"]
                assert hit["url"].startswith("/")
                assert not hit["source_url"].strip().lower().startswith("javascript")
        response = client.get("/api/suggest", {"q": WORD})
        assert response["Content-Type"] == "application/json"
        urls = [s["url"] for s in response.json()["suggestions"]]
        assert urls and all(url.startswith("/") for url in urls)

    def test_sitemap_is_well_formed(self, client):
        index = client.get("/sitemap.xml")
        # Our own output, parsed to prove it is well-formed XML.
        root = ET.fromstring(index.content)  # noqa: S314
        locs = [el.text for el in root.iter() if el.tag.endswith("loc")]
        for loc in locs:
            page = client.get(loc.replace("http://testserver", ""))
            assert page.status_code == 200
            ET.fromstring(page.content)  # noqa: S314
            assert b"javascript" not in page.content.lower()

    def test_admin_changelists(self, client):
        user = get_user_model().objects.create_superuser("xss-admin", "x@example.org", "pw")
        client.force_login(user)
        for url in ADMIN_LISTS:
            # Every row on one page ("show all"): the starter glossary alone fills the first.
            html = assert_inert(client.get(url, {"all": ""}), url, own_svg=True)
            assert WORD in html, url
            assert_inert(client.get(url, {"q": WORD}), f"{url}?q", own_svg=True)
            assert_inert(client.get(url, {"q": PAYLOADS[3]}), f"{url}?q=breakout", own_svg=True)
        article = Article.objects.get(slug="hostile-1")
        change = client.get(f"/admin/faq/article/{article.pk}/change/")
        assert_inert(change, "article change", own_svg=True)


@pytest.mark.usefixtures("hostile")
class TestReflectedXss:
    def test_query_in_box_header_and_suggestion(self, client):
        for payload in PAYLOADS:
            for q in (payload, f"siatica {payload}", f"{WORD} {payload}", f"numb {payload}"):
                html = assert_inert(client.get("/search/", {"q": q}), q)
                assert f'value="{escape(q)}"' in html, q

    def test_query_in_api(self, client):
        for payload in PAYLOADS:
            response = client.get("/api/search", {"q": f"siatica {payload}"})
            assert response["Content-Type"] == "application/json"
            assert response.status_code == 200
            for hit in response.json()["results"]:
                assert executable_parts(hit["snippet"]) == []


@pytest.mark.django_db
@pytest.mark.parametrize("url", BAD_URLS)
def test_editors_cannot_save_script_urls(url):
    """The admin's validation refuses a `javascript:` or `data:` source or citation URL."""
    citation = Citation(title="t", url=url)
    with pytest.raises(ValidationError) as error:
        citation.full_clean()
    assert "url" in error.value.message_dict
    article = Article(title="t", slug="t", summary="s", source_url=url)
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert "source_url" in error.value.message_dict
