# Two commands set everything up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Browser tests drive Debian's Chromium (Playwright never downloads a browser here) and
# inject axe-core from npm.
CHROMIUM := /usr/bin/chromium
BROWSER_STAMP := tests/browser/node_modules/.installed

.PHONY: run test test-postgres lint check setup index clean browser-deps bench-load

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_seed
	$(PY) manage.py rebuild_index

run: setup
	$(PY) manage.py runserver 127.0.0.1:8000

$(BROWSER_STAMP): tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund
	touch $(BROWSER_STAMP)

browser-deps: $(BROWSER_STAMP)
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update && apt-get install -y chromium; \
	  else \
	    echo "Chromium is missing: install Debian's package as root" \
	      "('apt-get install chromium'), then run make test again." >&2; \
	    exit 1; \
	  fi; \
	fi

test: $(STAMP) browser-deps
	$(PY) -m pytest

# The whole suite again on a throw-away PostgreSQL cluster (installed through apt-get as root
# when missing), as production runs: .ci/run does both.
test-postgres: $(STAMP) browser-deps
	.ci/with-postgres $(PY) -m pytest

# Short load run (loopback, bounded): CI prints its figures after the tests.
bench-load: $(STAMP)
	$(PY) -m benchmarks.load --seconds 10

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	DJANGO_SETTINGS_MODULE=faqsite.settings.test $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var staticfiles
