"""The search page, the JSON search API and search-as-you-type suggestions."""
from django.urls import path

from search_index import suggest, views

urlpatterns = [
    path("search/", views.search, name="search"),
    path("api/search", views.api_search, name="api_search"),
    path("api/suggest", suggest.suggest, name="suggest"),
]
