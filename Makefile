# The README's two commands: `make run` and `make test`. Everything else here serves them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# The lock files (docs/operations.md, "Dependencies"): every package pinned with its hashes, for Python 3.10–3.13.
# `make` installs requirements/dev.txt (runtime + development), the Dockerfile requirements/base.txt.
LOCK := requirements/dev.txt
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml $(LOCK) | cksum | cut -d' ' -f1)

# make run: the embedded default, no services needed. `PORT=8001 make run` serves on another port; the links
# the demo prints and the e-mails it writes to the console follow it (DJANGO_SITE_URL).
PORT ?= 8000
RUN_SITE_URL := $(or $(DJANGO_SITE_URL),http://127.0.0.1:$(PORT))
RUN_ENV := DJANGO_DEBUG=1 DATABASE_URL=sqlite:///$(CURDIR)/var/db.sqlite3 REDIS_URL= CELERY_BROKER_URL= \
	EMAIL_URL=consolemail:// DJANGO_READ_DOT_ENV=0 DJANGO_SITE_URL=$(RUN_SITE_URL)

# Management commands that only read code (messages, migrations check) need no real secrets.
DEV_ENV := DJANGO_DEBUG=1 DJANGO_READ_DOT_ENV=0 DATABASE_URL=sqlite:///$(CURDIR)/var/db.sqlite3 EMAIL_URL=consolemail://

.PHONY: run test setup messages lint check-migrations clean po backup restore lock guide

$(STAMP): pyproject.toml $(LOCK)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $@

setup: $(STAMP)

messages: $(STAMP)
	@if command -v msgfmt >/dev/null; then $(DEV_ENV) $(PY) manage.py compilemessages --ignore=.venv -v0; \
	else $(PY) -m dimios_web.compile_catalogues; fi

run: setup messages
	$(RUN_ENV) $(PY) manage.py migrate --no-input -v0
	$(RUN_ENV) $(PY) manage.py load_demo_data
	$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# Every app mypy checks (django-stubs): all of them.
APPS := dimios_web surveys maturity reports
TEMPLATE_DIRS := templates surveys/templates maturity/templates reports/templates dimios_web/identity/templates

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/djlint --lint $(TEMPLATE_DIRS)
	$(DEV_ENV) $(BIN)/mypy $(APPS)

check-migrations: setup
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run

test: setup messages lint check-migrations
	DJANGO_DEBUG=1 DJANGO_SECRET_KEY=test-only-secret DJANGO_ALLOWED_HOSTS=testserver,localhost,127.0.0.1 \
	EMAIL_URL=dummymail:// DJANGO_READ_DOT_ENV=0 $(BIN)/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var staticfiles

# Backup and restore (docs/operations.md): the database named by DATABASE_URL (or .env) and MEDIA_ROOT.
# `make backup` writes var/backups/dimios-backup-YYYYMMDD-HHMMSS/ (BACKUP_DIR=… elsewhere);
# `make restore BACKUP=var/backups/dimios-backup-…` replaces the database's content and the report files.
BACKUP_DIR ?= var/backups
backup: setup
	$(PY) manage.py backup --output $(BACKUP_DIR)

restore: setup
	@test -n "$(BACKUP)" || { echo "Name the backup folder: make restore BACKUP=var/backups/dimios-backup-…"; exit 2; }
	$(PY) manage.py restore $(BACKUP) --yes

# Recompile the lock files from pyproject.toml's bounds, keeping every pinned version that still fits:
# `make lock`; move one package on: `make lock UPGRADE="--upgrade-package pandas"`; everything: UPGRADE=--upgrade.
# One universal resolution (environment markers) serves Python 3.10 to 3.13.
UV_COMPILE = $(BIN)/uv pip compile --quiet --universal --python-version 3.10 --generate-hashes \
	--custom-compile-command "make lock" $(UPGRADE)
lock: setup
	$(UV_COMPILE) --extra dev pyproject.toml -o requirements/dev.txt
	$(UV_COMPILE) pyproject.toml -c requirements/dev.txt -o requirements/base.txt

# Extract the translatable strings of one catalogue: `make po APP=surveys` (or APP=. for templates/ and
# dimios_web/). Each app keeps its own catalogue in <app>/locale/sv/LC_MESSAGES/django.po.
po: setup
	@if [ "$(APP)" = "." ]; then \
	  DJANGO_DEBUG=1 DJANGO_READ_DOT_ENV=0 $(PY) manage.py makemessages -l sv --no-obsolete \
	    --ignore=.venv --ignore=surveys --ignore=maturity --ignore=reports --ignore=tests --ignore=benchmarks \
	    --ignore=staticfiles --ignore=static; \
	else cd $(APP) && mkdir -p locale && DJANGO_SETTINGS_MODULE=dimios_web.settings PYTHONPATH=$(CURDIR) \
	  DJANGO_DEBUG=1 DJANGO_READ_DOT_ENV=0 $(CURDIR)/$(BIN)/django-admin makemessages -l sv --no-obsolete; fi

# The screenshots of docs/guide.md, made from the demo in Chromium (docs/guide/screenshots.py).
guide: setup messages
	$(PY) docs/guide/screenshots.py
