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
SEARCH_INDEX = {**SEARCH_INDEX, "PATH": BASE_DIR / "var" / "test-index"}  # noqa: F405
# Shared search results live in memory, never in the project's var/ (test_query_cache.py
# checks the file cache in a temporary directory).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "search": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "search"},
}
# Tests never run collectstatic: serve static files from the apps, as in development.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
