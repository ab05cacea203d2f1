# GCM Review Portal: `make run` serves the demo, `make test` runs the whole suite.
# Both install what they need first (a virtualenv from pyproject.toml, Debian packages via apt).
# `make serve` runs it as production does (gunicorn, DEBUG off); `make bench` runs bench/;
# `make tour` takes a picture of every step of the browser journeys (docs/tour/), and of the
# PDFs' pages (`make pdf-tour`, docs/tour/pdf/).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HOST ?= 127.0.0.1
PORT ?= 8000

# Debian packages. WeasyPrint 70 loads Pango, PangoFT2, HarfBuzz (+ its subsetter), Fontconfig
# and GObject: the first three pull in the rest. The PDF's fonts ship in static/fonts/, so no font
# package is needed (Fontconfig's own dependency brings one anyway); no shared-mime-info either
# (WeasyPrint reads images with Pillow). gettext compiles the translations. Tests add Chromium,
# poppler-utils (pdftotext, pdffonts, pdftoppm) and Java for the W3C's HTML checker (vnu.jar).
RUN_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 gettext
TEST_DEBS := $(RUN_DEBS) chromium poppler-utils default-jre-headless

export DEBUG ?= 1

.PHONY: run test install messages system-deps test-deps lint check clean

# Compiled translations (locale/*/LC_MESSAGES/*.mo) are not committed: each is built from its .po,
# and rebuilt whenever that .po changes. msgfmt comes from Debian's gettext (RUN_DEBS).
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))
I18N_IGNORE := --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=var

$(STAMP): pyproject.toml
	@# Debian ships venv's pip bootstrap separately (python3-venv); install it when missing.
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-venv \
	  && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP) $(MO_FILES)

messages: $(MO_FILES)

# compilemessages runs `msgfmt --check-format`: a translation that drops or misspells a
# placeholder fails the build instead of failing a page.
locale/%.mo: locale/%.po | $(STAMP)
	@command -v msgfmt >/dev/null || $(MAKE) --no-print-directory system-deps
	$(BIN)/python manage.py compilemessages $(I18N_IGNORE) --locale $(firstword $(subst /, ,$*))
	@touch $@

