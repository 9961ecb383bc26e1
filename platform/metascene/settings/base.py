"""Settings shared by every environment. Values that differ per machine come from environment variables.

With nothing set, Metascene runs on an embedded default: SQLite and uploads under ``var/``, and a Celery
broker on the local filesystem (a real worker process, no server). ``DATABASE_URL`` switches to PostgreSQL and
``REDIS_URL`` switches the broker and the cache to Redis.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF, WASM_UNSAFE_EVAL
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .builders import filesystem_broker_options, s3_storage, stage_time_limits

BASE_DIR = Path(__file__).resolve().parents[3]
VAR_DIR = Path(environ.Env().str("METASCENE_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

# --- Core -----------------------------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
SITE_NAME = "Metascene"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Login lockout: counts failed logins per account and per address (see Auth below).
    "axes",
    # The Content-Security-Policy header (see Security headers below).
    "csp",
    "competitions",
    "frontend",
]

MIDDLEWARE = [
    # First: each request's id for the log lines, and its count and latency for /metrics, whoever answers it.
    "frontend.observability.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise and everything that may answer on its own, so that every response carries the policy.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Sees a view's exception before the middleware above it: a database outage is a 503, a full disk a 507.
    "frontend.middleware.ServiceUnavailableMiddleware",
    # Last, as axes asks: turns a login refused for a lockout into the lockout page (429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "metascene.urls"
WSGI_APPLICATION = "metascene.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'metascene.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A process keeps its database connection for this many seconds instead of opening one per request (a PostgreSQL
# backend process each time); it is checked before each request reuses it, so one the server dropped meanwhile is
# replaced rather than failing the request. 0 closes it after every request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker write the same file: wait for the lock instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Sessions -------------------------------------------------------------------------------------------------
# Read from the cache and written through to the database, so a signed-in page reads no session row. Logging out
# deletes both copies; should the cache fail, sessions are read from the database. A password change still ends
# the person's other sessions: they are checked against the user row, which every request reads.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Auth -----------------------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The lockout backend comes first so that a locked-out account or address is refused before its password is
# checked (metascene/login_lockout.py).
AUTHENTICATION_BACKENDS = [
    "metascene.login_lockout.LoginPageLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# This many failed logins for one account, or from one address, within the cool-off lock it for the cool-off,
# counted from the last failure. Tries during a lockout are refused without extending it.
AXES_FAILURE_LIMIT = env.int("METASCENE_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("METASCENE_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "metascene.login_lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "metascene.login_lockout.client_address"
# Reverse proxies in front of the site (each appends to X-Forwarded-For); 0 when clients connect directly.
METASCENE_PROXY_COUNT = env.int("METASCENE_PROXY_COUNT", default=0)
LOGIN_URL = "frontend:login"
LOGIN_REDIRECT_URL = "frontend:dashboard"
LOGOUT_REDIRECT_URL = "frontend:home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3

EMAIL_BACKEND = env.str("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="Metascene <noreply@metascene.localhost>")

# --- Security headers -----------------------------------------------------------------------------------------
# Content-Security-Policy on every response: scripts, styles, images and connections come from this site only, and
# no inline script, inline style or style attribute runs, so text someone manages to inject into a page cannot
# execute. The templates have no inline code: their data travels in data- attributes read by static scripts.
# What the rest needs, each checked in Chromium (tests/browser/test_content_security_policy.py):
# - script-src 'wasm-unsafe-eval': the 3D viewer (model-viewer and the meshopt decoder, our own static copies)
#   compiles WebAssembly; this allows WebAssembly only, never eval();
# - style-src, one hash: model-viewer stamps its shadow DOM from a template holding one <style> block, which the
#   browser treats as an inline style; the hash allows exactly that text. Upgrading model-viewer changes it, and
#   tests/frontend/test_content_security_policy.py says so, with the new value;
# - connect-src blob:: three.js turns a GLB's embedded textures into blob: URLs and fetches them; img-src blob:
#   because Safari before 17 and Firefox before 98 load them through an image element instead;
# - img-src data:: Pico CSS draws its form icons (the select arrow, check marks) as data: SVG images.
# ReDoc's page has a looser policy of its own (metascene/urls.py).
MODEL_VIEWER_STYLE_HASH = "'sha256-PXtZZkJMMyc18o/DN1ZEFOJ2qEGq95IQbVaJFMOXOb0='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, WASM_UNSAFE_EVAL],
        "style-src": [SELF, MODEL_VIEWER_STYLE_HASH],
        "img-src": [SELF, "data:", "blob:"],
        "connect-src": [SELF, "blob:"],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Internationalisation -------------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
# New competitions are in Shanghai unless the organiser says otherwise.
DEFAULT_COMPETITION_TIME_ZONE = "Asia/Shanghai"

# Judging: a judge sharing an email domain with a team member is in conflict with that team, except on these
# domains, which anyone can have an address on (and the reserved example domains, which are no organisation).
METASCENE_PUBLIC_EMAIL_DOMAINS = frozenset(
    env.list(
        "METASCENE_PUBLIC_EMAIL_DOMAINS",
        default=[
            "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com",
            "icloud.com", "me.com", "proton.me", "protonmail.com", "qq.com", "foxmail.com", "163.com", "126.com",
            "yeah.net", "sina.com", "sina.cn", "sohu.com", "aliyun.com", "139.com",
            "example.com", "example.org", "example.net",
        ],
    )
)  # fmt: skip

# --- Files ----------------------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.str("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = env.str("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media"))


# Uploads, artifacts and archives: on this machine's disk under MEDIA_ROOT (the embedded default), or in an
# S3-compatible bucket when METASCENE_S3_BUCKET is set, so that web and worker machines share no disk.
METASCENE_S3_BUCKET = env.str("METASCENE_S3_BUCKET", default="")
DEFAULT_FILE_STORAGE_SETTINGS = (
    s3_storage(
        bucket=METASCENE_S3_BUCKET,
        endpoint_url=env.str("METASCENE_S3_ENDPOINT_URL", default=""),
        region=env.str("METASCENE_S3_REGION", default="us-east-1"),
        prefix=env.str("METASCENE_S3_PREFIX", default=""),
        url_seconds=env.int("METASCENE_S3_URL_SECONDS", default=300),
    )
    if METASCENE_S3_BUCKET
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
)
STORAGES = {
    "default": DEFAULT_FILE_STORAGE_SETTINGS,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploads larger than this go to a temporary file while they arrive, never into memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# --- REST framework -------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # drf-spectacular's, documenting each operation's error responses with the one error body.
    "DEFAULT_SCHEMA_CLASS": "competitions.api.schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # Every error (a service's RuleError, invalid input, 401, 403, 404, 429...) is {"code", "detail", "field"}.
    "EXCEPTION_HANDLER": "competitions.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Metascene API",
    "DESCRIPTION": "Entrant actions for Metascene competitions: teams, entries and revision uploads.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every error body's `code`, listed once as an enumeration of its own (competitions.api.exceptions).
    "ENUM_NAME_OVERRIDES": {"ErrorCodeEnum": "competitions.api.exceptions.ERROR_CODES"},
}

# --- Celery ---------------------------------------------------------------------------------------------------


# The database, not the broker, is the source of truth for a revision's state; results are not stored.
CELERY_BROKER_DIR = VAR_DIR / "celery"


# --- Asset processing -----------------------------------------------------------------------------------------
# Two queues, so rendering can scale out on other machines: `celery worker -Q validation` and `-Q rendering`.
METASCENE_STAGE_TIME_LIMITS = {
    "validation": stage_time_limits(env.int("METASCENE_VALIDATION_SECONDS", default=10 * 60)),
    "rendering": stage_time_limits(env.int("METASCENE_RENDERING_SECONDS", default=10 * 60)),
}
# A worker that consumes both queues draws an uploaded GLB while it validates it and makes it ready in the one task
# (competitions/services/processing/rendering_ahead.py); false: validation hands every file to the rendering queue.
METASCENE_RENDER_AHEAD = env.bool("METASCENE_RENDER_AHEAD", default=True)
# Workers that may take a stage before the revision is failed: a file that keeps killing its worker stops here.
METASCENE_MAX_PROCESSING_ATTEMPTS = env.int("METASCENE_MAX_PROCESSING_ATTEMPTS", default=3)
# A revision queued this long ago and still unclaimed is queued again by the sweep (its message may be lost).
METASCENE_REQUEUE_AFTER_SECONDS = env.int("METASCENE_REQUEUE_AFTER_SECONDS", default=15 * 60)
# A worker's claim on a stage is a lease its process renews while the stage runs: a worker killed mid-stage stops
# renewing, and once the lease has run out the sweep (every METASCENE_SWEEP_SECONDS) queues the revision again.
# So a killed worker's revision is back in the queue within lease + sweep seconds (30 + 10 by default).
METASCENE_CLAIM_LEASE_SECONDS = env.int("METASCENE_CLAIM_LEASE_SECONDS", default=30)
METASCENE_CLAIM_RENEW_SECONDS = env.int("METASCENE_CLAIM_RENEW_SECONDS", default=10)
if METASCENE_CLAIM_LEASE_SECONDS < 2 * METASCENE_CLAIM_RENEW_SECONDS:
    raise ImproperlyConfigured("METASCENE_CLAIM_LEASE_SECONDS must be at least twice METASCENE_CLAIM_RENEW_SECONDS.")
METASCENE_SWEEP_SECONDS = env.int("METASCENE_SWEEP_SECONDS", default=10)
# How often the beat sends the reminders that are due (72, 24 and 1 hours before a deadline or a round's close)
# and the emails still waiting: a reminder goes at most this long after its moment.
METASCENE_MESSAGES_SECONDS = env.int("METASCENE_MESSAGES_SECONDS", default=5 * 60)
# Workers write a heartbeat this often; one not heard from for METASCENE_WORKER_DEAD_AFTER_SECONDS is taken for
# dead. The watchdog (`manage.py watch_workers`) checks every METASCENE_WATCHDOG_SECONDS and tells the organisers,
# once, when files wait on a queue that no live worker consumes.
METASCENE_HEARTBEAT_SECONDS = env.int("METASCENE_HEARTBEAT_SECONDS", default=10)
METASCENE_WORKER_DEAD_AFTER_SECONDS = env.int("METASCENE_WORKER_DEAD_AFTER_SECONDS", default=30)
METASCENE_WATCHDOG_SECONDS = env.int("METASCENE_WATCHDOG_SECONDS", default=15)
# A worker's scratch space: the file it processes is downloaded here, unpacked and rendered, and removed after.
METASCENE_WORK_DIR = env.str("METASCENE_WORK_DIR", default=str(VAR_DIR / "work"))

# Redis hands an unacknowledged task (its worker died) to another worker after this long: it must exceed every
# hard time limit, or a task still running would be delivered twice.
BROKER_VISIBILITY_TIMEOUT = env.int("METASCENE_BROKER_VISIBILITY_TIMEOUT", default=60 * 60)
if BROKER_VISIBILITY_TIMEOUT <= max(limits["hard"] for limits in METASCENE_STAGE_TIME_LIMITS.values()):
    raise ImproperlyConfigured("METASCENE_BROKER_VISIBILITY_TIMEOUT must exceed the stages' hard time limits.")

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": BROKER_VISIBILITY_TIMEOUT}
else:
    # The host is meaningless here, but naming it keeps kombu from warning on every connection. This broker loses
    # a task whose worker is killed; the sweep below queues it again.
    CELERY_BROKER_URL = "filesystem://localhost//"
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(CELERY_BROKER_DIR)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 10 * 60
CELERY_TASK_TIME_LIMIT = 12 * 60
CELERY_TASK_DEFAULT_QUEUE = "validation"
CELERY_TASK_ROUTES = {
    "competitions.tasks.validate_revision": {"queue": "validation"},
    "competitions.tasks.process_revision": {"queue": "validation"},
    "competitions.tasks.sweep_stuck_revisions": {"queue": "validation"},
    "competitions.tasks.expire_upload_sessions": {"queue": "validation"},
    "competitions.tasks.send_due_messages": {"queue": "validation"},
    "competitions.tasks.refresh_dashboard_scores": {"queue": "validation"},
    "competitions.tasks.render_revision": {"queue": "rendering"},
    "competitions.tasks.render_extras": {"queue": "rendering"},
}
CELERY_TASK_ANNOTATIONS = {
    f"competitions.tasks.{name}": {
        "soft_time_limit": METASCENE_STAGE_TIME_LIMITS[stage]["soft"],
        "time_limit": METASCENE_STAGE_TIME_LIMITS[stage]["hard"],
    }
    for name, stage in [
        ("validate_revision", "validation"),
        ("process_revision", "validation"),
        ("render_revision", "rendering"),
        ("render_extras", "rendering"),
    ]
}
# `celery beat` (the Procfile's beat process) starts the periodic tasks; one not taken before the next expires.
CELERY_BEAT_SCHEDULE = {
    "sweep-stuck-revisions": {
        "task": "competitions.tasks.sweep_stuck_revisions",
        "schedule": METASCENE_SWEEP_SECONDS,
        "options": {"expires": METASCENE_SWEEP_SECONDS},
    },
    "expire-upload-sessions": {
        "task": "competitions.tasks.expire_upload_sessions",
        "schedule": 60 * 60,
        "options": {"expires": 60 * 60},
    },
    "send-due-messages": {
        "task": "competitions.tasks.send_due_messages",
        "schedule": METASCENE_MESSAGES_SECONDS,
        "options": {"expires": METASCENE_MESSAGES_SECONDS},
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"

# --- Logging --------------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}

# Prometheus: GET /metrics answers only "Authorization: Bearer <token>" when this is set (empty: open, for a
# scraper inside the cluster). Workers serve their stage metrics on this port when it is set
# (competitions.observability).
METASCENE_METRICS_TOKEN = env.str("METASCENE_METRICS_TOKEN", default="")
METASCENE_WORKER_METRICS_PORT = env.int("METASCENE_WORKER_METRICS_PORT", default=0)

# --- Site -----------------------------------------------------------------------------------------------------
# Absolute links in emails start with this.
SITE_URL = env.str("METASCENE_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
FORMAT_MODULE_PATH = ["metascene.formats"]
