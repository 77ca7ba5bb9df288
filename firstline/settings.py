"""One settings module, driven by the environment (see CONTRACT.md "Settings").

Bad values fail loudly at start-up rather than at the first request.
"""

import os
import secrets
import sys
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
# var/ holds the SQLite database, the generated secret key and uploads. It lives beside the
# checkout (the directory holding pyproject.toml) unless FIRSTLINE_VAR_DIR says otherwise.
VAR_DIR = Path(os.environ.get("FIRSTLINE_VAR_DIR", BASE_DIR.parent / "var")).resolve()


def _env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be on/off (got {raw!r})")


def _secret_key() -> str:
    key = os.environ.get("FIRSTLINE_SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        # Written once; exclusive create so two processes starting together agree.
        try:
            with open(path, "x", encoding="ascii") as fh:
                fh.write(secrets.token_urlsafe(50))
            path.chmod(0o600)
        except FileExistsError:
            pass
    return path.read_text(encoding="ascii").strip()


DEBUG = _env_bool("FIRSTLINE_DEBUG")
SECRET_KEY = _secret_key()
# Not "*": a forged Host header would end up in absolute links (a self-report link). Local
# names by default (make demo); a deployment lists its own names (docs/deploy.md).
ALLOWED_HOSTS = [h.strip() for h in os.environ.get(
    "FIRSTLINE_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("FIRSTLINE_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

TIME_ZONE = os.environ.get("FIRSTLINE_TIME_ZONE", "Asia/Shanghai")
try:
    ZoneInfo(TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError) as exc:
    raise ImproperlyConfigured(f"FIRSTLINE_TIME_ZONE: unknown time zone {TIME_ZONE!r}") from exc
USE_TZ = True

LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English")]
LANGUAGE_CODE = os.environ.get("FIRSTLINE_LANGUAGE", "zh-hans").lower()
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(
        f"FIRSTLINE_LANGUAGE must be one of {', '.join(dict(LANGUAGES))} (got {LANGUAGE_CODE!r})"
    )
USE_I18N = True
LOCALE_PATHS = [BASE_DIR / "locale"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "firstline",  # before WhiteNoise's runserver: firstline's own extends it
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "ninja",
    "django_tasks",
    "firstline.tasksdb.TasksDatabaseConfig",
    "firstline.rules",
    "firstline.exportjobs",
    "firstline.areas",
    "firstline.accounts",
    "firstline.people",
    "firstline.access",
    "firstline.isolation",
    "firstline.assistance",
    "firstline.operations",
    "firstline.residents",
    "firstline.lists",
    "firstline.reports",
]

MIDDLEWARE = [
    "firstline.middleware.RequestBeganMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "firstline.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "firstline.middleware.ApiMethodNotAllowedMiddleware",
    "firstline.middleware.DatabaseUnavailableMiddleware",
    "firstline.middleware.UnstorableInputMiddleware",
]

ROOT_URLCONF = "firstline.urls"
WSGI_APPLICATION = "firstline.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

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
                "firstline.accounts.context.navigation",
            ],
        },
    }
]

_default_db = f"sqlite:///{VAR_DIR / 'firstline.sqlite3'}"
_db_url = os.environ.get("DATABASE_URL") or _default_db
if _db_url.startswith("sqlite:///var/"):
    # The contract's default is relative to the checkout, not to the current directory.
    _db_url = f"sqlite:///{VAR_DIR / _db_url.removeprefix('sqlite:///var/')}"
try:
    DATABASES = {"default": dj_database_url.parse(_db_url, conn_max_age=60)}
except Exception as exc:  # dj-database-url raises several types for a bad URL
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL + a busy timeout let the gate, the importer and the web UI share the file.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
    }
    if not DATABASES["default"]["NAME"] or DATABASES["default"]["NAME"] == ":memory:":
        DATABASES["default"]["NAME"] = ":memory:"
    else:
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
if sys.argv[1:2] == ["runserver"]:
    # Django's development server answers each request in a new thread: a connection kept
    # between requests would outlive its thread, until the database refuses new ones.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# A connection kept between requests (CONN_MAX_AGE) is checked before its first use in each
# request: one the server dropped (restart, pg_terminate_backend, a pooler's timeout) is
# replaced instead of failing the request (CONTRACT.md "Faults").
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Seconds a client is asked to wait before sending again after a 503 "unavailable".
DATABASE_RETRY_AFTER_SECONDS = int(os.environ.get("FIRSTLINE_RETRY_AFTER", "5"))
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("FIRSTLINE_TEST_DB_NAME") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Server-side prepared statements for the gate scan and the token lookup (PostgreSQL); off
# behind a pooler in transaction mode, which cannot keep them (docs/deploy.md).
# FIRSTLINE_DB_POOLER=transaction: DATABASE_URL points at a pooler in transaction mode
# (PgBouncer): no server-side cursors (they outlive a transaction) and, unless said otherwise,
# no prepared statements (docs/deploy.md "Connections").
DB_POOLER = os.environ.get("FIRSTLINE_DB_POOLER", "").strip().lower()
if DB_POOLER not in ("", "session", "transaction"):
    raise ImproperlyConfigured(f"FIRSTLINE_DB_POOLER must be transaction or session "
                               f"(got {DB_POOLER!r})")
if DB_POOLER == "transaction":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
PREPARED_STATEMENTS = _env_bool("FIRSTLINE_PREPARED_STATEMENTS",
                                default=DB_POOLER != "transaction")
