"""Settings for dimios_web. Everything comes from environment variables; `.env.example` documents each.

A missing or malformed value stops start-up with ``ImproperlyConfigured`` naming the variable.

Over 400 lines on purpose: one place where every setting and its environment variable is read and
checked (Django's convention); the sections are marked.
"""

from __future__ import annotations

import json
import os
import tempfile
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if os.environ.get("DJANGO_READ_DOT_ENV", "1") == "1" and (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """A strict boolean: anything but the usual spellings is an error that names the variable."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no), not {raw!r}.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    return value


def env_url(name: str, default: str | None, schemes: tuple[str, ...]) -> str | None:
    raw = os.environ.get(name, default)
    if raw is None or raw.strip() == "":
        return None
    scheme = raw.split("://", 1)[0] if "://" in raw else ""
    if scheme not in schemes:
        raise ImproperlyConfigured(
            f"{name} must be a URL starting with one of {', '.join(s + '://' for s in schemes)}; got {raw!r}."
        )
    return raw


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "insecure-development-key-only-for-DJANGO_DEBUG"
    else:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string (or set DJANGO_DEBUG=1 for "
            "local development)."
        )

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is not set: list the host names this site answers to.")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Where the site is reached from outside; used for links in e-mails.
SITE_URL = (os.environ.get("DJANGO_SITE_URL") or "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",  # issue 11: django-csp's system checks
    "surveys",
    "maturity",
    "reports",
    "dimios_web.demo",  # load_demo_data (make run), demo_totp_code
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",  # outside the autosave's short way (below)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # issue 11: Content-Security-Policy and Cache-Control: no-store on every page that is not a static file
    "dimios_web.middleware.ContentSecurityPolicyMiddleware",  # django-csp, its header built once
    "dimios_web.middleware.NoStoreMiddleware",
    "dimios_web.middleware.RejectControlCharactersMiddleware",
    # issue 14: a successful autosave is answered here, inside the headers above and before the rest
    "surveys.middleware.AutosaveMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # issue 17: the product's 404 page in make run's demo too (DEBUG), not Django's technical one
    "dimios_web.middleware.ProductNotFoundPageMiddleware",
]
# A developer who wants Django's technical 404 page (the URL patterns) with DJANGO_DEBUG=1 sets this.
DIMIOS_TECHNICAL_404 = env_bool("DJANGO_TECHNICAL_404", False)

ROOT_URLCONF = "dimios_web.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

WSGI_APPLICATION = "dimios_web.wsgi.application"

# --- Database -------------------------------------------------------------------------------------------
DATABASE_URL = env_url(
    "DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}", ("sqlite", "postgres", "postgresql")
)
try:
    DATABASES = {"default": environ.Env.db_url_config(DATABASE_URL)}
except Exception as exc:  # environ raises several kinds on a malformed URL
    raise ImproperlyConfigured(f"DATABASE_URL could not be read: {exc}") from exc
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DJANGO_CONN_MAX_AGE", 0, minimum=0)
# No health check of a kept connection before each request (it is a round trip on every request): after a
# database restart each worker's first request fails once and the worker reconnects (docs/deployment.md).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # Deleted rows (drafts, the response pool) are overwritten, not left in free pages of the file.
    DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA secure_delete = ON;"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# --- Language, time zone, formats -----------------------------------------------------------------------
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

# --- Static files ---------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# The default storage holds the annual reports' files (reports.ReportJob's FileFields; issue 13): a folder
# under MEDIA_ROOT unless DJANGO_DEFAULT_STORAGE names another backend (dotted path, e.g. django-storages'
# "storages.backends.s3.S3Storage", installed separately) with DJANGO_DEFAULT_STORAGE_OPTIONS as a JSON
# object: then web and worker hosts share no disk (docs/deployment.md).
try:
    _storage_options = json.loads(os.environ.get("DJANGO_DEFAULT_STORAGE_OPTIONS") or "{}")
except ValueError as _error:
    raise ImproperlyConfigured(f"DJANGO_DEFAULT_STORAGE_OPTIONS is not a JSON object: {_error}") from None
if not isinstance(_storage_options, dict):
    raise ImproperlyConfigured("DJANGO_DEFAULT_STORAGE_OPTIONS must be a JSON object, e.g. {}.")
STORAGES = {
    "default": {
        "BACKEND": os.environ.get("DJANGO_DEFAULT_STORAGE") or "django.core.files.storage.FileSystemStorage",
        "OPTIONS": _storage_options,
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = "media/"
WHITENOISE_MAX_AGE = 60 * 60 * 24 * 30
# In development and tests serve straight from static/ (no collectstatic); production serves STATIC_ROOT.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# --- Forms ----------------------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- E-mail ---------------------------------------------------------------------------------------------
EMAIL_URL = env_url(
    "EMAIL_URL",
    "consolemail://" if DEBUG else None,
    ("smtp", "smtps", "smtp+tls", "consolemail", "dummymail"),
)
if EMAIL_URL is None:
    raise ImproperlyConfigured("EMAIL_URL is not set: name the SMTP server, e.g. smtp://user:pass@host:587.")
try:
    vars().update(environ.Env.email_url_config(EMAIL_URL))
except Exception as exc:
    raise ImproperlyConfigured(f"EMAIL_URL could not be read: {exc}") from exc
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "DiMiOS <dimios@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ---------------------------------------------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", None, ("redis", "rediss"))
# --- issue 11: an empty CELERY_BROKER_URL= / CACHE_URL= (as in .env.example, read by compose's env_file)
# means "the default": REDIS_URL. Production refuses to start without a real broker and a shared cache
# unless DIMIOS_ONE_MACHINE=1 says that this is a one-machine install without Redis (docs/deployment.md).
DIMIOS_ONE_MACHINE = env_bool("DIMIOS_ONE_MACHINE", False)
CELERY_BROKER_URL = env_url("CELERY_BROKER_URL", None, ("redis", "rediss", "amqp", "memory")) or REDIS_URL
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
# --- end issue 11
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must never hang a request when the broker is down: fail fast, the job row stays queued.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5, "max_retries": 1}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # surveys (issue 4): windows ahead, scheduled closing and reminders, mails left pending, retention.
    "surveys-ensure-periods": {"task": "surveys.tasks.ensure_periods_task", "schedule": 24 * 60 * 60},
    "maturity-close-due-rounds": {"task": "maturity.tasks.close_due_rounds_task", "schedule": 15 * 60},
    "surveys-due-reminders": {"task": "surveys.tasks.schedule_due_reminders_task", "schedule": 10 * 60},
    # The response pool (docs/respondent-privacy.md): release full batches into the response tables.
    "maturity-release-response-pools": {
        "task": "maturity.tasks.release_response_pools_task",
        "schedule": 10 * 60,
    },
    # Comparison aggregates made stale by a change in surveys (an organisation's kind or county, a reopened
    # round); until refreshed, get_comparison computes that period from its rows (docs/dashboards.md).
    "maturity-refresh-stale-comparisons": {
        "task": "maturity.tasks.refresh_stale_comparisons_task",
        "schedule": 10 * 60,
    },
    "surveys-pending-invitations": {
        "task": "surveys.tasks.send_pending_invitations_task",
        "schedule": 5 * 60,
    },
    "surveys-delete-expired-addresses": {
        "task": "surveys.tasks.delete_expired_email_addresses_task",
        "schedule": 24 * 60 * 60,
    },
    # The weekly digest of actions (docs/actions.md, "Reminders"): Mondays 07:00 Stockholm time.
    "maturity-send-action-digests": {
        "task": "maturity.tasks.send_action_digests_task",
        "schedule": crontab(minute="0", hour="7", day_of_week="mon"),
    },
    # reports (issue 7): re-send annual report jobs left queued (broker down) or interrupted (worker killed).
    "reports-sweep-report-jobs": {"task": "reports.tasks.sweep_report_jobs_task", "schedule": 60},
}

# --- Cache (rate limits, the hidden-scopes cache) ---------------------------------------------------------
# issue 11: empty CACHE_URL= means REDIS_URL. The Redis backend degrades: when Redis cannot be reached a read
# is a miss and a write is skipped (the caller computes the value), see dimios_web/cache.py.
CACHE_URL = env_url("CACHE_URL", None, ("redis", "rediss")) or REDIS_URL
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "dimios_web.cache.DegradingRedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
elif DIMIOS_ONE_MACHINE and not DEBUG:
    # One machine, no Redis: a cache in files, shared by the web processes of this machine (rate limits).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("DJANGO_CACHE_DIR")
            or str(Path(tempfile.gettempdir()) / "dimios-cache"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "dimios"}}
if not DEBUG and not DIMIOS_ONE_MACHINE and (CELERY_BROKER_URL is None or CACHE_URL is None):
    missing = [
        name
        for name, value in (("CELERY_BROKER_URL", CELERY_BROKER_URL), ("CACHE_URL", CACHE_URL))
        if value is None
    ]
    raise ImproperlyConfigured(
        f"REDIS_URL is not set (nor {' / '.join(missing)}): production needs a Celery broker and a cache "
        "shared by every process. Set REDIS_URL=redis://HOST:6379/0, or DIMIOS_ONE_MACHINE=1 for a "
        "one-machine install whose tasks run inside the web process."
    )

# --- Domain settings ------------------------------------------------------------------------------------
# Days after a round closes before invitation e-mail addresses are deleted (DESIGN.md, Anonymity).
DIMIOS_EMAIL_RETENTION_DAYS = env_int("DIMIOS_EMAIL_RETENTION_DAYS", 90, minimum=0)
# Requests with an unknown survey link allowed per IP address per window (seconds); valid links never count.
DIMIOS_UNKNOWN_TOKEN_LIMIT = env_int("DIMIOS_UNKNOWN_TOKEN_LIMIT", 20, minimum=1)
DIMIOS_UNKNOWN_TOKEN_WINDOW = env_int("DIMIOS_UNKNOWN_TOKEN_WINDOW", 600, minimum=1)
# The Chromium that prints the annual report's PDF (default: `chromium` on the PATH).
REPORT_CHROMIUM_PATH = os.environ.get("REPORT_CHROMIUM_PATH", "")

# --- Open data (issue 15, docs/open-data.md) -------------------------------------------------------------
# The sharing organisations' published figures as files, a read-only JSON API (Django REST framework, its
# OpenAPI document by drf-spectacular) and a DCAT-AP-SE catalogue for dataportal.se.
INSTALLED_APPS += ["rest_framework", "drf_spectacular"]
_site_host = urlsplit(SITE_URL).hostname or "localhost"
# The name of this instance as the "source" of every record it publishes (benchmark format v1): another
# instance that imports the file replaces the records of the same source when it imports it again.
DIMIOS_OPEN_DATA_SOURCE = os.environ.get("DIMIOS_OPEN_DATA_SOURCE") or f"dimios: {_site_host}"
# Who publishes the dataset (the DCAT catalogue's dct:publisher) and the address questions go to.
DIMIOS_OPEN_DATA_PUBLISHER = os.environ.get("DIMIOS_OPEN_DATA_PUBLISHER") or f"DiMiOS ({_site_host})"
DIMIOS_OPEN_DATA_CONTACT_EMAIL = (
    os.environ.get("DIMIOS_OPEN_DATA_CONTACT_EMAIL") or parseaddr(DEFAULT_FROM_EMAIL)[1] or "dimios@localhost"
)
if "@" not in DIMIOS_OPEN_DATA_CONTACT_EMAIL:
    raise ImproperlyConfigured(
        f"DIMIOS_OPEN_DATA_CONTACT_EMAIL must be an e-mail address, not {DIMIOS_OPEN_DATA_CONTACT_EMAIL!r}."
    )
# Requests per anonymous client address to the API (DRF's rate syntax: "120/minute", "2000/hour").
DIMIOS_API_THROTTLE = os.environ.get("DIMIOS_API_THROTTLE") or "120/minute"
REST_FRAMEWORK = {
    # Open data: no logins (so no session authentication and none of its CSRF checks), read-only, JSON only
    # (no browsable HTML API: its inline scripts would break the Content-Security-Policy).
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"open_data": DIMIOS_API_THROTTLE},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "DiMiOS open data API",
    "DESCRIPTION": (
        "The organisation-wide digital-maturity figures that the sharing organisations of this instance "
        "publish, per measurement period (benchmark format v1). Read-only, no authentication."
    ),
    "VERSION": "1.0.0",
    # OpenAPI 3.1: its schemas are plain JSON Schema (2020-12), so a client can validate a response as is.
    "OAS_VERSION": "3.1.0",
    "LICENSE": {"name": "CC0 1.0", "url": "http://creativecommons.org/publicdomain/zero/1.0/"},
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
}

# --- Security (issue 11: `manage.py check --deploy --fail-level WARNING` passes in production) ----------
SESSION_COOKIE_HTTPONLY = True
# The database sessions, read with one plain query (dimios_web/session_store.py; docs/performance.md).
SESSION_ENGINE = "dimios_web.session_store"
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# No script reads the CSRF cookie (forms and fetch() send the token from the form), so it can be HttpOnly.
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HTTPS: redirect plain HTTP and send HSTS (defaults on in production, off with DJANGO_DEBUG=1). The health
# and readiness probes of a load balancer or docker compose talk plain HTTP inside the network: exempt.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^livez/$", r"^healthz/$", r"^readyz/?$"]
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 60 * 60, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS: list[str] = []
if not SECURE_HSTS_PRELOAD:
    # Preloading commits the whole registered domain (the municipality's, not only this site) to HTTPS in
    # every browser: a decision for the municipality's IT, so it is opt-in and its reminder is silenced.
    SILENCED_SYSTEM_CHECKS.append("security.W021")
# Behind a TLS proxy on another host the browser's Origin is the public site, not the Host the proxy sends:
# the site URL's origin is trusted for POSTs, plus any listed in DJANGO_CSRF_TRUSTED_ORIGINS.
_site_origin = "://".join(urlsplit(SITE_URL)[:2]) if "://" in SITE_URL else ""
if _site_origin and _site_origin not in CSRF_TRUSTED_ORIGINS:
    CSRF_TRUSTED_ORIGINS = [*CSRF_TRUSTED_ORIGINS, _site_origin]
# The number of reverse proxies in front of the web processes that append to X-Forwarded-For; the client
# address is the one the outermost trusted proxy saw. 0: REMOTE_ADDR (no proxy, or one that hides it).
DIMIOS_TRUSTED_PROXIES = env_int("DIMIOS_TRUSTED_PROXIES", 0, minimum=0)

# Content-Security-Policy (django-csp): scripts and styles only from this site, no inline script, no eval;
# nothing may frame the site. Plotly draws with inline style attributes (set through the DOM, allowed) and
# <style> rules it injects, hence 'unsafe-inline' for styles only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        # No form-action: the login form's single sign-on redirects to each organisation's own identity
        # provider, an address that is configuration (browsers apply form-action to that redirect).
        "frame-ancestors": ["'none'"],
    }
}
# --- end issue 11

# --- Staff identity (issue 12): allauth, single sign-on, MFA, login throttling, session timeouts ------------
# django-allauth does the login flows (password, OpenID Connect, SAML 2.0, TOTP + recovery codes); the rules
# of this product are in identity/ (adapters, throttle, sessions, middleware). docs/identity.md explains them.
INSTALLED_APPS += [
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "allauth.mfa",
    "dimios_web.identity",
]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
    "allauth.account.middleware.AccountMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("allauth.account.middleware.AccountMiddleware") + 1,
    "dimios_web.identity.middleware.StaffSessionMiddleware",
)
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
ACCOUNT_ADAPTER = "dimios_web.identity.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "dimios_web.identity.adapters.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*"]  # sign-up itself is closed (the adapter)
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False  # no "remember me": staff sessions follow the timeouts below
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_EMAIL_NOTIFICATIONS = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = SITE_URL.split("://", 1)[0]
ACCOUNT_FORMS = {
    "login": "dimios_web.identity.forms.LoginForm",
    "reset_password": "dimios_web.identity.forms.ResetPasswordForm",
    "reset_password_from_key": "dimios_web.identity.forms.ResetPasswordKeyForm",
    "change_password": "dimios_web.identity.forms.ChangePasswordForm",
    "set_password": "dimios_web.identity.forms.SetPasswordForm",
    "reauthenticate": "dimios_web.identity.forms.ReauthenticateForm",
}
# Password reset requests per client address and per e-mail address; failed logins are throttled by
# dimios_web.identity.throttle instead of allauth's own "login_failed" limit.
ACCOUNT_RATE_LIMITS = {
    "login_failed": False,
    "reset_password": os.environ.get("DIMIOS_PASSWORD_RESET_LIMIT", "10/m/ip,3/15m/key"),
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
}
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10
SOCIALACCOUNT_ONLY = False
MFA_ADAPTER = "dimios_web.identity.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "DiMiOS"
MFA_ALLOW_UNVERIFIED_EMAIL = True  # staff e-mail addresses are set by the organisation admin
MFA_FORMS = {
    "authenticate": "dimios_web.identity.forms.MFAAuthenticateForm",
    "activate_totp": "dimios_web.identity.forms.MFAActivateTOTPForm",
}
# A second factor for platform admins (superusers); organisations choose for their own staff.
DIMIOS_MFA_REQUIRED_FOR_SUPERUSERS = env_bool("DIMIOS_MFA_REQUIRED_FOR_SUPERUSERS", True)
# Staff sessions: idle timeout (minutes) and absolute timeout (hours). Respondents' survey sessions keep
# Django's own cookie age.
DIMIOS_SESSION_IDLE_MINUTES = env_int("DIMIOS_SESSION_IDLE_MINUTES", 30, minimum=1)
DIMIOS_SESSION_ABSOLUTE_HOURS = env_int("DIMIOS_SESSION_ABSOLUTE_HOURS", 10, minimum=1)
# Login throttling (dimios_web/identity/throttle.py): delay after this many failures in a row, lock after
# this many,
# for this long; at most this many failures per client address per window.
DIMIOS_LOGIN_DELAY_AFTER = env_int("DIMIOS_LOGIN_DELAY_AFTER", 3, minimum=1)
DIMIOS_LOGIN_MAX_DELAY = env_int("DIMIOS_LOGIN_MAX_DELAY", 60, minimum=1)
DIMIOS_LOGIN_LOCK_AFTER = env_int("DIMIOS_LOGIN_LOCK_AFTER", 10, minimum=2)
DIMIOS_LOGIN_LOCK_SECONDS = env_int("DIMIOS_LOGIN_LOCK_SECONDS", 15 * 60, minimum=1)
DIMIOS_LOGIN_WINDOW = env_int("DIMIOS_LOGIN_WINDOW", 15 * 60, minimum=1)
DIMIOS_LOGIN_ADDRESS_LIMIT = env_int("DIMIOS_LOGIN_ADDRESS_LIMIT", 50, minimum=1)
# --- end of staff identity ---------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
