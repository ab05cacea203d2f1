"""Settings for the GCM Review Portal.

One module, read from environment variables: production differs from a developer's machine only
by its environment (see the settings table in README.md). A checkout may also hold a `.env` file
of local settings (`make run` writes one with DEBUG=1, git ignores it), read here before
anything else; a variable set in the real environment always wins over the file's. Production
has no `.env`.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent

# The checkout's local settings, so that every command the docs show runs as written
# (`python manage.py export_answers …` needs DEBUG=1 or a SECRET_KEY). override=False: the real
# environment wins. No file, no change.
load_dotenv(BASE_DIR / ".env", override=False)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (set DEBUG=1 for local development)."
        )
    # Development only: never used when DEBUG is off.
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105  # nosec B105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "gcmreview.views.csrf_failure"

INSTALLED_APPS = [
    "gcmreview.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "corsheaders",
    "accounts",
    "questionnaire",
    "reports",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A view that hits an unreachable database answers 503 "try again" (gcmreview.outage).
    "gcmreview.outage.DatabaseUnavailableMiddleware",
    "gcmreview.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # CORS headers on /api/v1/ only (CORS_URLS_REGEX), before CommonMiddleware as it asks.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A logged-in user's saved language (User.language) over the cookie's: after auth and locale.
    "accounts.language.UserLanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages: an ended session leaves a note for the login page.
    "accounts.middleware.IdleSessionMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gcmreview.urls"
WSGI_APPLICATION = "gcmreview.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.account",
            ],
        },
    },
]

# PostgreSQL in production and CI; a SQLite file so that a newcomer's `make run` needs nothing.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# SQLite is one file that one writer at a time may change. While the background worker writes
# (the regional compilation), a request that wants to write waits its turn instead of failing
# with "database is locked": WAL lets readers go on beside the writer, the busy timeout is how
# long a writer waits for the lock, and immediate transactions take the lock when they begin (a
# deferred one that read first cannot wait for it: SQLite refuses it at once). PostgreSQL needs
# none of this.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,  # seconds
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes watches every authentication and refuses locked-out ones (it needs the request:
# log in through the login forms, or with force_login in tests); ModelBackend checks the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {
        # Django's max_similarity (0.7) on purpose: the check compares letter counts, so a lower
        # value refuses honest passphrases ("a-much-longer-new-passphrase" scores 0.57 against
        # "user12@example.org"), pushing people towards shorter, stranger passwords.
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "first_name", "last_name", "email")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("ar", _("Arabic")),
    ("fr", _("French")),
]
LANGUAGES_BIDI = ["ar"]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Arabic's number separators (gcmreview/formats/ar/formats.py); every other format is Django's.
FORMAT_MODULE_PATH = ["gcmreview.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# collectstatic copies (and, with DEBUG off, compresses and fingerprints) the static files here;
# whitenoise serves them.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Several app servers and workers share one file store (docs/deploy.md): with
# AWS_STORAGE_BUCKET_NAME set, attachments, PDFs and compilations go to that S3-compatible bucket
# (django-storages) instead of MEDIA_ROOT. Credentials come from AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY in the environment (or the machine's role), read by boto3 itself.
# Files are always served through the portal's own views, which check permissions first.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL") or None  # MinIO, Ceph, ...
    AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME") or None
    AWS_S3_ADDRESSING_STYLE = os.environ.get("AWS_S3_ADDRESSING_STYLE") or None  # "path": MinIO
    AWS_LOCATION = os.environ.get("AWS_LOCATION", "")  # a prefix inside the bucket
    AWS_DEFAULT_ACL = None  # objects inherit the bucket's (private) policy
    AWS_S3_FILE_OVERWRITE = False  # a second file of the same name gets a new name
    AWS_S3_SIGNATURE_VERSION = "s3v4"
    AWS_QUERYSTRING_EXPIRE = 300  # should a signed URL ever be made, it lasts five minutes

# Background work (the regional compilation) goes through Django's tasks API: the database
# backend, run by `manage.py db_worker` processes; tests use the immediate backend.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Published reviews' PDFs (reports/public_pdf.py) are rendered once and served from storage,
# cached by browsers and proxies for PUBLIC_PDF_MAX_AGE seconds. One not yet stored is rendered
# on demand: at most PUBLIC_PDF_RENDERS_AT_ONCE at a time across all servers (more are refused
# with 503), and at most PUBLIC_PDF_RENDERS_PER_MINUTE a minute per client address (429).
# The read-only API (docs/api.md). Anyone's script may read the public endpoints from another
# site (CORS `*`, never with credentials: cookies are no API credential, only tokens are).
API_PATH_PREFIX = "/api/"
CORS_URLS_REGEX = r"^/api/v1/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ("GET", "OPTIONS")
CORS_EXPOSE_HEADERS = ("ETag", "Retry-After")
# Requests a minute: per client address without a token, per token with one (429 beyond).
API_RATE_ANONYMOUS = int(os.environ.get("API_RATE_ANONYMOUS", "120"))
API_RATE_TOKEN = int(os.environ.get("API_RATE_TOKEN", "600"))
# Seconds browsers and proxies may keep a public API answer; items in a page by default.
API_MAX_AGE = int(os.environ.get("API_MAX_AGE", "300"))
API_PAGE_SIZE = 50

PUBLIC_PDF_MAX_AGE = int(os.environ.get("PUBLIC_PDF_MAX_AGE", "3600"))
PUBLIC_PDF_RENDERS_AT_ONCE = int(os.environ.get("PUBLIC_PDF_RENDERS_AT_ONCE", "1"))
PUBLIC_PDF_RENDERS_PER_MINUTE = int(os.environ.get("PUBLIC_PDF_RENDERS_PER_MINUTE", "6"))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "GCM Review Portal <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The portal's public address, for links in e-mails sent outside a request (invitations, reminders).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Accounts and sessions (docs/security.md, "Accounts and sessions").
# Lockout: this many failed logins for one username from one address lock that pair out.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
AXES_VERBOSE = False  # no banner at every start; lockouts are still logged

# Two-factor authentication (TOTP, with backup codes): required of ESCWA staff and admins,
# available to everyone else.
OTP_REQUIRED_FOR_STAFF = env_bool("OTP_REQUIRED_FOR_STAFF", default=True)
OTP_TOTP_ISSUER = "GCM Review Portal (ESCWA)"
# django-otp's own wait after wrong codes is per device, so it held up the right code of the
# person too: off. accounts.services throttles per session and address instead.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# An authenticator being set up must be confirmed within this time, in the session that was shown
# its key; after that it is deleted and the setup starts again with a new key.
TWO_FACTOR_SETUP_TIMEOUT = datetime.timedelta(
    minutes=int(os.environ.get("TWO_FACTOR_SETUP_MINUTES", "30"))
)

# A session ends after SESSION_IDLE_MINUTES without a request, and SESSION_MAX_HOURS after
# logging in whatever happens; pages warn SESSION_WARNING_MINUTES before the idle end.
SESSION_IDLE_TIMEOUT = int(float(os.environ.get("SESSION_IDLE_MINUTES", "30")) * 60)
SESSION_WARNING_BEFORE = int(float(os.environ.get("SESSION_WARNING_MINUTES", "5")) * 60)
SESSION_COOKIE_AGE = int(float(os.environ.get("SESSION_MAX_HOURS", "8")) * 3600)

# At most this many password-reset e-mails per address and per client address an hour.
PASSWORD_RESET_PER_HOUR = int(os.environ.get("PASSWORD_RESET_PER_HOUR", "5"))

# Security: strict in production (DEBUG off), relaxed only for local HTTP development.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# The language chosen on a page is no secret, but a cookie sent over plain HTTP can be set by
# anyone on the path; like the others it travels over HTTPS only, and never to scripts.
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
# No script reads the CSRF cookie: they take the token from the page's forms.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
BEHIND_PROXY = env_bool("BEHIND_PROXY")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp 4): everything from the portal itself, no inline script or
# style anywhere (the pages' behaviour lives in static/js/, configured by data attributes).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Features no page uses, refused to every page and anything it might embed.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint announces every layout step of every PDF at INFO; its warnings and errors
    # (a refused URL, a bad CSS rule) still reach the log. pypdf warns once per flaw of a PDF
    # it reads, and uploaded PDFs are anyone's (questionnaire/filetypes.py): a crafted one would
    # write thousands of lines; its errors still reach the log.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}, "pypdf": {"level": "ERROR"}},
}
