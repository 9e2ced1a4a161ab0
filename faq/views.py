"""Public reader pages: home, topics A to Z, articles, FAQs. Only published content shows."""
import string
from collections import Counter, defaultdict

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Case, Count, F, Prefetch, Value, When, Window
from django.db.models.functions import RowNumber, Substr, Upper
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone

from .citations import cite_page_apa, cite_page_mla
from .models import FAQ, Article, ArticleCitation, FAQCitation, SectionCitation, Status
from .page_cache import cached_page, keep_page, page_key
from .structured_data import article_json_ld, faq_json_ld, json_ld_script

LETTERS = list(string.ascii_uppercase)
OTHER_LETTER = "#"
ALL_LETTERS = [*LETTERS, OTHER_LETTER]
TOPICS_PER_LETTER_ON_HOME = 8
TOPICS_PER_PAGE = 60
FAQS_PER_PAGE = 30
EXAMPLE_SEARCHES = [
    "numb feet",
    "tingling legs at night",
    "pins and needles in toes",
    "burning feet diabetes",
    "leg falls asleep when sitting",
]


def paginate(request, queryset, per_page):
    """One page of the queryset; a page number that does not exist is a 404, not an error."""
    paginator = Paginator(queryset, per_page, orphans=max(per_page // 10, 1))
    try:
        return paginator.page(request.GET.get("page") or 1)
    except InvalidPage as exc:
        raise Http404("No such page.") from exc


def letter_of(title):
    """The A to Z heading a title is filed under; digits and symbols go under '#'."""
    first = title[:1].upper()
    return first if first in LETTERS else OTHER_LETTER


def topics_starting_with(letter):
    """Published articles filed under one letter of the A to Z."""
    articles = Article.objects.published().only("title", "slug", "summary")
    if letter == OTHER_LETTER:
        return articles.exclude(title__regex=r"^[A-Za-z]")
    return articles.filter(title__istartswith=letter)


def a_to_z_groups(limit):
    """The first `limit` topics under each letter and each letter's total, in two queries."""
    initial = Upper(Substr("title", 1, 1))
    published = Article.objects.published().annotate(initial=initial)
    counts = Counter()
    for row in published.values("initial").annotate(n=Count("pk")).order_by():
        counts[letter_of(row["initial"] or "")] += row["n"]
    # Ranking inside the database keeps the home page small however many topics exist.
    ranked = published.annotate(
        rank=Window(RowNumber(), partition_by=[initial], order_by=[F("title").asc()])
    ).filter(rank__lte=limit)
    shown = defaultdict(list)
    for article in ranked.only("title", "slug").order_by("title"):
        bucket = shown[letter_of(article.title)]
        if len(bucket) < limit:  # digits and symbols share one '#' bucket
            bucket.append(article)
    return [
        {"letter": letter, "articles": shown[letter], "count": counts[letter]}
        for letter in ALL_LETTERS
        if counts[letter]
    ]


def home(request):
    groups = a_to_z_groups(TOPICS_PER_LETTER_ON_HOME)
    recent = (
        Article.objects.published()
        .exclude(last_reviewed=None)
        .only("title", "slug", "last_reviewed")
        .order_by("-last_reviewed", "title")[:6]
    )
    context = {
        "groups": groups,
        "letters_with_topics": {g["letter"] for g in groups},
        "letters": ALL_LETTERS,
        "recent": recent,
        "example_searches": EXAMPLE_SEARCHES,
        "per_letter": TOPICS_PER_LETTER_ON_HOME,
    }
    return render(request, "faq/home.html", context)


def topics(request):
    letter = request.GET.get("letter", "").strip().upper()
    if letter and letter not in ALL_LETTERS:
        raise Http404("Choose a letter from A to Z.")
    articles = topics_starting_with(letter) if letter else Article.objects.published()
    page = paginate(request, articles.only("title", "slug", "summary").order_by("title"),
                    TOPICS_PER_PAGE)
    context = {"letter": letter, "letters": ALL_LETTERS, "page": page}
    return render(request, "faq/topics.html", context)


def numbered_references(article, sections):
    """The article's references in order, then any cited only by a section; numbered from 1."""
    references = [
        link.citation
        for link in ArticleCitation.objects.filter(article=article).select_related("citation")
    ]
    seen = {c.pk for c in references}
    for section in sections:
        for citation in section.ordered_citations:
            if citation.pk not in seen:
                references.append(citation)
                seen.add(citation.pk)
    return references, {c.pk: n for n, c in enumerate(references, start=1)}


def article_detail(request, slug):
    key = page_key("article", slug, request.build_absolute_uri("/"), timezone.localdate())
    html = cached_page(key)
    if html is None:
        article = get_object_or_404(Article.objects.published(), slug=slug)
        html = render_to_string("faq/article.html", article_context(request, article), request)
        keep_page(key, html)
    return HttpResponse(html)


def article_context(request, article, section_drafts=None):
    """What the article page shows, whatever the status (the admin preview shows drafts).

    section_drafts maps section ids to sections carrying an editor's unpublished text.
    """
    sections = list(
        article.sections.prefetch_related(
            Prefetch(
                "sectioncitation_set",
                queryset=SectionCitation.objects.select_related("citation"),
                to_attr="citation_links",
            )
        )
    )
    for section in sections:
        section.ordered_citations = [link.citation for link in section.citation_links]
        if section_drafts and section.pk in section_drafts:
            drafted = section_drafts[section.pk]
            section.__dict__.update({f.attname: getattr(drafted, f.attname)
                                     for f in type(section)._meta.concrete_fields})
    references, numbers = numbered_references(article, sections)
    for section in sections:
        section.reference_numbers = [numbers[c.pk] for c in section.ordered_citations]
    url = request.build_absolute_uri(article.get_absolute_url())
    today = timezone.localdate()
    context = {
        "article": article,
        "sections": sections,
        "references": references,
        "faqs": article.faqs.published().select_related("section"),
        "review_overdue": bool(article.next_review_due and article.next_review_due < today),
        "cite_mla": cite_page_mla(article, url, today),
        "cite_apa": cite_page_apa(article, url, today),
        "page_url": url,
        "json_ld": json_ld_script(
            article_json_ld(article, url, references, settings.SITE_NAME)
        ),
    }
    return context


def faq_list(request):
    faqs = FAQ.objects.published().select_related("article")
    article = None
    if slug := request.GET.get("article"):
        article = get_object_or_404(Article.objects.published(), slug=slug)
        faqs = faqs.filter(article=article)
    # Questions whose article is not public are listed last, without naming that article.
    public_title = Case(
        When(article__status=Status.PUBLISHED, then=F("article__title")), default=Value(None)
    )
    faqs = faqs.annotate(public_title=public_title).order_by(
        F("public_title").asc(nulls_last=True), "article", "order", "question"
    )
    page = paginate(request, faqs, FAQS_PER_PAGE)
    for faq in page.object_list:
        faq.public_article = faq.article if faq.public_title is not None else None
    return render(request, "faq/faq_list.html", {"page": page, "article": article})


def faq_detail(request, slug):
    key = page_key("faq", slug, request.build_absolute_uri("/"), timezone.localdate())
    html = cached_page(key)
    if html is None:
        faq = get_object_or_404(
            FAQ.objects.published().select_related("article", "section"), slug=slug
        )
        context = faq_context(faq)
        if data := faq_json_ld(faq, request.build_absolute_uri(faq.get_absolute_url())):
            context["json_ld"] = json_ld_script(data)
        html = render_to_string("faq/faq.html", context, request)
        keep_page(key, html)
    return HttpResponse(html)


def faq_context(faq):
    """What the FAQ page shows, whatever the status (the admin preview shows drafts)."""
    article_is_public = bool(faq.article and faq.article.is_published)
    links = FAQCitation.objects.filter(faq=faq).select_related("citation")
    context = {
        "faq": faq,
        "article_is_public": article_is_public,
        "citations": [link.citation for link in links],
    }
    return context
