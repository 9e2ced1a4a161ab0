from django.contrib import admin
from django.urls import include, path

from faq import search_views
from search_index import click_views

admin.site.site_header = "Symptom Search editors"
admin.site.site_title = "Symptom Search admin"
admin.site.index_title = "Content and search"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("search/", search_views.search, name="search"),
    path("api/search", search_views.api_search, name="api_search"),
    path("search/click", click_views.result_click, name="search_click"),
    path("", include("faq.urls")),
]
