"""Turn a database outage into a calm 503 instead of a server error."""
import logging

from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

# Long enough for a database restart, short enough that a reader tries again soon.
RETRY_AFTER_SECONDS = 120
API_PREFIX = "/api/"
UNAVAILABLE_MESSAGE = "The service is temporarily unavailable. Please try again in a few minutes."


def unavailable_response(request) -> HttpResponse:
    """A 503 that needs neither the database nor the request context to render."""
    if request.path.startswith(API_PREFIX):
        body = {"error": "unavailable", "message": UNAVAILABLE_MESSAGE}
        response = JsonResponse(body, status=503)
    else:
        # No request passed on purpose: context processors could touch the session or user.
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Answer 503 when a view fails because the database cannot be reached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        # The details belong in the log for the operators, never in the page.
        logger.error("Database unavailable while serving %s", request.path, exc_info=exception)
        return unavailable_response(request)
