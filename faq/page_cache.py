"""Rendered article and FAQ pages, kept per process until any content is saved.

An article page costs about 25 ms to render (sections, references, questions, citations) and
is the most requested page, so under load it set everyone's waiting time. A rendered page
is kept in this process's memory under a key holding the content generation
(faq/generations.py), which every save or deletion of content bumps once its transaction has
committed: at once on the saving node, and on every other node within
GENERATION_CHECK_SECONDS. The key also holds the site address and the day (the "cite this
page" box gives today's date). With the generation unreadable, pages are simply rendered
every time.

Why after the commit: a page is rendered from what the database shows after its key's
generation was read. Bumped before the commit, a reader could read the new generation,
then the old rows, and keep a withdrawn page under the new key for an hour. Bumped after
it, every reader of the new generation reads the committed rows.
"""
import logging

from django.conf import settings
from django.core.cache import caches
from django.db.models.signals import post_delete, post_save

from . import generations
from .models import FAQ, Article, ArticleCitation, Citation, FAQCitation, Section, SectionCitation

log = logging.getLogger(__name__)

PAGES_ALIAS = "default"
GENERATION = "faq:content"
PAGE_SECONDS = 3600
CONTENT_MODELS = (Article, Section, FAQ, Citation, ArticleCitation, SectionCitation, FAQCitation)


def generation() -> str | None:
    """The current content generation; None when unreadable (pages are rendered afresh)."""
    return generations.current(GENERATION)


def content_changed(using: str | None = None, **kwargs) -> None:
    """Make every process render its pages again once the saving transaction commits."""
    # Once per saved row: a bump costs about a millisecond, and scheduling it once per
    # transaction would hide it from tests' captured callbacks.
    generations.bump_on_commit(GENERATION, using=using)


def new_generation() -> None:
    """Replace the content generation: pages kept under the old one are never served again."""
    generations.bump(GENERATION)


def page_key(kind: str, slug: str, site: str, day: object) -> str | None:
    """The key of a rendered page, or None when pages cannot be kept now."""
    if settings.DEBUG:
        return None  # a developer's template edits show at once
    current = generation()
    return None if current is None else f"page:{kind}:{current}:{site}:{day}:{slug}"


def cached_page(key: str | None) -> str | None:
    return caches[PAGES_ALIAS].get(key) if key else None


def keep_page(key: str | None, html: str) -> None:
    if key:
        caches[PAGES_ALIAS].set(key, html, PAGE_SECONDS)


for _model in CONTENT_MODELS:
    post_save.connect(content_changed, sender=_model, dispatch_uid=f"pages-{_model.__name__}")
    post_delete.connect(
        content_changed, sender=_model, dispatch_uid=f"pages-del-{_model.__name__}"
    )
