from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from faqsite import health
from search_index.analytics.clicks import result_click

admin.site.site_header = f"{settings.SITE_NAME} editors"
admin.site.site_title = f"{settings.SITE_NAME} admin"
admin.site.index_title = "Content and search"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("health", health.health, name="health"),
    path("search/click", result_click, name="search_click"),
    path("", include("search_index.urls")),
    path("", include("faq.urls")),
]
