#!/bin/sh
# The build steps of the production image that need no Docker: compile the translation catalogues and
# collect the static files with the production storage (hashed names, compressed copies, a manifest).
# The Dockerfile runs this script, and so does tests/core/test_production.py on a fresh copy of the
# repository, so the two cannot drift apart. No secret or service is needed: the values below only let the
# settings load. STATIC_ROOT comes from DJANGO_STATIC_ROOT (the image: /app/staticfiles).
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"

export DJANGO_READ_DOT_ENV=0 DJANGO_DEBUG=0 DJANGO_SECRET_KEY=build-only-not-a-secret \
  DJANGO_ALLOWED_HOSTS=localhost EMAIL_URL=dummymail:// DIMIOS_ONE_MACHINE=1 \
  DATABASE_URL="sqlite:///${TMPDIR:-/tmp}/dimios-build.sqlite3"

"$PYTHON" manage.py compilemessages --ignore=.venv -v0
"$PYTHON" manage.py collectstatic --no-input --clear -v0
