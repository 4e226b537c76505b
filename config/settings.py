"""shuangsuiji settings. Every knob is an environment variable (see README, 配置)."""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "data")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    raise ImproperlyConfigured("未设置 SHUANGSUIJI_SECRET_KEY（或 SHUANGSUIJI_SECRET_KEY_FILE）")
# Keyed digests of 身份证号 (to find a person again without storing the number): a key of its own,
# so that rotating SECRET_KEY does not orphan them.
ID_DIGEST_KEY = env_secret("ID_DIGEST_KEY") or SECRET_KEY
# Seals each draw's server secret until the draw runs (draw/seal.py, issue 16): kept outside the
# database so a reader of the database cannot learn the secret and steer the draw. A key of its
# own, so that rotating SECRET_KEY does not leave announced draws unable to run.
DRAW_SEAL_KEY = env_secret("DRAW_SEAL_KEY") or SECRET_KEY
if len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SHUANGSUIJI_SECRET_KEY 太短：至少 32 个字符")

ALLOWED_HOSTS = [
    h.strip() for h in (env_str("ALLOWED_HOSTS", "127.0.0.1,localhost") or "").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in (env_str("CSRF_TRUSTED_ORIGINS", "") or "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves its own Swagger UI files: the API docs work offline
    "shuangsuiji.core",
    "shuangsuiji.directory",
    "shuangsuiji.planning",
    "shuangsuiji.draw",
    "shuangsuiji.inspection",
    "shuangsuiji.publicity",
    "shuangsuiji.followup",
    "shuangsuiji.triggers",
    "shuangsuiji.warning",
    "shuangsuiji.reports",
    "shuangsuiji.archive",
    "shuangsuiji.demo",
]

MIDDLEWARE = [
    # Outermost: the request id on every log line of the request, its one access line, its metrics.
    "shuangsuiji.core.ops.middleware.RequestLogMiddleware",
    # /healthz and /metrics answered before the host check, the session and sign-in (core/ops).
    "shuangsuiji.core.ops.middleware.EndpointsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the body: the per-URL size cap (core/uploads.py BODY_KINDS).
    "shuangsuiji.core.middleware.BodyCapMiddleware",
    # Then a NUL character anywhere in the request is a 400/422, before the session is looked up.
    "shuangsuiji.core.middleware.NulByteMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A privileged session without its second factor reaches only the sign-in steps.
    "shuangsuiji.core.second_factor.SecondFactorMiddleware",
    # Public portal and reports pages read the replica, once sign-in has been read from the primary.
    "shuangsuiji.core.ops.dbrouter.ReplicaReadMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "shuangsuiji.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "shuangsuiji" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shuangsuiji.core.context_processors.navigation",
            ],
        },
    }
]

# SHUANGSUIJI_DATABASE_URL unset → the embedded SQLite file; set → PostgreSQL in production.
_db_url = env_str("DATABASE_URL")
if _db_url:
    try:
        # health checks: a connection kept from before a database restart is found dead at the
        # start of the next request and replaced, instead of failing that request
        _db = dj_database_url.parse(_db_url, conn_max_age=60, conn_health_checks=True)
    except ValueError as e:
        raise ImproperlyConfigured(f"SHUANGSUIJI_DATABASE_URL 无法解析：{e}") from None
    if _db["ENGINE"] not in ("django.db.backends.postgresql", "django.db.backends.sqlite3"):
        raise ImproperlyConfigured(f"SHUANGSUIJI_DATABASE_URL：不支持的数据库 {_db['ENGINE']}")
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    _db = {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA_DIR / "shuangsuiji.sqlite3"}
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker write the same file: WAL, a busy timeout, and IMMEDIATE
    # transactions so that a writer waits instead of failing with "database is locked".
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
DATABASES = {"default": _db}

