"""Test-only site for the CSP browser check: a sign-in link and a same-origin harness script.

The harness is served from this origin as a file, so the page's own policy (script-src 'self')
allows it; what it then does in the admin is held to the policy like any admin script.
"""
from pathlib import Path

from django.contrib.auth import get_user_model, login
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import include, path
from django.utils.http import url_has_allowed_host_and_scheme

HARNESS = Path(__file__).with_name("csp_harness.js")
HARNESS_TAG = b'<script src="/csp-harness.js"></script></body>'


def harness_script(request):
    return HttpResponse(HARNESS.read_text(), content_type="text/javascript")


def sign_in(request):
    """Sign in as the superuser the test created, then go on to ?next=."""
    user = get_user_model().objects.get(username="csp-root")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    target = request.GET.get("next", "/admin/")
    return redirect(target if url_has_allowed_host_and_scheme(target, None) else "/admin/")


class InjectHarness:
    """Adds the harness script to admin pages, where the widgets are."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        html = response.get("Content-Type", "").startswith("text/html")
        if request.path.startswith("/admin/") and html and not response.streaming:
            response.content = response.content.replace(b"</body>", HARNESS_TAG)
            response["Content-Length"] = str(len(response.content))
        return response


urlpatterns = [
    path("csp-harness.js", harness_script),
    path("csp-sign-in/", sign_in),
    path("", include("tests.error_urls")),
]
