"""Test runs: fast hashing, an index directory the tests replace per test."""
from .base import *  # noqa: F403
from .base import BASE_DIR

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Each search is logged at once (test_query_log.py checks batching with its own settings).
SEARCH_INDEX = {  # noqa: F405
    **SEARCH_INDEX,  # noqa: F405
    "PATH": BASE_DIR / "var" / "test-index",
    "LOG_BATCH": 1,
}
# Shared search results live in memory, never in the project's var/ (test_query_cache.py
# checks the file cache in a temporary directory).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "search": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "search"},
}
# Tests never run collectstatic: serve static files from the apps, as in development.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
