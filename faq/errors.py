"""Error views that Django lets a project replace (see CSRF_FAILURE_VIEW in settings)."""
from django.http import HttpResponseForbidden
from django.template.loader import render_to_string


def csrf_failure(request, reason=""):
    """The friendly 403 page, worded for an expired or missing form token."""
    # Django's own page names the setting and the middleware; a reader needs neither.
    html = render_to_string("403.html", {"csrf_failure": True})
    return HttpResponseForbidden(html)
