"""Asamblea's settings, read from the environment.

With no environment at all this is a working single-machine setup: SQLite and the in-memory
channel layer. DATABASE_URL switches to PostgreSQL (psycopg), REDIS_URL to channels-redis and a
cache shared by every worker.
"""

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ASAMBLEA_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def _local_secret_key() -> str:
    # A machine without SECRET_KEY (make run, a laptop in a hall) gets a random key kept in
    # var/, so sessions survive restarts and no key is ever committed.
    path = VAR_DIR / "secret-key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# A refused token answers with a translated page, or in an htmx page its banner.
CSRF_FAILURE_VIEW = "assembly.views.errors.csrf_failure"

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "django_htmx",
    "allauth",
    "allauth.account",
    "assembly",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Compressed where it pays (a phone page and htmx: 97 KB raw, 29 KB gzipped); Django's
    # gzip pads responses against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "servestatic.middleware.ServeStaticMiddleware",
    # Before the session is read: a burst of ballots waits here holding no connection.
    "assembly.middleware.BallotQueueMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "config.urls"
# Django's admin is not mounted unless this names its path, e.g. "staff-7f3a/" (config/urls.py).
ADMIN_URL = os.environ.get("ADMIN_URL", "").strip("/")
ADMIN_URL = f"{ADMIN_URL}/" if ADMIN_URL else ""
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Phones write at the same moment (a burst of twinkles, ballots). SQLite's default deferred
    # transactions fail such a write at once with "database is locked" when they must upgrade a
    # read lock; IMMEDIATE takes the write lock first and waits its turn, and WAL lets readers
    # carry on meanwhile.
    # Each thread keeps its connection: opening one (with the PRAGMAs and Django's functions)
    # and closing it again around every database hop of a websocket handshake was 35% of the
    # server's CPU while a hall reconnected (py-spy, make bench, 1,000 phones). A handful of
    # threads ever touch the database, and an idle SQLite connection holds no lock.
    DATABASES["default"]["CONN_MAX_AGE"] = None
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests too run on a file, as `make run` does: an in-memory database locks differently.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A burst of ballots must wait for a connection, not fail: PostgreSQL allows 100 clients,
    # and one connection per request thread (and per socket's database hop) ran out at 200
    # voters at once. Each worker process keeps a bounded pool (Django's psycopg pool);
    # requests beyond it queue for up to `timeout` seconds. Workers × max_size must stay under
    # the server's max_connections (with PgBouncer in front, see the README).
    DATABASES["default"]["OPTIONS"] = {
        "pool": {
            "min_size": 2,
            "max_size": int(os.environ.get("DB_POOL_SIZE", "20")),
            "timeout": 20,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "assembly.User"

REDIS_URL = os.environ.get("REDIS_URL", "")
# Each of pytest-xdist's workers (`make test` runs the suite on every core) keeps to its own Redis
# keys and channels, and so do the servers its browser tests start (they inherit its environment):
# their databases number meetings alike, and one's pushes must not reach another's sockets.
CHANNEL_PREFIX = os.environ.get("CHANNEL_PREFIX", "asamblea") + os.environ.get(
    "PYTEST_XDIST_WORKER", ""
)
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 caps an async pool at 100 connections; a busy room needs more.
                "hosts": [{"address": REDIS_URL, "max_connections": 1000}],
                "prefix": CHANNEL_PREFIX,
            },
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"capacity": 1000},
        }
    }

# The cache holds the flood and wrong-code counts (assembly/throttle.py) and the rendered rooms.
# With several workers or hosts it must be one for all of them, or each worker counts apart and
# a limit of 30 lets 30 per worker through; LocMem is right for one process only.
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CHANNEL_PREFIX,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The keys that seal open secret ballots (assembly.sealing) live in memory only, never in the
# database: Redis (run it without persistence, see the README) shared by every worker, else this
# process's memory. Losing one voids that round's ballots; the room is told and can vote again.
if REDIS_URL:
    CACHES["ballot-keys"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": CHANNEL_PREFIX,
    }
else:
    CACHES["ballot-keys"] = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "ballot-keys",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "assembly:home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# Sign-up also asks for the name to show in meetings, used instead of the email everywhere.
ACCOUNT_SIGNUP_FORM_CLASS = "assembly.forms.accounts.SignupForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = True
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "asamblea@localhost")
# Without EMAIL_HOST, mail (invitations, login codes) is printed on the server's console.
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "assembly" / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# servestatic serves straight from the finders, so neither `make run` nor a deploy needs
# collectstatic; the handful of files we have is scanned once at start-up.
SERVESTATIC_USE_FINDERS = True
SERVESTATIC_AUTOREFRESH = DEBUG

# A strict policy: nothing from another host, scripts only with this response's nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind a TLS proxy (the production setup): cookies only over HTTPS, HSTS, redirect.
if env_bool("HTTPS"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_SSL_HOST = os.environ.get("SECURE_SSL_HOST") or None

# The live layer: the largest text message a client may send before its socket is closed.
LIVE_MAX_MESSAGE_BYTES = 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_addresses": {"()": "config.logs.NoConnectionLines"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # uvicorn's own logger, as it configured it, without its line for each socket.
    "loggers": {"uvicorn.error": {"filters": ["no_addresses"]}},
}
