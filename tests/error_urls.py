"""Test-only URLconf: the real site plus views that fail on purpose."""
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpResponse, JsonResponse
from django.urls import include, path

from faq.models import Article

# Words an error page must never echo back to a reader.
SECRET_LOOKING_MESSAGE = "SECRET_KEY DATABASES /work/main/faq/models.py"


def boom(request):
    raise RuntimeError(SECRET_LOOKING_MESSAGE)


def forbidden(request):
    raise PermissionDenied(SECRET_LOOKING_MESSAGE)


def suspicious(request):
    raise SuspiciousOperation(SECRET_LOOKING_MESSAGE)


def count_articles(request):
    return HttpResponse(f"{Article.objects.count()} articles")


def count_articles_json(request):
    return JsonResponse({"articles": Article.objects.count()})


urlpatterns = [
    path("test-errors/boom/", boom),
    path("test-errors/forbidden/", forbidden),
    path("test-errors/suspicious/", suspicious),
    path("test-errors/db/", count_articles),
    path("api/test-errors/db/", count_articles_json),
    path("", include("faqsite.urls")),
]
