"""Luoshi settings: one file, read from the environment, SQLite by default.

Every value an agency may want to change is an environment variable with a sensible default;
nothing here exists only in production.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = BASE_DIR / "luoshi"


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


def env_bool(name: str, default: bool = False) -> bool:
    """A yes/no setting; anything but the listed words stops the start with the variable's name."""
    value = os.environ.get(name)
    if value is None:
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/true/yes/on or 0/false/no/off, got {value!r}"
    )


def env_int(name: str, default: int, minimum: int = 0) -> int:
    """A whole-number setting; a typo or a value below ``minimum`` stops the start, naming it."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value.strip())
    except ValueError as exc:  # a typo in the environment must fail loudly at start
        raise ImproperlyConfigured(
            f"{name} must be a whole number of at least {minimum}, got {value!r}"
        ) from exc
    if number < minimum:
        raise ImproperlyConfigured(
            f"{name} must be a whole number of at least {minimum}, got {value!r}"
        )
    return number


DEBUG = env_bool("LUOSHI_DEBUG", False)
VAR_DIR = Path(env("LUOSHI_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env("LUOSHI_SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or "pytest" in sys.modules:
        SECRET_KEY = "insecure-development-key-only-for-debug-and-tests"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "Set LUOSHI_SECRET_KEY (a long random string) or LUOSHI_DEBUG=1 for development."
        )

# The key of the audit log's hash chain (HMAC; luoshi.core.audit). From the environment, never
# the database: whoever can write to the database must not be able to recompute the chain.
LUOSHI_AUDIT_KEY = env("LUOSHI_AUDIT_KEY")
if not LUOSHI_AUDIT_KEY:
    if DEBUG or "pytest" in sys.modules:
        # a development key derived from the secret key (tests, LUOSHI_DEBUG=1)
        LUOSHI_AUDIT_KEY = hashlib.sha256(b"luoshi-audit-dev:" + SECRET_KEY.encode()).hexdigest()
    else:
        raise ImproperlyConfigured(
            "Set LUOSHI_AUDIT_KEY (a long random string, kept apart from the database: the key "
            "of the audit log's hash chain) or LUOSHI_DEBUG=1 for development."
        )

# The key that encrypts ballots while they wait in the durable buffer (luoshi.evaluation.sealing).
# From the environment, never the database: a database administrator reading the buffer during
# the vote must not read the marks. Losing it loses the ballots still buffered (docs/operations.md).
LUOSHI_BALLOT_KEY = env("LUOSHI_BALLOT_KEY")
if not LUOSHI_BALLOT_KEY:
    if DEBUG or "pytest" in sys.modules:
        # a development key derived from the secret key (tests, LUOSHI_DEBUG=1)
        LUOSHI_BALLOT_KEY = hashlib.sha256(b"luoshi-ballot-dev:" + SECRET_KEY.encode()).hexdigest()
    else:
        raise ImproperlyConfigured(
            "Set LUOSHI_BALLOT_KEY (a long random string, kept apart from the database: the key "
            "that encrypts buffered ballots) or LUOSHI_DEBUG=1 for development."
        )

ALLOWED_HOSTS = [h.strip() for h in env("LUOSHI_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")]
CSRF_TRUSTED_ORIGINS = [o for o in env("LUOSHI_CSRF_TRUSTED_ORIGINS").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "luoshi.core",
    "luoshi.documents",
    "luoshi.orgs",
    "django_tasks",
    "django_tasks.backends.database",
    "luoshi.notify",
    "luoshi.plans",
    "luoshi.supervision",
    "luoshi.evaluation",
    "luoshi.appraisal",
    "luoshi.honors",
    "luoshi.summaries",
    "luoshi.meetings",
    "luoshi.news",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "luoshi.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "luoshi.core.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "luoshi.core.middleware.SessionRenewalMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "luoshi.core.middleware.RequestContextMiddleware",
    "luoshi.orgs.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "luoshi.orgs.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "luoshi.core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "config.urls"
FORM_RENDERER = "luoshi.core.forms.FastFormRenderer"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "luoshi.core.context_processors.site",
                "luoshi.notify.context_processors.unread",
            ],
        },
    }
]

# --- database: SQLite by default (WAL, immediate transactions, busy timeout); PostgreSQL by URL
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'luoshi.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("LUOSHI_DB_CONN_MAX_AGE", 0)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {
        # A file, not memory: threads in tests (and the live server of browser tests) then wait
        # on SQLite's busy timeout like real processes do. LUOSHI_TEST_DB_FILE=0 for memory.
        "NAME": str(VAR_DIR / "test.sqlite3") if env_bool("LUOSHI_TEST_DB_FILE", True) else ""
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # PostgreSQL's JIT compiles a query whose estimated cost passes jit_above_cost; for the
    # report overview's aggregate (dozens of FILTER clauses) that took 1.3 s of a 1.5 s query,
    # and none of our queries runs long enough to win it back. LUOSHI_DB_JIT=1 keeps it on.
    if not env_bool("LUOSHI_DB_JIT", False):
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache: derived data only (navigation, filter choices; luoshi.core.cache). Local memory by
# default; with several processes set LUOSHI_CACHE_URL=redis://host:6379/0 so that they share it
# (sessions are then read from the cache and written through to the database).
CACHE_URL = env("LUOSHI_CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "luoshi.core.redis_cache.RedisCache",  # Django's, one client per pool
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env("LUOSHI_CACHE_PREFIX", "luoshi"),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
elif CACHE_URL:
    raise ImproperlyConfigured("LUOSHI_CACHE_URL must be a redis:// URL (or unset).")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LUOSHI_CACHE_SECONDS = env_int("LUOSHI_CACHE_SECONDS", 300)
LUOSHI_CACHE_SHARED = bool(CACHE_URL)  # every process sees one cache: exact figures may use it

# --- accounts and security
AUTH_USER_MODEL = "orgs.User"
AUTHENTICATION_BACKENDS = ["luoshi.orgs.auth.AccountBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

SESSION_IDLE_MINUTES = env_int("LUOSHI_SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
# The age is an idle timeout: activity renews it (core.middleware.SessionRenewalMiddleware), at
# most once per LUOSHI_SESSION_RENEW_SECONDS so that reading pages does not write to the database.
SESSION_SAVE_EVERY_REQUEST = False
LUOSHI_SESSION_RENEW_SECONDS = env_int("LUOSHI_SESSION_RENEW_SECONDS", 60)
# Server processes move their long-lived objects out of the garbage collector's walks once
# loaded (luoshi.core.runtime); 0 turns it off.
LUOSHI_GC_FREEZE = env_bool("LUOSHI_GC_FREEZE", True)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("LUOSHI_HTTPS", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("LUOSHI_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("LUOSHI_HSTS_SECONDS", 31536000)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "luoshi.orgs.auth.PasswordPolicyValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Configurable account rules (issue: accounts). Defaults follow common MLPS practice.
LUOSHI_PASSWORD_MIN_LENGTH = env_int("LUOSHI_PASSWORD_MIN_LENGTH", 8, minimum=1)
LUOSHI_PASSWORD_MIN_CLASSES = env_int("LUOSHI_PASSWORD_MIN_CLASSES", 3)
LUOSHI_LOCKOUT_THRESHOLD = env_int("LUOSHI_LOCKOUT_THRESHOLD", 5, minimum=1)
LUOSHI_LOCKOUT_MINUTES = env_int("LUOSHI_LOCKOUT_MINUTES", 15, minimum=1)
# Failed log-ins per client address across every name (issue 20): above the threshold within the
# window each further failure doubles the address's wait, capped at the maximum (never a lockout).
LUOSHI_ADDRESS_FAILURE_THRESHOLD = env_int("LUOSHI_ADDRESS_FAILURE_THRESHOLD", 50, minimum=1)
LUOSHI_ADDRESS_FAILURE_MINUTES = env_int("LUOSHI_ADDRESS_FAILURE_MINUTES", 15, minimum=1)
LUOSHI_ADDRESS_MAX_DELAY_SECONDS = env_int("LUOSHI_ADDRESS_MAX_DELAY_SECONDS", 60, minimum=1)
# Two-factor sign-in (TOTP, luoshi.orgs.twofactor): the issuer name the authenticator app shows,
# how many 30-second steps either side of now a code may be from (clock drift), how long the
# code step after the password may take, and whether the three administrators must use it.
LUOSHI_TWO_FACTOR_ISSUER = env("LUOSHI_TWO_FACTOR_ISSUER", "") or "Luoshi"
LUOSHI_TWO_FACTOR_VALID_WINDOW = env_int("LUOSHI_TWO_FACTOR_VALID_WINDOW", 1)
LUOSHI_TWO_FACTOR_STEP_MINUTES = env_int("LUOSHI_TWO_FACTOR_STEP_MINUTES", 5, minimum=1)
LUOSHI_TWO_FACTOR_ADMINS = env_bool("LUOSHI_TWO_FACTOR_ADMINS", True)
# The key that encrypts the authenticator apps' TOTP secrets in the database (luoshi.core.
# secretbox). Derived from the secret key when not set; set it on its own to rotate
# LUOSHI_SECRET_KEY without every enrolled account having to enrol again.
LUOSHI_TWO_FACTOR_KEY = (
    env("LUOSHI_TWO_FACTOR_KEY")
    or hashlib.sha256(b"luoshi-two-factor:" + SECRET_KEY.encode()).hexdigest()
)
# API tokens: the default lifetime of a new token and the longest one may ask for (days).
LUOSHI_TOKEN_DAYS = env_int("LUOSHI_TOKEN_DAYS", 90, minimum=1)
LUOSHI_TOKEN_MAX_DAYS = env_int("LUOSHI_TOKEN_MAX_DAYS", 365, minimum=1)
LUOSHI_AGENCY_NAME = env(
    "LUOSHI_AGENCY_NAME", ""
)  # shown in the top bar; defaults to the root unit
LUOSHI_DEMO_PASSWORD = env("LUOSHI_DEMO_PASSWORD", "luoshi-demo")
LUOSHI_IMPORT_MAX_BYTES = env_int("LUOSHI_IMPORT_MAX_BYTES", 10 * 1024 * 1024, minimum=1)
LUOSHI_ATTACHMENT_MAX_BYTES = env_int("LUOSHI_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024, minimum=1)
# Hostile files (docs/security.md): every zip-based upload (xlsx, docx, pptx, ofd, zip) is refused
# before parsing when its parts unpack to more than this in total, when it has more parts, or when
# one part of at least LUOSHI_ZIP_RATIO_FLOOR_BYTES unpacks to more than RATIO times its size.
LUOSHI_ZIP_MAX_UNPACKED_BYTES = env_int(
    "LUOSHI_ZIP_MAX_UNPACKED_BYTES", 50 * 1024 * 1024, minimum=1
)
LUOSHI_ZIP_MAX_PARTS = env_int("LUOSHI_ZIP_MAX_PARTS", 1000, minimum=1)
LUOSHI_ZIP_MAX_RATIO = env_int("LUOSHI_ZIP_MAX_RATIO", 100, minimum=1)
LUOSHI_ZIP_RATIO_FLOOR_BYTES = env_int("LUOSHI_ZIP_RATIO_FLOOR_BYTES", 1024 * 1024, minimum=1)
# What an imported workbook may hold: rows read per sheet, columns read per row, shared strings.
LUOSHI_IMPORT_MAX_ROWS = env_int("LUOSHI_IMPORT_MAX_ROWS", 100_000, minimum=1)
LUOSHI_IMPORT_MAX_COLUMNS = env_int("LUOSHI_IMPORT_MAX_COLUMNS", 200, minimum=1)
LUOSHI_IMPORT_MAX_STRINGS = env_int("LUOSHI_IMPORT_MAX_STRINGS", 1_000_000, minimum=1)
# A database that cannot be reached answers 503 with this Retry-After (seconds).
LUOSHI_RETRY_AFTER_SECONDS = env_int("LUOSHI_RETRY_AFTER_SECONDS", 30, minimum=1)

# Fonts of official documents (GB/T 9704): the customary names, with embeddable fallbacks that a
# machine without them still renders (Debian: fonts-noto-cjk).
LUOSHI_FONT_BODY = env("LUOSHI_FONT_BODY", "仿宋_GB2312")
LUOSHI_FONT_TITLE = env("LUOSHI_FONT_TITLE", "方正小标宋简体")
LUOSHI_FONT_HEADING = env("LUOSHI_FONT_HEADING", "黑体")
LUOSHI_FONT_KAITI = env("LUOSHI_FONT_KAITI", "楷体_GB2312")
LUOSHI_FONT_PAGE_NUMBER = env("LUOSHI_FONT_PAGE_NUMBER", "宋体")
LUOSHI_FONT_FALLBACK_SERIF = env("LUOSHI_FONT_FALLBACK_SERIF", "Noto Serif CJK SC")
LUOSHI_FONT_FALLBACK_SANS = env("LUOSHI_FONT_FALLBACK_SANS", "Noto Sans CJK SC")
LUOSHI_PAGE_SIZE = env_int("LUOSHI_PAGE_SIZE", 20, minimum=1)
# Democratic evaluation: ballots a candidate needs before their score counts ([practice] 8).
LUOSHI_EVALUATION_MIN_BALLOTS = env_int("LUOSHI_EVALUATION_MIN_BALLOTS", 8, minimum=1)
# Cast ballots wait in a durable buffer and are moved into the ballot table in shuffled batches of
# this many (all at sealing), so that no ballot row shares a transaction with its voter's row.
LUOSHI_BALLOT_BATCH = env_int("LUOSHI_BALLOT_BATCH", 10, minimum=1)
LUOSHI_BALLOT_CODE_MAX_FAILURES = env_int("LUOSHI_BALLOT_CODE_MAX_FAILURES", 10, minimum=1)
LUOSHI_BALLOT_CODE_FAILURE_MINUTES = env_int("LUOSHI_BALLOT_CODE_FAILURE_MINUTES", 15, minimum=1)
# Points per grade code of a new campaign's scale (luoshi.evaluation.rules.default_scale), e.g.
# {"excellent": 95, "competent": 85}: a grade missing keeps its default, None is not counted.
# A dict, so set here in code (or in a settings module that imports this one), not from the env.
LUOSHI_EVALUATION_POINTS: dict[str, int | None] = {}
# Staff and unit appraisal: overrides of luoshi.appraisal.rules.Policy fields, e.g.
# {"excellent_quota_percent": "15"}; an unknown field is an error. A dict, set in code as above.
LUOSHI_APPRAISAL: dict[str, object] = {}
# Commendation: overrides of luoshi.honors.rules.Policy fields (quotas, eligibility, deeds limits,
# vetting bodies, certificate numbers), e.g. {"certificate_prefix": "侨联奖"}. A dict, set in code.
LUOSHI_HONORS: dict[str, object] = {}
# News releases: overrides of luoshi.news.rules.Policy fields (WeChat limits, the size below
# which a photo is warned about, renditions), e.g. {"min_width": 1600}. A dict, set in code.
LUOSHI_NEWS: dict[str, object] = {}
# Annual summaries: overrides of luoshi.summaries.rules.Policy fields (limits in characters, the
# days to the due date, the office's role), e.g. {"total_max": 4000}. A dict, set in code.
LUOSHI_SUMMARIES: dict[str, object] = {}
# The work meeting: overrides of luoshi.meetings.rules.Policy fields (sign-in token minutes,
# guest code length, material reminders, the minutes' number prefix), e.g.
# {"minutes_prefix": "会纪"}. A dict, set in code.
LUOSHI_MEETINGS: dict[str, object] = {}
# PDF: a TrueType CJK font file to embed (default: found among the system's fonts).
LUOSHI_PDF_FONT = env("LUOSHI_PDF_FONT", "")
# Where PDF fonts are looked for (directories separated by ":"; empty: the system's font folders)
# and where fonts converted to TrueType are kept.
LUOSHI_PDF_FONT_DIRS: str | list[str] = env("LUOSHI_PDF_FONT_DIRS", "")
LUOSHI_PDF_FONT_CACHE = env("LUOSHI_PDF_FONT_CACHE", str(VAR_DIR / "fonts"))
# Big ledgers count their rows up to this many; beyond it the viewer narrows the filters.
LUOSHI_COUNT_LIMIT = env_int("LUOSHI_COUNT_LIMIT", 10000, minimum=1)
# A text search is narrowed by its words, not paged through: its count stops sooner, because
# counting the matches of a word found in a few percent of a million tasks costs more than the
# page itself: the rows read grow with the limit divided by the word's share (500: ten pages of
# 50, docs/performance.md).
LUOSHI_SEARCH_COUNT_LIMIT = env_int("LUOSHI_SEARCH_COUNT_LIMIT", 500, minimum=1)
# The report overview shows at most this many reporting periods of a plan (the latest ones).
LUOSHI_REPORT_OVERVIEW_PERIODS = env_int("LUOSHI_REPORT_OVERVIEW_PERIODS", 12)

# Background work (django-tasks). Jobs are enqueued after commit. With no worker configured they
# run synchronously in the request (immediate backend); set LUOSHI_TASKS_BACKEND to
# "django_tasks.backends.database.DatabaseBackend" and run `luoshi db_worker` for a worker pool.
TASKS = {
    "default": {
        "BACKEND": env("LUOSHI_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"),
        "ENQUEUE_ON_COMMIT": True,
    }
}
LUOSHI_TRUST_X_FORWARDED_FOR = env_bool("LUOSHI_TRUST_X_FORWARDED_FOR", False)
# How many of our proxies append to X-Forwarded-For: the client is that many from the right.
LUOSHI_TRUSTED_PROXY_COUNT = env_int("LUOSHI_TRUSTED_PROXY_COUNT", 1)

# --- languages: zh-Hans by default, zh-Hant and English
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", "简体中文"),
    ("zh-hant", "繁體中文"),
    ("en", "English"),
]
LOCALE_PATHS = [Path(env("LUOSHI_LOCALE_DIR", str(PACKAGE_DIR / "locale")))]
LANGUAGE_COOKIE_NAME = "luoshi_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = env("LUOSHI_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- static files: vendored, served by WhiteNoise, never from the internet
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("LUOSHI_STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every start without it
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "media")},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- mail: console in development, SMTP by environment in production
EMAIL_BACKEND = env("LUOSHI_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("LUOSHI_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("LUOSHI_EMAIL_PORT", 25, minimum=1)
# An authenticated submission server: user and password, and either STARTTLS (port 587) or
# implicit TLS (port 465) — not both.
EMAIL_HOST_USER = env("LUOSHI_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("LUOSHI_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("LUOSHI_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("LUOSHI_EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "LUOSHI_EMAIL_USE_TLS (STARTTLS, usually port 587) and LUOSHI_EMAIL_USE_SSL (implicit TLS, "
        "usually port 465) exclude each other: set one of them"
    )
EMAIL_TIMEOUT = env_int("LUOSHI_EMAIL_TIMEOUT", 20, minimum=1)
DEFAULT_FROM_EMAIL = env("LUOSHI_FROM_EMAIL", "luoshi@localhost")

# --- notifications: retries of e-mail and webhook deliveries (exponential backoff), timeouts
LUOSHI_NOTIFY_MAX_ATTEMPTS = env_int("LUOSHI_NOTIFY_MAX_ATTEMPTS", 5, minimum=1)
LUOSHI_NOTIFY_RETRY_BASE_SECONDS = env_int("LUOSHI_NOTIFY_RETRY_BASE_SECONDS", 60)
LUOSHI_NOTIFY_RETRY_MAX_SECONDS = env_int("LUOSHI_NOTIFY_RETRY_MAX_SECONDS", 6 * 3600)
LUOSHI_NOTIFY_WEBHOOK_TIMEOUT = env_int("LUOSHI_NOTIFY_WEBHOOK_TIMEOUT", 5, minimum=1)
# prefixed to relative links in e-mails and webhooks, e.g. https://luoshi.example.gov.cn
LUOSHI_NOTIFY_SITE_URL = env("LUOSHI_NOTIFY_SITE_URL", "")

# --- large exports: made in the background from this many rows on, kept this many hours
LUOSHI_EXPORT_BACKGROUND_ROWS = env_int("LUOSHI_EXPORT_BACKGROUND_ROWS", 5000, minimum=1)
LUOSHI_EXPORT_KEEP_HOURS = env_int("LUOSHI_EXPORT_KEEP_HOURS", 24, minimum=1)
# webhook destinations on loopback/private/link-local networks are refused unless listed here:
# host names, addresses or networks separated by commas (e.g. "robot.intra.example,10.8.0.0/16")
LUOSHI_NOTIFY_WEBHOOK_ALLOWED_HOSTS = [
    h.strip() for h in env("LUOSHI_NOTIFY_WEBHOOK_ALLOWED_HOSTS", "").split(",") if h.strip()
]

# Audit anchors (luoshi.core.audit.anchor_write, run by `luoshi tick`): the chain's head is
# appended to this file (outside the database; make it append-only, e.g. `chattr +a`, or put it
# on another host) and logged to "luoshi.audit.anchor" — to syslog/journald when
# LUOSHI_AUDIT_SYSLOG names the socket ("/dev/log") or "host:port". The cut-over below which
# unkeyed (pre-issue-20) entries are accepted is recorded by the first anchor, or set here.
LUOSHI_AUDIT_ANCHOR_FILE = env("LUOSHI_AUDIT_ANCHOR_FILE", str(VAR_DIR / "audit-anchors.jsonl"))
LUOSHI_AUDIT_KEYED_FROM = env_int("LUOSHI_AUDIT_KEYED_FROM", 0)
LUOSHI_AUDIT_SYSLOG = env("LUOSHI_AUDIT_SYSLOG", "")

_anchor_handlers = ["console"]
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LUOSHI_LOG_LEVEL", "WARNING")},
    "loggers": {
        "luoshi.audit.anchor": {"handlers": _anchor_handlers, "level": "INFO", "propagate": False}
    },
}
if LUOSHI_AUDIT_SYSLOG:
    _host, _sep, _port = LUOSHI_AUDIT_SYSLOG.rpartition(":")
    LOGGING["handlers"]["syslog"] = {
        "class": "logging.handlers.SysLogHandler",
        "address": (_host, int(_port)) if _sep and _port.isdigit() else LUOSHI_AUDIT_SYSLOG,
        "facility": "auth",
    }
    _anchor_handlers.append("syslog")
