"""Settings come from the environment, with safe defaults for `make run` (SQLite under var/).

Production: set COSO_SECRET_KEY, COSO_DEBUG=0, COSO_ALLOWED_HOSTS and DATABASE_URL (PostgreSQL for a province
or the nation); `coso check --deploy` is then clean. `coso serve` runs the app that way (gunicorn, static files by
WhiteNoise, the task worker beside it); deploy/ holds the systemd units and an nginx example, and deploy/README.md
every setting.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("COSO_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded database and uploads live here


def _flag(name: str, default: bool) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in ("1", "true", "yes", "on")


DEBUG = _flag("COSO_DEBUG", True)
SECRET_KEY = os.environ.get("COSO_SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789")
ALLOWED_HOSTS = [h for h in os.environ.get("COSO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("COSO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "coso.core",
    "coso.orgs",
    "coso.accounts",
    "coso.members",
    "coso.meetings",
    "coso.evaluation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "coso.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    "coso.core.middleware.SecurityHeadersMiddleware",
    "coso.core.middleware.BusyDatabaseMiddleware",
    "coso.core.middleware.AccessLogMiddleware",
    # last: turns a locked-out login into the lockout page
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "coso.urls"
WSGI_APPLICATION = "coso.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "coso" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "coso.core.context.as_of",
            ],
            "builtins": ["coso.core.templatetags.vn"],
        },
    }
]

# Each server thread keeps its connection for COSO_CONN_MAX_AGE seconds (60) instead of opening one per request: on
# SQLite opening one (its functions, the pragmas) and closing it (the last connection checkpoints the write-ahead
# log and deletes it) cost ~3 ms of every page, a quarter of a light one; on PostgreSQL a connection is a process.
COSO_CONN_MAX_AGE = int(os.environ.get("COSO_CONN_MAX_AGE", "60"))
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'coso.sqlite3'}"),
        conn_max_age=COSO_CONN_MAX_AGE,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # One writer at a time: a write waits up to COSO_SQLITE_TIMEOUT seconds (default 20) for another to finish,
    # and takes its lock when its transaction begins (IMMEDIATE), so two writers never deadlock half-way; past
    # the wait, pages and commands say the database is busy (core.middleware.BusyDatabaseMiddleware).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": int(os.environ.get("COSO_SQLITE_TIMEOUT", "20")),
    }
elif "postgresql" in DATABASES["default"]["ENGINE"]:
    # Coso's statements are interactive reports. PostgreSQL's JIT compiles a province's compliance report for
    # ~0.2 s and wins nothing back on it, and with the default work_mem (4 MB) its grouping spills to disk (~0.4
    # s): `make bench`, case g2. So Coso's sessions run with JIT off and 64 MB per sort or hash, unless
    # COSO_PG_OPTIONS says otherwise (libpq `options`, e.g. "-c jit=off -c work_mem=16MB" on a small server
    # with many connections).
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "options", os.environ.get("COSO_PG_OPTIONS", "-c jit=off -c work_mem=64MB")
    )

# Reports (`coso report`) read from a replica when DATABASE_REPLICA_URL is set (core.replica); writes never go
# there. In the tests the replica mirrors the primary.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=COSO_CONN_MAX_AGE
    )
    if DATABASES["replica"]["ENGINE"] == DATABASES["default"]["ENGINE"]:
        DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
        DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["coso.core.replica.ReplicaRouter"]

# Background work (imports, exports, big reports): Django's task framework through the `django-tasks` backport,
# tasks stored in the database and run by `coso db_worker` (started by `make run`). COSO_TASKS_BACKEND may name
# another backend, e.g. "django_tasks.backends.immediate.ImmediateBackend" to run tasks inside the request
# (the tests do that, so they need no worker).
TASKS = {
    "default": {
        "BACKEND": os.environ.get("COSO_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# A running job's worker writes a heartbeat (core.jobs). A job whose worker is on another host (its process cannot
# be seen from here) is marked failed when its last heartbeat is older than COSO_JOB_STALE_SECONDS; 0 turns that
# off. Default 120 on PostgreSQL; 0 on SQLite, where the workers share the host (their pid is checked instead) and a
# write holds the whole database, so no heartbeat can be written while an import writes.
COSO_JOB_STALE_SECONDS = int(
    os.environ.get(
        "COSO_JOB_STALE_SECONDS", "0" if DATABASES["default"]["ENGINE"].endswith("sqlite3") else "120"
    )
)

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes): after COSO_LOGIN_FAILURES wrong passwords (default 5) for one user name from one
# address, that pair is locked for COSO_LOGIN_COOLOFF_MINUTES (default 15), the right password included; the
# lockout page says so in Vietnamese. Every attempt is logged (AccessAttempt, AccessLog, the system administrator's
# access log page).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("COSO_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("COSO_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "coso.accounts.views.locked_out"
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("COSO_PROXY_COUNT", "0"))
AXES_VERBOSE = False

# Two-factor sign-in (accounts.twofactor): the system administrator and the organization and inspection
# commissions give a code from an authenticator app (or a recovery code) after their password. COSO_REQUIRE_2FA
# turns it on or off; by default it is on with production settings (COSO_DEBUG=0) and off for `make run`'s demo.
COSO_REQUIRE_2FA = _flag("COSO_REQUIRE_2FA", not DEBUG)
OTP_TOTP_ISSUER = os.environ.get("COSO_2FA_ISSUER", "Coso")
OTP_TOTP_THROTTLE_FACTOR = 1

# Sessions end after COSO_SESSION_IDLE_MINUTES without a request (default 30): each request renews the cookie.
SESSION_COOKIE_AGE = 60 * int(os.environ.get("COSO_SESSION_IDLE_MINUTES", "30"))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy: only the app's own scripts, styles, images and fonts (no inline script, no CDN); style
# attributes stay allowed for the width of the bars in reports.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "orgs:tree"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("COSO_STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise looks there from the start
# Uploads (decision files ...) live here under random names; they are never served under MEDIA_URL, only through
# views that check login and scope (core.pages.stored_file).
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("COSO_MEDIA_ROOT", VAR_DIR / "media"))
# Static files: WhiteNoise serves them from STATIC_ROOT (`coso collectstatic`, run by `coso serve`), compressed
# (gzip, brotli) and, in production, under hashed names cached for a year.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_MANIFEST_STRICT = False  # a file collectstatic has not seen yet is served under its own name
# source maps (most of the bytes of the API docs' and the browsable API's assets) are for developers' tools, which
# take them as they are: compressing them (brotli) was most of a start's minute
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# What an upload may be (coso.core.upload): COSO_UPLOAD_MAX_MB per file (default 25, nginx's client_max_body_size
# in deploy/nginx-coso.conf); an .xlsx at most COSO_XLSX_MAX_UNZIPPED_MB once unzipped (300), and the first sheet
# of an import at most COSO_IMPORT_MAX_ROWS rows (200,000: twice a province's members) and COSO_IMPORT_MAX_COLUMNS
# columns (50; the templates have 5 to 16). A file past any limit is refused before it is read.
COSO_UPLOAD_MAX_BYTES = int(os.environ.get("COSO_UPLOAD_MAX_MB", "25")) * 1024 * 1024
COSO_XLSX_MAX_UNZIPPED_BYTES = int(os.environ.get("COSO_XLSX_MAX_UNZIPPED_MB", "300")) * 1024 * 1024
COSO_IMPORT_MAX_ROWS = int(os.environ.get("COSO_IMPORT_MAX_ROWS", "200000"))
COSO_IMPORT_MAX_COLUMNS = int(os.environ.get("COSO_IMPORT_MAX_COLUMNS", "50"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "coso.accounts.auth.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "coso.core.schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "coso.core.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["coso.accounts.auth.UserThrottle", "coso.accounts.auth.AnonThrottle"],
}
# API tokens stop working COSO_TOKEN_DAYS after they are made (default 90); requests are limited per user and,
# without a login, per address (COSO_API_USER_RATE, COSO_API_ANON_RATE: "N/second|minute|hour|day").
COSO_TOKEN_DAYS = int(os.environ.get("COSO_TOKEN_DAYS", "90"))
COSO_API_RATES = {
    "user": os.environ.get("COSO_API_USER_RATE", "1200/minute"),
    "anon": os.environ.get("COSO_API_ANON_RATE", "60/minute"),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Coso API",
    "DESCRIPTION": "API của Coso: cây tổ chức đảng theo thời gian, tái cấu trúc, báo cáo. Xác thực bằng token.",
    "VERSION": "1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "coso.core.schema.postprocess",
    ],
    "PATH_CONVERTER_OVERRIDES": {"id": int},
    "ENUM_NAME_OVERRIDES": {
        "MemberStatusEnum": "coso.members.models.Status",
        "ExitStatusEnum": "coso.members.services.EXIT_CHOICES",
        "GenderEnum": "coso.members.models.Gender",
        "MeetingKindEnum": "coso.meetings.serializers.MEETING_KINDS",
        "MeetingStatusEnum": "coso.meetings.serializers.MEETING_STATUSES",
        "TaskStatusEnum": "coso.meetings.serializers.TASK_STATUSES",
        "AttendanceRoleEnum": "coso.meetings.serializers.ATTENDANCE_ROLES",
        "RoleEnum": "coso.core.scope.ROLES.items",
    },
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _flag("COSO_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("COSO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("COSO_LOG_LEVEL", "WARNING")},
}
