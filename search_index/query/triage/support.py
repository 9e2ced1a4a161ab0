"""Pages an urgent-care rule pins under its banner: the site's own support content first."""
from django.conf import settings
from django.utils.html import escape
from django.utils.text import Truncator

from faq.models import FAQ, Article
from search_index.documents.builders import plain_text
from search_index.results import SearchHit

SNIPPET_CHARACTERS = 240


def _article_hit(article: Article) -> SearchHit:
    return SearchHit(
        kind="article",
        title=article.title,
        article_title=article.title,
        url=article.get_absolute_url(),
        snippet_html=escape(article.summary),
        source_name=article.source_name or settings.SITE_NAME,
        source_url=article.source_url or article.get_absolute_url(),
        score=0.0,
        article_slug=article.slug,
    )


def _faq_hit(faq: FAQ) -> SearchHit:
    article = faq.article if faq.article and faq.article.is_published else None
    return SearchHit(
        kind="faq",
        title=faq.question,
        article_title=article.title if article else "",
        url=faq.get_absolute_url(),
        snippet_html=escape(Truncator(plain_text(faq.answer)).chars(SNIPPET_CHARACTERS)),
        source_name=faq.source_name or settings.SITE_NAME,
        source_url=faq.source_url or faq.get_absolute_url(),
        score=0.0,
        article_slug=article.slug if article else "",
    )


def pinned_hits(pinned: tuple[tuple[str, int], ...]) -> list[SearchHit]:
    """The published pages and questions a rule pins, in its order; unpublished ones skipped."""
    hits = []
    for kind, pk in pinned:
        if kind == "article":
            found = Article.objects.published().filter(pk=pk).first()
            hits += [_article_hit(found)] if found else []
        else:
            found = FAQ.objects.published().filter(pk=pk).select_related("article").first()
            hits += [_faq_hit(found)] if found else []
    return hits
