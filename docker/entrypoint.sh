#!/bin/sh
# The image's entrypoint: apply the migrations and load the reference data (prepare_database holds a
# PostgreSQL advisory lock, so web, worker and beat starting together migrate once), then run the
# container's command (gunicorn, celery worker, celery beat). DIMIOS_MIGRATE_ON_START=0 skips the first step.
set -eu
cd "$(dirname "$0")/.."
if [ "${DIMIOS_MIGRATE_ON_START:-1}" = "1" ]; then
  "${PYTHON:-python}" manage.py prepare_database
fi
exec "$@"
