# One image for web, worker and beat. Chromium is a system dependency of the worker (the annual report's
# PDF is printed by headless Chromium); fonts-dejavu gives the report Swedish characters.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_STATIC_ROOT=/app/staticfiles DJANGO_MEDIA_ROOT=/app/media

RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium fonts-dejavu-core gettext curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY . .
RUN pip install -e .
# Static files and compiled catalogues are built into the image; no secret is needed to build them.
RUN DJANGO_DEBUG=1 DJANGO_READ_DOT_ENV=0 python manage.py compilemessages --ignore=.venv -v0 \
    && DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=localhost EMAIL_URL=dummymail:// DJANGO_READ_DOT_ENV=0 \
       python manage.py collectstatic --no-input -v0 \
    && useradd --system --home /app dimios && mkdir -p /app/media && chown -R dimios /app/media

USER dimios
EXPOSE 8000
CMD ["gunicorn", "dimios_web.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"]
