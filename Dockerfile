# One image for web, worker and beat. Chromium is a system dependency of the worker (the annual report's
# PDF is printed by headless Chromium); fonts-dejavu gives the report Swedish characters; postgresql-client
# gives `manage.py backup` / `restore` their pg_dump and pg_restore (docs/operations.md).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_STATIC_ROOT=/app/staticfiles DJANGO_MEDIA_ROOT=/app/media

RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium fonts-dejavu-core gettext curl postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --create-home --home-dir /home/dimios --shell /usr/sbin/nologin dimios

WORKDIR /app
# The runtime lock (requirements/base.txt, every package pinned with its hashes: docs/operations.md) first, in
# its own layer, so a code change does not reinstall the packages; then the project itself without resolving.
COPY requirements/base.txt requirements/base.txt
RUN pip install --require-hashes -r requirements/base.txt
COPY . .
# Static files and compiled catalogues are built into the image by the same script the test suite runs
# (scripts/build-assets.sh); no secret is needed to build them. The code stays owned by root: the
# application user can write only the media folder.
RUN pip install --no-deps -e . \
    && PYTHON=python scripts/build-assets.sh \
    && mkdir -p /app/media /app/backups && chown dimios:dimios /app/media /app/backups

USER dimios
EXPOSE 8000
# Migrations (under a lock) and reference data before any command: docker/entrypoint.sh.
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["gunicorn", "dimios_web.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"]