# A streaming replica for the public portal and the reports (core/ops/dbrouter.py): reads only,
# used while its replay lag is at most REPLICA_MAX_LAG_SECONDS (checked every
# REPLICA_CHECK_SECONDS per process), else the primary. Unset: everything on the primary.
REPLICA_MAX_LAG_SECONDS = env_int("REPLICA_MAX_LAG_SECONDS", 30, minimum=1, maximum=3600)
REPLICA_CHECK_SECONDS = env_int("REPLICA_CHECK_SECONDS", 5, minimum=1, maximum=300)
_replica_url = env_str("REPLICA_URL")
if _replica_url:
    if _db["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "SHUANGSUIJI_REPLICA_URL 须与 PostgreSQL 主库（SHUANGSUIJI_DATABASE_URL）一起使用"
        )
    try:
        _replica = dj_database_url.parse(_replica_url, conn_max_age=60, conn_health_checks=True)
    except ValueError as e:
        raise ImproperlyConfigured(f"SHUANGSUIJI_REPLICA_URL 无法解析：{e}") from None
    if _replica["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("SHUANGSUIJI_REPLICA_URL：备库须为 PostgreSQL")
    # a replica that does not answer is given up quickly: the page is made from the primary
    _replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    # tests read the primary's test database through this alias (no second test database)
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = _replica
DATABASE_ROUTERS = ["shuangsuiji.core.ops.dbrouter.ReplicaRouter"]

# The audit log's HMAC key (docs/audit-log.md): kept outside the database, so that whoever can
# write the log table cannot recompute the chain (GB/T 22239-2019 8.1.4.3 c). Required with
# PostgreSQL (production); the embedded SQLite demo derives one from SECRET_KEY, itself outside
# the database. It never changes for the life of the log: a lost key leaves entries unverifiable.
AUDIT_KEY = env_secret("AUDIT_KEY")
if AUDIT_KEY is None:
    if _db_url:
        raise ImproperlyConfigured(
            "未设置 SHUANGSUIJI_AUDIT_KEY（或 SHUANGSUIJI_AUDIT_KEY_FILE）：操作日志的 HMAC 密钥，"
            "须保存在数据库之外（见 docs/audit-log.md）"
        )
    import hashlib
    import hmac

    AUDIT_KEY = hmac.new(SECRET_KEY.encode(), b"shuangsuiji audit log key", hashlib.sha256).hexdigest()
elif len(AUDIT_KEY) < 32:
    raise ImproperlyConfigured("SHUANGSUIJI_AUDIT_KEY 太短：至少 32 个字符")
elif AUDIT_KEY == SECRET_KEY:
    raise ImproperlyConfigured(
        "SHUANGSUIJI_AUDIT_KEY 不能与 SHUANGSUIJI_SECRET_KEY 相同：两者分别保管、分别轮换"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

# 等保2.0 第三级: Argon2, strong passwords, lockout, idle sign-out.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "shuangsuiji.core.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5, minimum=1, maximum=100)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1, maximum=24 * 60)
# Failures from one client address across all user names before that address is refused (so one
# client cannot try many names); see shuangsuiji/core/throttle.py for the rules.
LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("LOGIN_MAX_FAILURES_PER_ADDRESS", 20, minimum=1, maximum=100_000)


def _trusted_proxies(raw: str, name: str = "TRUSTED_PROXIES") -> list:
    """Reverse proxies whose X-Forwarded-For is believed: addresses or CIDR blocks, comma-separated."""
    import ipaddress

    nets = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        try:
            nets.append(ipaddress.ip_network(part, strict=True))
        except ValueError as e:
            raise ImproperlyConfigured(f"SHUANGSUIJI_{name}：“{part}”不是 IP 地址或网段（{e}）") from None
    return nets


TRUSTED_PROXIES = _trusted_proxies(env_str("TRUSTED_PROXIES", "") or "")
# /metrics (core/ops/metrics.py) answers only these client addresses (comma-separated addresses or
# CIDR blocks; the client as core/throttle.py finds it), or a request with
# "Authorization: Bearer <SHUANGSUIJI_METRICS_TOKEN>".
METRICS_ALLOWED_NETWORKS = _trusted_proxies(
    env_str("METRICS_ALLOWED", "127.0.0.1/32,::1/128") or "", "METRICS_ALLOWED"
)
METRICS_TOKEN = env_secret("METRICS_TOKEN") or ""
if METRICS_TOKEN and len(METRICS_TOKEN) < 32:
    raise ImproperlyConfigured("SHUANGSUIJI_METRICS_TOKEN 太短：至少 32 个字符")
# /healthz: the database must answer within this (PostgreSQL's statement_timeout for the check).
HEALTHZ_TIMEOUT_MS = env_int("HEALTHZ_TIMEOUT_MS", 2000, minimum=100, maximum=30_000)
# How long a proxy or browser may keep a public portal page (Cache-Control max-age, core/ops/caching.py).
PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", 60, minimum=0, maximum=3600)
# Stateless app nodes: sessions (Django's database backend) and sign-in counts (core/throttle.py)
# live in the database, so every node sees them. Nothing uses Django's cache (a test checks), so
# each process's own memory cache is safe with any number of nodes.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30, minimum=1, maximum=24 * 60)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True  # the age counts from the last request: an idle timeout
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG and bool(_db_url))
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

FORMAT_MODULE_PATH = ["config.formats"]
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "shuangsuiji" / "static"]
# Files live in the database (core/storage.py says why): every app node reads them, and one
# backup of the database holds data and files at the same moment. MEDIA_ROOT is only where
# files from before that lived (manage.py media_to_database moves them in).
STORAGES = {
    "default": {"BACKEND": "shuangsuiji.core.storage.DatabaseStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "/media/"
# Uploads stream to disk. The body cap per URL is in core/uploads.py: an import file up to
# IMPORT_MAX_BYTES, an attachment up to ATTACHMENT_MAX_BYTES, any other request this much (Django's
# default), all refused with 413 before the body is read.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_MB", 512, minimum=1, maximum=10_000) * 1024 * 1024

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# One JSON object per line on stderr (core/ops/logs.py), each with the request's id; "text" for a
# terminal. At INFO, one line per request (shuangsuiji.request: method, path, view, status,
# duration_ms, user_id, client); the default WARNING keeps the demo and the tests quiet.
LOG_FORMAT = env_str("LOG_FORMAT", "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"SHUANGSUIJI_LOG_FORMAT={LOG_FORMAT!r}：应为 json 或 text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "shuangsuiji.core.ops.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "shuangsuiji.core.ops.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": LOG_FORMAT}
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# R-DRAW-4: how many times one department may draw the same target in a year (每个部门自行公布).
DRAW_CAP_PER_DEPARTMENT = env_int("DRAW_CAP_PER_DEPARTMENT", 1, minimum=1, maximum=12)
# Issue 19 (一次检查、全面体检; 无事不扰): a target a triggered task of the same department inspects
# for some of the same items — its window ending no more than this many days before a pool is
# frozen, or later — is left out of that random draw (docs/draw-spec.md §2.3, reason `triggered`).
TRIGGERED_EXCLUSION_DAYS = env_int("TRIGGERED_EXCLUSION_DAYS", 180, minimum=0, maximum=366)
# Witnesses who commit and reveal at each draw (commit–reveal entropy; see docs/draw-spec.md).
DRAW_MIN_WITNESSES = env_int("DRAW_MIN_WITNESSES", 2, minimum=0, maximum=20)

# R-INSP-2: results entered within this many working days after the inspection finished.
RESULT_DUE_WORKDAYS = env_int("RESULT_DUE_WORKDAYS", 20, minimum=1, maximum=60)
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_MB", 10, minimum=1, maximum=200) * 1024 * 1024
