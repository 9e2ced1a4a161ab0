"""The endpoint the results page reports opened results to (navigator.sendBeacon)."""
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .result_clicks import clean_click


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
