"""Settings for benchmarks/page_weight.py: production-like (no debug, hashed static files)
but with a throwaway database, index and STATIC_ROOT, so the measured run touches nothing else."""
from pathlib import Path

from faqsite.settings.dev import *  # noqa: F403
from faqsite.settings.dev import BASE_DIR, env

DEBUG = False
# The benchmark passes a temporary folder; the default only keeps imports from failing.
STATIC_ROOT = Path(env("PAGE_WEIGHT_STATIC_ROOT", default=str(BASE_DIR / "var" / "page-weight")))