if PREPARED_STATEMENTS and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # psycopg's own automatic preparation (0: a statement is prepared on a connection the
    # first time it runs there, then only executed). It applies to server-bound statements only (firstline.db's
    # prepared_cursor: the gate scan, the token lookup); the ORM binds on the client.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 0
# FIRSTLINE_GATE_FEVER_HOLD is retired: the fever hold is rule "gate.fever_hold" (firstline/rules,
# with effective dates, on by default). Retired means it has no effect: a deployment still
# setting it starts as any other, and is told once on stderr where the setting went.
if "FIRSTLINE_GATE_FEVER_HOLD" in os.environ:
    sys.stderr.write("firstline: FIRSTLINE_GATE_FEVER_HOLD is retired and ignored: the fever hold "
                     "is the rule gate.fever_hold (on by default; docs/access.md). "
                     "Unset the variable.\n")

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# docs/admin.md, docs/cli.md: at least 8 characters, not common, not all digits, not like the
# username (or the user's name).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# One process: local memory. Several processes or servers (gunicorn workers, two app
# machines): Redis, so the report cache and every rate limit kept in the cache are shared.
REDIS_URL = os.environ.get("FIRSTLINE_REDIS_URL", "").strip()
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            f"FIRSTLINE_REDIS_URL must be a redis://, rediss:// or unix:// URL, got {REDIS_URL!r}")
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL, "KEY_PREFIX": "firstline",
                          "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# /healthz checks the shared cache too when there is one, and says when it is down.
HEALTHZ_CHECK_CACHE = bool(REDIS_URL)

# Background work (roster imports, checklist matching, the scheduled checks) runs as tasks
# (django-tasks, the backport of Django 6's django.tasks) in `firstline worker` processes
# (docs/deploy.md "Worker"). Embedded default: the queue is a table in the database. With
# FIRSTLINE_REDIS_URL: RQ on that Redis. FIRSTLINE_TASKS=database|rq|immediate says so
# explicitly (immediate: run in the process that asks, e.g. a laptop with no worker).
TASKS_QUEUE = os.environ.get("FIRSTLINE_TASKS", "").strip().lower() or (
    "rq" if REDIS_URL else "database")
_task_backends = {
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    "rq": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
    "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
}
if TASKS_QUEUE not in _task_backends:
    raise ImproperlyConfigured(f"FIRSTLINE_TASKS must be one of {', '.join(_task_backends)} "
                               f"(got {TASKS_QUEUE!r})")
if TASKS_QUEUE == "rq":
    if not REDIS_URL:
        raise ImproperlyConfigured("FIRSTLINE_TASKS=rq needs FIRSTLINE_REDIS_URL")
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 6 * 3600}}
TASKS = {"default": _task_backends[TASKS_QUEUE]}

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # The hashed, compressed storage once `collectstatic` has run (production, see
        # docs/deploy.md); plain files served through the finders otherwise (demo, tests).
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if (VAR_DIR / "static" / "staticfiles.json").exists() and not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = VAR_DIR / "media"
# Export jobs' files (firstline.exportjobs), written by the worker, served to their owner
# by the app: one folder both see (a shared disk when they run on different machines).
EXPORTS_DIR = VAR_DIR / "exports"
FILE_UPLOAD_TEMP_DIR = None
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Security headers. HTTPS-only settings are switched on by FIRSTLINE_HTTPS (docs/deploy.md).
_https = _env_bool("FIRSTLINE_HTTPS")
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_SSL_REDIRECT = _https
SECURE_HSTS_SECONDS = 31536000 if _https else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _https
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _https else None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 3600
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline scripts anywhere: every script is a static file.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
CONTENT_SECURITY_POLICY_DOCS = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'")

# Uploads and imports: caps with a clear message (docs/people.md).
UPLOAD_MAX_MB = int(os.environ.get("FIRSTLINE_UPLOAD_MAX_MB", "50"))
IMPORT_MAX_ROWS = int(os.environ.get("FIRSTLINE_IMPORT_MAX_ROWS", "1000000"))

# Login throttling: failures counted per username and per address in a sliding window.
LOGIN_THROTTLE_LIMIT = int(os.environ.get("FIRSTLINE_LOGIN_THROTTLE_LIMIT", "5"))
LOGIN_THROTTLE_WINDOW_SECONDS = int(os.environ.get("FIRSTLINE_LOGIN_THROTTLE_WINDOW", "900"))
API_TOKEN_DAYS = int(os.environ.get("FIRSTLINE_API_TOKEN_DAYS", "30"))

# Request logs never write the values of a query string (`?q=<ID number>` is a contract URL):
# the filter redacts them on our console handler and on `firstline runserver`'s request log
# (django.server, redefined here with Django's own format); gunicorn's logs: gunicorn_conf.py.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_query": {"()": "firstline.logredact.RedactQuery"}},
    "formatters": {"django.server": {"()": "django.utils.log.ServerFormatter",
                                     "format": "[{server_time}] {message}", "style": "{"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_query"]},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server",
                          "filters": ["redact_query"]},
    },
    "loggers": {"django.server": {"handlers": ["django.server"], "level": "INFO",
                                  "propagate": False}},
    "root": {"handlers": ["console"], "level": os.environ.get("FIRSTLINE_LOG_LEVEL", "WARNING")},
}
TRUST_X_FORWARDED_FOR = _env_bool("FIRSTLINE_TRUST_X_FORWARDED_FOR")
# Our own proxies' addresses, skipped from the right of X-Forwarded-For (comma-separated).
TRUSTED_PROXIES = [a.strip() for a in os.environ.get("FIRSTLINE_TRUSTED_PROXIES", "").split(",")
                   if a.strip()]
