"""Settings for benchmarks/page_weight.py: production-like (no debug, hashed static files)
but with a throwaway database, index and STATIC_ROOT, so the measured run touches nothing else."""
from pathlib import Path

from faqsite.settings.dev import *  # noqa: F403
from faqsite.settings.dev import env

DEBUG = False
STATIC_ROOT = Path(env("PAGE_WEIGHT_STATIC_ROOT"))
