"""Settings shared by every environment; the environment files start from here."""
import hashlib
import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A .env file is optional; real deployments set the environment directly.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "adminsortable2",
    "csp",
    "axes",
    "simple_history",
    "faq",
    "search_index",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Records who made each change (revisions of content, glossary and rules).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "faq.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes requires: it turns a lockout signal into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "faqsite.urls"
WSGI_APPLICATION = "faqsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "faqsite" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "faq.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while an editor saves; the timeout makes writers queue, not fail.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# Optional streaming replicas (comma-separated URLs): readers' pages and searches read from
# them, everything else from the primary; faqsite/replicas.py states the rule.
for _number, _url in enumerate(env.list("DATABASE_REPLICA_URLS", default=[])):
    DATABASES[f"replica{_number}"] = {**env.db_url_config(_url), "TEST": {"MIRROR": "default"}}
if len(DATABASES) > 1:
    DATABASE_ROUTERS = ["faqsite.replicas.ReplicaRouter"]
    MIDDLEWARE.insert(1, "faqsite.replicas.ReplicaMiddleware")
# After a write, a client and its node read from the primary for this long (read-your-writes).
DATABASE_PRIMARY_PIN_SECONDS = env.float("DATABASE_PRIMARY_PIN_SECONDS", default=5.0)
# How often each process reads the content generations from the database (faq/generations.py):
# a save on another node retires this node's kept pages, glossary and rules within this time.
GENERATION_CHECK_SECONDS = env.float("GENERATION_CHECK_SECONDS", default=1.0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Axes first: it refuses a locked-out username+address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
# Per username and address together: a bot cannot lock an editor out from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Behind an HTTPS proxy, the client's address is read from X-Forwarded-For only on requests
# from these addresses or networks (e.g. "127.0.0.1,10.0.0.0/8"); from anyone else the header
# is ignored, as anyone can send it. Without it, every login behind the proxy would share
# the proxy's address, and five wrong passwords from anywhere would lock an editor out.
TRUSTED_PROXIES = env.list("DJANGO_TRUSTED_PROXIES", default=[])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(f"DJANGO_TRUSTED_PROXIES: {_error}") from None
AXES_CLIENT_IP_CALLABLE = "faqsite.client_address.client_address"
AXES_LOCKOUT_TEMPLATE = "locked_out.html"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Headers for every environment (HSTS only in prod, where HTTPS is certain).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "faq.errors.csrf_failure"
# Scripts and styles come from our own files only; the admin and the reader pages need nothing
# inline (tests/test_security.py checks the rendered pages).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# One place for the search engine's configuration (compare HAYSTACK_CONNECTIONS).
SEARCH_INDEX = {
    # The engine: a SearchBackend subclass (search_index/backends/base.py), loaded once.
    "BACKEND": "search_index.backends.whoosh.backend.WhooshBackend",
    "PATH": Path(env("SEARCH_INDEX_DIR", default=str(BASE_DIR / "var" / "index"))),
    # The node's name in the change log's node table (search_index/sync/nodes.py); empty:
    # the host name and the index directory.
    "NODE_NAME": env("SEARCH_NODE_NAME", default=""),
    # The index follows saves through a queue table; tests switch this off where they must.
    "AUTO_UPDATE": env.bool("SEARCH_AUTO_UPDATE", default=True),
    "MAX_QUERY_LENGTH": 256,
    "RESULTS_PER_PAGE": 10,
    # The search-terms log is written in batches of this many rows, or when the oldest row
    # has waited this many seconds (search_index.analytics.log).
    "LOG_BATCH": env.int("SEARCH_LOG_BATCH", default=50),
    "LOG_SECONDS": env.float("SEARCH_LOG_SECONDS", default=10.0),
    # Search-log and result-click rows older than this are deleted by purge_search_log.
    "LOG_RETENTION_DAYS": env.int("SEARCH_LOG_RETENTION_DAYS", default=180),
}



def _search_cache_dir(
    memory: Path = Path("/dev/shm"),  # noqa: S108 - the cache refuses a directory not private
    needed: int = 256 * 2**20,
) -> str:
    """Memory (/dev/shm) when the machine has `needed` bytes free there, else var/search-cache.

    A cache file write took 0.9 ms on this project's disk and a quarter of that in memory,
    on every first-time search. The directory is per user and per checkout; the cache
    backend refuses one that another user could write to.
    """
    try:
        room = os.statvfs(memory)
        usable = os.access(memory, os.W_OK) and room.f_bavail * room.f_frsize >= needed
    except OSError:
        usable = False
    if not usable:
        return str(BASE_DIR / "var" / "search-cache")
    checkout = hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:12]
    return str(memory / f"symptom-search-{os.getuid()}-{checkout}")


# Search results shared by every server process (search_index.caching.results): files in memory
# or under var/ by default (SEARCH_CACHE_DIR chooses); point SEARCH_CACHE_URL at memcached or
# redis when the site runs on several hosts.
CACHES = {
    # Per process: rendered article and FAQ pages (faq.page_cache), about 35 KB each.
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 500},
    },
    "search": (
        env.cache_url("SEARCH_CACHE_URL")
        if env.str("SEARCH_CACHE_URL", default="")
        else {
            "BACKEND": "search_index.caching.file_cache.SearchFileCache",
            "LOCATION": env.str("SEARCH_CACHE_DIR", default="") or _search_cache_dir(),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    ),
}

SITE_NAME = "Symptom Search"

# Where the urgent-care banner sends readers (search_index.query.triage.contacts): the regions
# shown, in order, and each region's numbers per kind of banner as (action, number, name).
URGENT_CARE = {
    "REGIONS": env.list("URGENT_CARE_REGIONS", default=["US", "UK"]),
    "CONTACTS": {
        "US": {
            "emergency": [("Call", "911", "emergency services (US)")],
            "crisis": [("Call or text", "988", "988 Suicide & Crisis Lifeline (US)")],
            "poison": [("Call", "1-800-222-1222", "Poison Help (US)")],
        },
        "UK": {
            "emergency": [("Call", "999", "emergency services (UK)")],
            "crisis": [("Call", "116 123", "Samaritans, free, day or night (UK and Ireland)")],
            "poison": [("Call", "111", "NHS 111 (UK)")],
            "urgent": [("Call", "111", "NHS 111 (UK)")],
        },
        "IE": {
            "emergency": [("Call", "112", "emergency services (Ireland)")],
            "crisis": [("Call", "116 123", "Samaritans, free, day or night (Ireland)")],
            "poison": [("Call", "01 809 2166", "National Poisons Information Centre (Ireland)")],
        },
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "search_index": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# Loaded by `manage.py load_seed` (part of `make run`), in this order.
SEED_FIXTURES = ["numb-legs-and-feet", "crisis-support", "search-starter"]
SEED_ARTICLE_SLUG = "numb-legs-and-feet"
