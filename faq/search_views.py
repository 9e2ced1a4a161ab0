"""Search pages. Placeholder until the search layer lands: renders the results template."""
from django.shortcuts import render


def search(request):
    return render(request, "faq/search.html", {"query": request.GET.get("q", "")[:256]})
