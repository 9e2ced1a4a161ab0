"""Which search results readers opened: the query, the page and its rank, and nothing about who.

No address, account, cookie or session is stored, so a click cannot be tied to a person or to
their other searches; the report only asks whether anyone opened a result for a query. The
results page reports each opened result to `result_click` (navigator.sendBeacon).
"""
from django.http import HttpResponse, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from search_index.analytics.redaction import redact
from search_index.models import SearchResultClick

MAX_RANK = 1000


def clean_click(query: str, url: str, rank: str) -> SearchResultClick | None:
    """A click row from what the results page sent, or None when any part is not plausible."""
    query, url = (query or "").strip(), (url or "").strip()
    if not query or not url.startswith("/") or len(url) > 500:
        return None
    if not url_has_allowed_host_and_scheme(url, allowed_hosts=set()):
        return None  # "//elsewhere.example" is another site, not one of our pages
    if not rank.isdigit() or int(rank) > MAX_RANK:
        return None
    return SearchResultClick(query=redact(query)[:256], url=url, rank=int(rank))


# A beacon carries no CSRF token; the view only counts an anonymous click, never changes
# content, and refuses anything that is not a plausible click on one of our own pages.
@csrf_exempt
@require_POST
def result_click(request):
    click = clean_click(
        request.POST.get("q", ""), request.POST.get("to", ""), request.POST.get("rank", "")
    )
    if click is None:
        return JsonResponse({"error": "Send q, to (a path on this site) and rank."}, status=400)
    click.save()
    return HttpResponse(status=204)
