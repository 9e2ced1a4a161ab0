"""The search results page and the JSON search API; the search itself is search_index.service."""
from datetime import timedelta

from django import forms
from django.conf import settings
from django.db.models import Count
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from faq.models import Article
from search_index.models import SearchQueryLog
from search_index.query.promoted import recommended_for
from search_index.service import PageNotFound, clean_query, timed_search

HELP_TOPICS = 8
POPULAR_SEARCHES = 6
EXAMPLE_SEARCHES = [
    "pins and needles in my feet at night",
    "leg falls asleep when sitting",
    "numb toes and diabetes",
    "calf pain when walking",
    "shooting pain down the back of my leg",
]


class QueryField(forms.CharField):
    """A query box that tidies what readers paste instead of rejecting it."""

    def to_python(self, value):
        return clean_query(super().to_python(value))


class SearchForm(forms.Form):
    q = QueryField(required=False, label="Describe your symptoms")
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)
    spell = forms.CharField(required=False)

    def query_args(self) -> tuple[str, int, bool]:
        data = self.cleaned_data
        return data["q"], data["page"] or 1, data["spell"] != "off"


def popular_searches(limit: int = POPULAR_SEARCHES) -> list[str]:
    """Queries readers made most in the last 30 days that found something."""
    since = timezone.now() - timedelta(days=30)
    rows = (
        SearchQueryLog.objects.filter(created_at__gte=since, results__gt=0)
        .values("query")
        .annotate(n=Count("pk"))
        .order_by("-n", "query")[:limit]
    )
    return [row["query"] for row in rows]


def help_context() -> dict:
    topics = Article.objects.published().only("title", "slug").order_by("title")[:HELP_TOPICS]
    return {
        "help_topics": topics,
        "popular_searches": popular_searches(),
        "example_searches": EXAMPLE_SEARCHES,
    }


@require_GET
def search(request):
    form = SearchForm(request.GET)
    if not form.is_valid():
        raise Http404("No such page of results.")
    query, page, spell = form.query_args()
    context = {"form": form, "query": query, "result": None, "spell": spell}
    if query:
        try:
            context["result"] = timed_search(query, page, correct=spell)
        except PageNotFound as exc:
            raise Http404("No such page of results.") from exc
        per_page = settings.SEARCH_INDEX["RESULTS_PER_PAGE"]
        context["first_number"] = (page - 1) * per_page + 1
        if page == 1 and not context["result"].support_results:  # never above crisis support
            context["recommended"] = recommended_for(query)
    if not query or not context["result"].hits:
        context.update(help_context())
    return render(request, "search_index/search.html", context)


def api_error(message: str, status: int, **extra) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def contact_payload(contact) -> dict:
    return {
        "region": contact.region,
        "action": contact.action,
        "number": contact.number,
        "tel": contact.tel,
        "name": contact.name,
    }


def urgent_payload(urgent) -> dict | None:
    """The urgent-care banner as JSON: its kind, words and where to get help."""
    if urgent is None:
        return None
    return {
        "kind": urgent.kind,
        "level": urgent.level,
        "title": urgent.title,
        "message": urgent.message,
        "contacts": [contact_payload(c) for c in urgent.contacts],
        "emergency_contacts": [contact_payload(c) for c in urgent.emergency_contacts],
    }


def api_payload(result) -> dict:
    """The JSON body of a successful API search."""
    return {
        "query": result.query,
        "page": result.page,
        "total": result.total,
        "num_pages": result.num_pages,
        "urgent": urgent_payload(result.urgent),
        "support_results": result.support_results,
        "suggestion": result.suggestion,
        "corrected": result.corrected,
        "meanings": [
            [{"title": title, "query": query} for title, query in choices]
            for choices in result.meanings
        ],
        "nearest": result.nearest,
        "results": [
            {
                "kind": hit.kind,
                "title": hit.title,
                "article_title": hit.article_title,
                "url": hit.url,
                "snippet": hit.snippet_html,
                "source_name": hit.source_name,
                "source_url": hit.source_url,
            }
            for hit in result.hits
        ],
    }


# Exempt so that a POST gets this API's JSON 405 rather than an HTML CSRF page; the view
# changes nothing whatever the method.
@csrf_exempt
def api_search(request):
    if request.method != "GET":
        response = api_error("Only GET is allowed.", 405)
        response["Allow"] = "GET"
        return response
    form = SearchForm(request.GET)
    if not form.is_valid():
        return api_error("page must be a whole number from 1.", 400)
    query, page, spell = form.query_args()
    if not query:
        return api_error("Give the words to search for in the q parameter.", 400)
    try:
        result = timed_search(query, page, correct=spell)
    except PageNotFound:
        return api_error("No such page of results.", 404)
    payload = api_payload(result)
    if result.unavailable:
        response = api_error(
            "Search is temporarily unavailable. Please try again in a few minutes.",
            503,
            query=payload["query"],
            urgent=payload["urgent"],
        )
        response["Retry-After"] = "60"
        return response
    return JsonResponse(payload)
