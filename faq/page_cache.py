"""Rendered article and FAQ pages, kept per process until any content is saved.

An article page costs about 25 ms to render (sections, references, questions, citations) and
is the most requested page, so under load it set everyone's waiting time. A rendered page
is kept in this process's memory under a key holding a content generation, which every save
or deletion of content (in any process) replaces in the shared "search" cache once its
transaction has committed, plus the site address and the day (the "cite this page" box gives
today's date). With no shared cache to read the generation from, pages are simply rendered
every time.

Why after the commit: a page is rendered from what the database shows after its key's
generation was read. Replaced before the commit, a reader could read the new generation,
then the old rows, and keep a withdrawn page under the new key for an hour. Replaced after
it, every reader of the new generation reads the committed rows.
"""
import logging
import uuid

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from .models import FAQ, Article, ArticleCitation, Citation, FAQCitation, Section, SectionCitation

log = logging.getLogger(__name__)

SHARED_ALIAS = "search"
PAGES_ALIAS = "default"
GENERATION_KEY = "faq:content-generation"
PAGE_SECONDS = 3600
CONTENT_MODELS = (Article, Section, FAQ, Citation, ArticleCitation, SectionCitation, FAQCitation)


def generation() -> str | None:
    """The current content generation, started if there is none; None when unreadable."""
    try:
        shared = caches[SHARED_ALIAS]
        current = shared.get(GENERATION_KEY)
        if current is None:
            shared.add(GENERATION_KEY, uuid.uuid4().hex, None)
            current = shared.get(GENERATION_KEY)
        return current
    except Exception:  # a cache is an optimisation: render instead
        log.warning("Content generation unreadable; rendering pages afresh", exc_info=True)
        return None


def content_changed(using: str | None = None, **kwargs) -> None:
    """Make every process render its pages again once the saving transaction commits."""
    # Once per saved row: a set in the shared cache costs tens of microseconds, and
    # scheduling it once per transaction would hide it from tests' captured callbacks.
    transaction.on_commit(new_generation, using=using)


def new_generation() -> None:
    """Replace the content generation: pages kept under the old one are never served again."""
    shared = caches[SHARED_ALIAS]
    try:
        shared.set(GENERATION_KEY, uuid.uuid4().hex, None)
    except Exception:
        log.error("Content generation not replaced; dropping it instead", exc_info=True)
        try:
            # With the key gone, readers start a new generation (or render afresh).
            shared.delete(GENERATION_KEY)
        except Exception:
            log.critical("Content generation neither replaced nor dropped: pages may be "
                         "stale for up to %d s", PAGE_SECONDS, exc_info=True)


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
