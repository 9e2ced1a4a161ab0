"""Search engines behind one interface (base.py), one folder each; get_backend() loads the one
SEARCH_INDEX["BACKEND"] names, as Django's cache framework loads a cache backend."""
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from search_index.backends.base import (
    IndexLocked,
    IndexUnavailable,
    SearchBackend,
    SearchReader,
)

DEFAULT_BACKEND = "search_index.backends.whoosh.backend.WhooshBackend"

__all__ = [
    "DEFAULT_BACKEND",
    "IndexLocked",
    "IndexUnavailable",
    "SearchBackend",
    "SearchReader",
    "get_backend",
]


def get_backend() -> SearchBackend:
    """The configured backend (one instance per process and setting)."""
    return _load(settings.SEARCH_INDEX.get("BACKEND", DEFAULT_BACKEND))


@cache
def _load(path: str) -> SearchBackend:
    found = import_string(path)
    if not (isinstance(found, type) and issubclass(found, SearchBackend)):
        raise TypeError(f"{path} is not a SearchBackend")
    return found()
