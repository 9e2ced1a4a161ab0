"""Which search results readers opened: the query, the page and its rank, and nothing about who.

No address, account, cookie or session is stored, so a click cannot be tied to a person or to
their other searches; the report only asks whether anyone opened a result for a query.
"""
from django.db import models
from django.utils.http import url_has_allowed_host_and_scheme

from .redaction import redact

MAX_RANK = 1000


class SearchResultClick(models.Model):
    """One opened result: the query as the search log keeps it, where it led, and its rank."""

    query = models.CharField(max_length=256, db_index=True)
    url = models.CharField(max_length=500)
    rank = models.PositiveIntegerField(help_text="1 for the first result; 0 for Recommended.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        app_label = "search_index"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.query} → {self.url}"


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