# Installs only what is missing, so a second run costs a dpkg query.
system-deps:
	@missing=$$(for p in $(RUN_DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

test-deps:
	@missing=$$(for p in $(TEST_DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

# The checkout's local settings, read by gcmreview/settings.py: DEBUG=1, so that every command
# the docs show (`python manage.py export_answers …`) runs as written without exporting it by hand.
# Made when missing, never overwritten (edit it as you like); git ignores it.
.env:
	@printf '%s\n' \
	  '# Local settings of this checkout, made by `make run` and read by gcmreview/settings.py.' \
	  '# A variable set in the environment wins over this file. Never commit it (.gitignore);' \
	  '# production has no .env: it is configured by its environment (docs/deploy.md).' \
	  'DEBUG=1' > $@
	@echo "Wrote .env (DEBUG=1): local settings for this checkout."

run: system-deps install .env
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py loaddemo
	@# Public PDFs of reviews published before they were stored go to the worker started below
	@# (publishing a review queues its own).
	$(BIN)/python manage.py render_public_pdfs --queue
	@echo
	@echo "GCM Review Portal: http://$(HOST):$(PORT)/"
	@echo "Demo logins (password for all: gcm-demo-2020):"
	@echo "  admin    superuser (Django admin at /admin/)"
	@echo "  escwa    ESCWA reviewer"
	@echo "  morocco  focal point, Morocco"
	@echo "  jordan   focal point, Jordan"
	@echo "admin and escwa set up two-factor authentication at their first login (an authenticator"
	@echo "app scans the QR code shown); without a phone: OTP_REQUIRED_FOR_STAFF=0 make run"
	@echo "A background worker runs beside the web server (regional compilation, public PDFs); Ctrl+C stops both."
	@echo
	@# Ctrl+C reaches both (one process group). When the server stops by itself, the worker is
	@# stopped too. (Not `trap 'kill 0'`: that signals the shell itself, which runs the trap again.)
	@$(BIN)/python manage.py db_worker --queue-name '*' --no-reload & \
	  trap "kill $$! 2>/dev/null" EXIT; \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT)

.PHONY: serve bench

# Production-like, locally (docs/deploy.md): DEBUG off, static files collected and served by
# whitenoise, gunicorn with gcmreview/gunicorn.conf.py, and one background worker. Plain HTTP on
# 127.0.0.1, so no HTTPS redirect or HSTS; a new random SECRET_KEY unless one is set (sessions
# end when it stops). Uses DATABASE_URL, or db.sqlite3 (`make run` once loads the demo there).
serve: system-deps install
	@export DEBUG=0 SECURE_SSL_REDIRECT=0 SECURE_HSTS_SECONDS=0 \
	  ALLOWED_HOSTS="$${ALLOWED_HOSTS:-$(HOST),localhost}" \
	  SECRET_KEY="$${SECRET_KEY:-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')}" \
	  GUNICORN_BIND="$${GUNICORN_BIND:-$(HOST):$(PORT)}"; \
	$(BIN)/python manage.py migrate --noinput && \
	$(BIN)/python manage.py collectstatic --noinput -v 0 && \
	$(BIN)/python manage.py render_public_pdfs --queue && \
	echo "GCM Review Portal (production-like): http://$(HOST):$(PORT)/  Ctrl+C stops it." && \
	trap 'kill $$worker 2>/dev/null' EXIT; \
	$(BIN)/python manage.py db_worker --queue-name '*' --no-reload & worker=$$!; \
	$(BIN)/gunicorn --config gcmreview/gunicorn.conf.py gcmreview.wsgi

# Every benchmark in bench/ with quick settings, then one table of figures (bench/run_all.py).
# Needs PostgreSQL on 127.0.0.1:5432 (BENCH_POSTGRES_URL); each script makes and drops its own
# throwaway database. BENCH_ARGS="--full" for the scripts' own defaults, "--only load" for one.
bench: system-deps install
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

# The suite on TEST_WORKERS processes (pytest-xdist; each has its own test database): two, one
# per core of the machines CI runs on, which keeps CI under 20 minutes. TEST_WORKERS=0 runs it
# in this process, as a debugger wants.
TEST_WORKERS ?= 2
test: test-deps install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

.PHONY: tour
# A picture of every step of the browser journeys (tests/browser/test_journeys.py, and the
# administrator's, test_admin_journey.py, at 1,366 and 1,280 px) at desktop and
# phone width, in English and Arabic, in docs/tour/ with its index (docs/tour/README.md, also
# index.html). Old pictures go first; data and dates are fixed, so a rerun changes only what the
# pages changed. The whole pages, unreduced, land in test-results/tour/ (not committed).
# `make test` runs the same journeys, in English and without pictures.
tour: test-deps install
	rm -rf docs/tour test-results/tour
	GCM_TOUR_DIR=docs/tour $(BIN)/python -m pytest tests/browser/test_journeys.py tests/browser/test_word_journey.py tests/browser/test_regional_report_journey.py tests/browser/test_admin_journey.py -p no:randomly -q $(PYTEST_ARGS)
	$(MAKE) pdf-tour
	$(BIN)/python -m tests.browser.tour docs/tour

.PHONY: pdf-tour
# The PDFs page by page at 70 dpi, for people to look at (tests/browser/pdf_tour.py): Morocco's
# 2020 review in English, an Arabic review with English paragraphs mixed in, and the 22-country
# 2024 compilation in English and Arabic (cover, contents, a country, the annexes), in
# docs/tour/pdf/ with its index. A throwaway database; about five minutes.
# GCM_PDF_TOUR_PDFS=<folder> keeps the PDFs too.
pdf-tour: test-deps install
	DEBUG=1 $(BIN)/python -m tests.browser.pdf_tour docs/tour/pdf

lint: install
	$(BIN)/ruff check .

.PHONY: audit
# Security scans (docs/security.md): ruff's S rules, bandit, and pip-audit of the virtualenv.
audit: install
	$(BIN)/ruff check --select S .
	.ci/audit

check: install
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles .pytest_cache .ruff_cache $(MO_FILES)
