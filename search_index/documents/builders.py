"""What gets indexed: one plain function per model that returns its index document.

The database is the truth; these functions are the only place that decides how a row looks
in the index, so the rebuild, the queue and reconcile can never disagree about it. The spelling
vocabulary is not part of a document: the indexer gathers it from documents (vocabulary.py).
"""
import html
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import lru_cache
from hashlib import blake2b

import nh3
from django.conf import settings
from django.db.models import Model, QuerySet
from django.urls import get_script_prefix, reverse

from faq.models import FAQ, Article, Section, Status
from search_index.caching.registry import register
from search_index.documents.types import FAQ as FAQ_TYPE
from search_index.documents.types import SECTION as SECTION_TYPE

PATH_SEPARATOR = " › "

# Markdown syntax to drop when turning a body into plain text, each with a character it needs
# (so most rules are skipped on most bodies). Rendering through Markdown costs about a
# millisecond per body, a minute for a 50k rebuild; these only need to be good enough for
# matching and snippets.
MARKDOWN_RULES = [
    ("[", re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),  # [text](url) and images
    ("[", re.compile(r"!?\[([^\]]*)\]\[[^\]]*\]"), r"\1"),  # [text][ref]
    ("[", re.compile(r"^[ \t]*\[[^\]]+\]:[ \t]*\S+.*$", re.M), ""),  # [ref]: url lines
    ("#", re.compile(r"^[ \t]{0,3}#{1,6}[ \t]*", re.M), ""),  # headings
    (">", re.compile(r"^[ \t]{0,3}>[ \t]?", re.M), ""),  # block quotes
    ("", re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+", re.M), ""),  # list markers
    ("", re.compile(r"^[ \t]*[-*_](?:[ \t]*[-*_]){2,}[ \t]*$", re.M), ""),  # rules
    ("*", re.compile(r"\*+"), ""),  # emphasis
    ("_", re.compile(r"_+(?!\w)|(?<!\w)_+"), ""),  # emphasis, not snake_case words
    ("`", re.compile(r"`+"), ""),  # code spans
]

# What nh3 would change: markup, entities, and what HTML parsing rewrites or escapes. Most
# imported answers have none of these, and cleaning 47,000 of them took 1.3 s of a rebuild.
_HTML_SIGNS = re.compile("[<>&\r\0\u00a0]")


def plain_text(markdown_text: str) -> str:
    """Markdown (possibly with raw HTML) as plain text for matching and snippets.

    >>> plain_text("Numb **toes**, see [NHS](https://nhs.uk) <script>alert(1)</script>")
    'Numb toes, see NHS'
    >>> plain_text("## Causes\\n\\n- *diabetes* & B12 < normal\\n1. sitting_still")
    'Causes\\n\\ndiabetes & B12 < normal\\nsitting_still'
    """
    text = markdown_text or ""
    if _HTML_SIGNS.search(text):
        text = nh3.clean(text, tags=set())  # drops tags and script/style content
    for needed, pattern, replacement in MARKDOWN_RULES:
        if needed in text:
            text = pattern.sub(replacement, text)
    return html.unescape(text).strip()


@lru_cache(maxsize=8192)
def _article_url(slug: str) -> str:
    # reverse() is the slowest step of building a document; an article's URL depends only
    # on its slug, and a rebuild asks for it once per section.
    return reverse("faq:article", kwargs={"slug": slug})


_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_SLUG_STAND_IN = "slug-stand-in"


@lru_cache(maxsize=8)
def _faq_url_around(script_prefix: str) -> tuple[str, str]:
    head, _, tail = reverse("faq:faq", kwargs={"slug": _SLUG_STAND_IN}).partition(_SLUG_STAND_IN)
    return head, tail


def _faq_url(faq: FAQ) -> str:
    # Every FAQ has its own slug, so caching reverse() would not help; a rebuild spent a
    # quarter of its document time there. A plain slug fills the reversed pattern as is.
    if not _SLUG.fullmatch(faq.slug or ""):
        return faq.get_absolute_url()
    head, tail = _faq_url_around(get_script_prefix())
    return f"{head}{faq.slug}{tail}"


def _words(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


# Article fields that appear in its sections' and FAQs' documents (or decide whether they show).
ARTICLE_INDEXED_FIELDS = ("title", "slug", "status", "also_called", "source_name", "source_url")
VERSION_FORMAT = "%Y%m%dT%H%M%S.%f"


def document_version(own: datetime | None, article: str) -> str:
    """A document's version: when its row was last saved, and its article's article_version.

    Every save changes updated_at, so a document whose version differs from the one the
    database gives now is stale; the database gives every version with two queries
    (indexable_versions), without building any document. The article counts by the fields
    its documents show, not its save time: "mark reviewed today" re-indexes nothing.
    """
    return f"{own.strftime(VERSION_FORMAT) if own else '-'}/{article}"  # "-": never saved


def article_version(article: Article | None) -> str:
    """A short digest of the article fields its sections' and FAQs' documents show."""
    if article is None:
        return "-"
    return _digest([getattr(article, name) for name in ARTICLE_INDEXED_FIELDS])


def _digest(values: list[str]) -> str:
    return blake2b("\x1f".join(values).encode(), digest_size=6).hexdigest()


def section_document(section: Section) -> dict:
    """The index document of one section (the passage a reader lands on)."""
    article = section.article
    body = plain_text(section.body)
    heading_path = f"{article.title}{PATH_SEPARATOR}{section.heading}"
    also_called = "\n".join(article.also_called_list())
    return {
        "doc_id": f"{SECTION_TYPE}:{section.pk}",
        "doc_type": SECTION_TYPE,
        "version": document_version(section.updated_at, article_version(article)),
        "title": section.heading,
        "heading_path": heading_path,
        "body": body,
        "article_title": article.title,
        "also_called": also_called,
        "article_slug": article.slug,
        "kind": section.kind,
        "answered": "yes",
        "url": f"{_article_url(article.slug)}#{section.slug}",  # Section.get_absolute_url
        "source_name": article.source_name or settings.SITE_NAME,
        "source_url": article.source_url or _article_url(article.slug),
    }


def faq_document(faq: FAQ) -> dict:
    """The index document of one FAQ; an unanswered one stays findable by its question."""
    # A draft article's title must not leak through its published FAQs.
    article = faq.article if faq.article and faq.article.is_published else None
    article_title = article.title if article else ""
    body = plain_text(faq.answer)
    answered = bool(body)
    if not answered:
        body = _words(faq.question, article_title)
    heading_path = f"{article_title}{PATH_SEPARATOR}{faq.question}" if article else faq.question
    also_called = "\n".join(article.also_called_list()) if article else ""
    return {
        "doc_id": f"{FAQ_TYPE}:{faq.pk}",
        "doc_type": FAQ_TYPE,
        "version": document_version(faq.updated_at, article_version(faq.article)),
        "title": faq.question,
        "heading_path": heading_path,
        "body": body,
        "article_title": article_title,
        "also_called": also_called,
        "article_slug": article.slug if article else "",
        "kind": faq.question_type,
        "answered": "yes" if answered else "no",
        "url": _faq_url(faq),  # FAQ.get_absolute_url
        "source_name": faq.source_name or (article and article.source_name) or settings.SITE_NAME,
        "source_url": faq.source_url or (article and article.source_url) or "",
    }


def _sections() -> QuerySet:
    return Section.objects.select_related("article")


def _faqs() -> QuerySet:
    return FAQ.objects.select_related("article")


# The indexed models, by the name the queue table stores: (model, document function).
INDEXED_MODELS: dict[str, tuple[type[Model], Callable[[Model], dict]]] = {
    SECTION_TYPE: (Section, section_document),
    FAQ_TYPE: (FAQ, faq_document),
}

# The rows of each indexed model readers may see.
INDEXABLE_ROWS: dict[str, Callable[[], QuerySet]] = {
    SECTION_TYPE: lambda: _sections().filter(article__status=Status.PUBLISHED),
    FAQ_TYPE: lambda: _faqs().filter(status=Status.PUBLISHED),
}


def indexable_versions() -> dict[str, str]:
    """doc_id -> version of every document the index should hold, from a query per model."""
    fields = Article.objects.values_list("pk", *ARTICLE_INDEXED_FIELDS)
    articles = {pk: _digest(values) for pk, *values in fields.iterator(chunk_size=5000)}
    versions = {}
    for name, rows in INDEXABLE_ROWS.items():
        stamps = rows().values_list("pk", "updated_at", "article_id")
        for pk, own, article_id in stamps.iterator(chunk_size=5000):
            versions[doc_id(name, pk)] = document_version(own, articles.get(article_id, "-"))
    return versions


def doc_id(name: str, pk: int) -> str:
    """The index key of a row: "section:12", "faq:34"."""
    return f"{name}:{pk}"


def load_indexable(name: str, pk: int) -> Model | None:
    """The row behind a queued change if readers may find it now, else None (gone or hidden)."""
    return INDEXABLE_ROWS[name]().filter(pk=pk).first()


def iter_documents(chunk_size: int = 1000) -> Iterator[dict]:
    """Every indexable row's document, model by model in primary-key order."""
    for name, (_, to_document) in INDEXED_MODELS.items():
        rows = INDEXABLE_ROWS[name]().order_by("pk")
        for obj in rows.iterator(chunk_size=chunk_size):
            yield to_document(obj)


def spare_document(exclude: set[str]) -> dict | None:
    """The document of some indexable row whose doc_id is not excluded, or None."""
    return next((d for d in iter_documents(chunk_size=20) if d["doc_id"] not in exclude), None)


def count_indexable() -> dict[str, int]:
    """How many documents of each type the index should hold."""
    return {name: rows().count() for name, rows in INDEXABLE_ROWS.items()}


register("document URLs", _article_url.cache_clear)
register("FAQ URL pattern", _faq_url_around.cache_clear)
