"""Settings shared by every environment. Values that differ between deployments come
from the environment through config.env (see .env.example for the full list)."""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import (
    env_bool,
    env_days_by_name,
    env_float,
    env_int,
    env_list,
    env_memory_size,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# The platform's apps in their dependency order, lowest first (DESIGN.md). An app may
# import from and point its models at apps in lower layers only — never a higher one, nor
# another app of its own layer; where a lower app needs something from above it offers a
# registry (core.work_queue, members.merge…). tests/test_dependencies.py enforces this, and
# the registries run in this order.
PLATFORM_APP_LAYERS = [
    ["core"],
    ["areas"],
    ["security"],
    ["ledgers"],
    ["members"],
    ["stations"],
    ["party"],
    ["points"],
    ["activities"],
    ["wishes", "feedback", "estates"],
    ["reports"],
    ["demo"],
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "leaflet",
    "security.library_apps.AxesConfig",  # django-axes, under a Chinese name
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    *(app for layer in PLATFORM_APP_LAYERS for app in layer),
]

MIDDLEWARE = [
    # First, so it counts the final status of every response (/metrics).
    "core.metrics.RequestMetricsMiddleware",
    # Whether this request may read the figures from the replica (config/db_router.py);
    # outside every other middleware, so all their reads are covered by the same decision.
    "config.db_router.ReplicaReadsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Static files, already compressed by collectstatic (brotli and gzip) and cached for a
    # year under their hashed names; it answers them before any middleware below runs.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages and API answers gzipped for weak phone signals. Django masks the CSRF token and
    # pads the gzip header on every response, its defences against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Staff sessions: idle and absolute timeouts, then the second factor, then the
    # password's age, then the admin's request rate (security/middleware.py).
    "security.middleware.StaffSessionTimeoutMiddleware",
    "security.middleware.TwoFactorMiddleware",
    "security.middleware.PasswordAgeMiddleware",
    "security.middleware.AdminRateLimitMiddleware",
    # Answers a locked-out login with the lockout page (django-axes).
    "axes.middleware.AxesMiddleware",
    # Last, so it sees the views' exceptions first: input PostgreSQL cannot store is a 400.
    "core.exceptions.UnstorableInputMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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

DATABASES = {
    "default": {
        "ENGINE": "django.contrib.gis.db.backends.postgis",
        "NAME": env_str("POSTGRES_DB", "warmstations"),
        "USER": env_str("POSTGRES_USER", "warmstations"),
        "PASSWORD": env_str("POSTGRES_PASSWORD", "warmstations"),
        "HOST": env_str("POSTGRES_HOST", "127.0.0.1"),
        "PORT": env_int("POSTGRES_PORT", 5432, minimum=1),
        "CONN_MAX_AGE": env_int("POSTGRES_CONN_MAX_AGE", 60, minimum=0),
        "CONN_HEALTH_CHECKS": True,
        # No JIT compilation for the requests' short statements: the rollup figures' rows
        # are read through a view whose JSON pairs PostgreSQL estimates a hundred to a row,
        # so a dashboard's 20-row read looked worth compiling — 50 ms of a 120-ms query.
        # The rollup rebuild, a long statement, turns it back on (reports.engine).
        "OPTIONS": {"options": "-c jit=off"},
    }
}

# A streaming replica of the same database (a PostgreSQL hot standby), when one is
# configured: the dashboards and the stats API read the rollup figures from it; writes,
# the rollup job, Celery tasks and commands use the primary (config/db_router.py has the
# rules, BENCHMARKS.md "Reading from a streaming replica" the measurements). Tests never
# use it: it mirrors the test database there. docker-compose.yml runs without one.
POSTGRES_REPLICA_HOST = env_str("POSTGRES_REPLICA_HOST", "")
if POSTGRES_REPLICA_HOST:
    DATABASES["replica"] = {
        **DATABASES["default"],
        "HOST": POSTGRES_REPLICA_HOST,
        # Unset or empty: the primary's port.
        "PORT": env_int("POSTGRES_REPLICA_PORT", None, minimum=1)
        if env_str("POSTGRES_REPLICA_PORT", "")
        else DATABASES["default"]["PORT"],
        # A replica that does not answer is given up quickly (its reads then go to the
        # primary for REPLICA_RETRY_SECONDS), not waited for by every dashboard request.
        "OPTIONS": {
            **DATABASES["default"]["OPTIONS"],
            "connect_timeout": env_int("POSTGRES_REPLICA_CONNECT_TIMEOUT", 2, minimum=1),
        },
        "TEST": {"MIRROR": "default"},
    }
elif env_str("POSTGRES_REPLICA_PORT", ""):
    raise ImproperlyConfigured("POSTGRES_REPLICA_PORT is set but POSTGRES_REPLICA_HOST is not.")
DATABASE_ROUTERS = ["config.db_router.PrimaryReplicaRouter"]
# After a browser writes (POST, PUT, PATCH, DELETE), its requests read from the primary
# for this many seconds: a person sees their own change even if the replica is behind.
REPLICA_STICKY_SECONDS = env_int("REPLICA_STICKY_SECONDS", 10, minimum=0)
REPLICA_RETRY_SECONDS = env_int("REPLICA_RETRY_SECONDS", 30, minimum=1)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
# Sessions read from Redis, written through to the database: every phone request (a
# check-in, a page) finds its session without a database query.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# The cache gives up on Redis quickly and skips it for CACHE_REDIS_RETRY_SECONDS after a
# failure (reads miss, writes are dropped, sessions come from the database: core/cache.py).
CACHE_REDIS_CONNECT_TIMEOUT = env_float("CACHE_REDIS_CONNECT_TIMEOUT", 0.25)
CACHE_REDIS_SOCKET_TIMEOUT = env_float("CACHE_REDIS_SOCKET_TIMEOUT", 0.5)
CACHE_REDIS_RETRY_SECONDS = env_float("CACHE_REDIS_RETRY_SECONDS", 5.0)
CACHE_REDIS_OPTIONS = {
    "socket_connect_timeout": CACHE_REDIS_CONNECT_TIMEOUT,
    "socket_timeout": CACHE_REDIS_SOCKET_TIMEOUT,
}
CACHES = {
    "default": {
        "BACKEND": "core.cache.PooledRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "ws",
        "OPTIONS": CACHE_REDIS_OPTIONS,
    }
}

# Staff passwords (workers sign in by SMS code and have none): long, of several kinds of
# character, not the user name, not a common password. The demo password passes.
PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 12, minimum=8)
PASSWORD_MIN_CHARACTER_CLASSES = env_int("PASSWORD_MIN_CHARACTER_CLASSES", 3, minimum=1)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "security.validators.NotTheUserNameValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {
        "NAME": "security.validators.CharacterClassesValidator",
        "OPTIONS": {"min_classes": PASSWORD_MIN_CHARACTER_CLASSES},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Notes when a password was set, for PASSWORD_MAX_AGE_DAYS and the audit log.
    {"NAME": "security.validators.PasswordSetRecorder"},
]

# zh-hans first: the platform's users read Chinese. English stays available.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LOGIN_URL = "admin:login"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # django-filter, with model choices offered through the choke point (areas.references).
    "DEFAULT_FILTER_BACKENDS": ["areas.references.ScopedFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.exceptions.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Warm stations API",
    "DESCRIPTION": "暖新驿站服务平台 API: stations, areas and (later) the worker loop.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files: no CDN on a government intranet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "status" or "kind" choice set: name each enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "StationStatusEnum": "stations.models.Station.Status",
        "WorkerStatusEnum": "members.models.Worker.Status",
        "EnterpriseKindEnum": "members.models.Enterprise.Kind",
        "OutletKindEnum": "members.models.Outlet.Kind",
        "ActivityKindEnum": "activities.models.ActivityKind",
        "OccupationEnum": "members.models.Occupation",
        "PointsEntryKindEnum": "points.models.PointsEntry.Kind",
        "PointsEntrySourceEnum": "points.models.PointsEntry.Source",
        "ActivityStatusEnum": "activities.models.Activity.Status",
        "SignUpStatusEnum": "activities.models.SignUp.Status",
        "CheckInSourceEnum": "stations.models.CheckIn.Source",
        "WishSourceEnum": "wishes.models.Wish.Source",
        "DonorKindEnum": "wishes.models.Donor.Kind",
        "ClaimDonorKindEnum": "wishes.models.DONOR_KINDS",
        "FeedbackKindEnum": "feedback.models.Kind",
        "CaseSourceEnum": "feedback.models.Case.Source",
        "CaseStatusEnum": "feedback.models.Case.Status",
        "CaseNoticeKindEnum": "feedback.models.CaseNotice.Kind",
        "CaseTaskStatusEnum": "feedback.models.CaseTask.Status",
    },
}

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Map tiles are the one thing fetched from outside; the URL is configurable so an intranet
# deployment can point at its own tile server or at Tianditu with a key.
MAP_TILE_PROVIDER = env_str("MAP_TILE_PROVIDER", "osm")
TIANDITU_KEY = env_str("TIANDITU_KEY", "")
MAP_DEFAULT_CENTER = (env_float("MAP_DEFAULT_LAT", 35.71), env_float("MAP_DEFAULT_LNG", 107.64))

# Finding a place by name above the admin's map widgets (core/geocoder.py): "local" searches
# the areas, stations and outlets the staff member may read; "tianditu" adds Tianditu's
# geocoder after them (default when a key is set; a server-side key may be given apart).
GEOCODER_TIANDITU_KEY = env_str("GEOCODER_TIANDITU_KEY", "") or TIANDITU_KEY
GEOCODER_BACKEND = env_str("GEOCODER_BACKEND", "") or (
    "tianditu" if GEOCODER_TIANDITU_KEY else "local"
)
GEOCODER_TIANDITU_URL = env_str("GEOCODER_TIANDITU_URL", "https://api.tianditu.gov.cn/geocoder")
GEOCODER_TIMEOUT_SECONDS = env_float("GEOCODER_TIMEOUT_SECONDS", 3.0)
if GEOCODER_BACKEND not in {"local", "tianditu"} and "." not in GEOCODER_BACKEND:
    raise ImproperlyConfigured(f"GEOCODER_BACKEND={GEOCODER_BACKEND}: local, tianditu or a path.")
if GEOCODER_BACKEND == "tianditu" and not GEOCODER_TIANDITU_KEY:
    raise ImproperlyConfigured(
        "GEOCODER_BACKEND=tianditu needs TIANDITU_KEY or GEOCODER_TIANDITU_KEY."
    )
if not 0 < GEOCODER_TIMEOUT_SECONDS <= 30:
    raise ImproperlyConfigured("GEOCODER_TIMEOUT_SECONDS must be more than 0 and at most 30.")

# One tile layer for the phone's map (stations/views.py) and the admin's map widgets.
if MAP_TILE_PROVIDER == "tianditu" and TIANDITU_KEY:
    MAP_TILES = {
        "url": "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
        "&VERSION=1.0.0&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
        f"&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={TIANDITU_KEY}",
        "subdomains": "01234567",
        "attribution": "天地图",
    }
else:
    MAP_TILES = {
        "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "subdomains": "abc",
        "attribution": "© OpenStreetMap",
    }

# The text before the map's attribution. Leaflet's own prefix carries a flag icon; this
# names the library in plain text unless a deployment says otherwise (empty: none).
MAP_ATTRIBUTION_PREFIX = env_str("MAP_ATTRIBUTION_PREFIX", "Leaflet")

LEAFLET_CONFIG = {
    "ATTRIBUTION_PREFIX": MAP_ATTRIBUTION_PREFIX,
    "TILES": [
        (
            "",
            MAP_TILES["url"],
            {"subdomains": MAP_TILES["subdomains"], "attribution": MAP_TILES["attribution"]},
        )
    ],
    "DEFAULT_CENTER": MAP_DEFAULT_CENTER,
    "DEFAULT_ZOOM": 12,
    "MIN_ZOOM": 3,
    "MAX_ZOOM": 18,
    "RESET_VIEW": False,
    "NO_GLOBALS": False,
}

# Micro-wishes (wishes/): the defaults of a district that has set no rules of its own (a
# district's WishRules in the admin): micro means micro.
WISH_VALUE_CAP_YUAN = env_int("WISH_VALUE_CAP_YUAN", 500, minimum=1)
WISH_OPEN_WISHES_PER_WORKER = env_int("WISH_OPEN_WISHES_PER_WORKER", 1, minimum=1)
# A claim lapses after this many days unless handed over, and the wish is back on the wall;
# a donor may hold this many claims not yet handed over (anti-hoarding); the donor is
# reminded this many days before the deadline.
WISH_CLAIM_DAYS = env_int("WISH_CLAIM_DAYS", 14, minimum=1)
WISH_OPEN_CLAIMS_PER_DONOR = env_int("WISH_OPEN_CLAIMS_PER_DONOR", 3, minimum=1)
WISH_CLAIM_REMINDER_DAYS = env_int("WISH_CLAIM_REMINDER_DAYS", 3, minimum=1)

# Feedback (feedback/): the defaults of a district that has set no rules of its own. A
# resolved case waits this many days for the worker's "fixed / not fixed", then closes; a
# case reported within this many metres and days of an open one of its category is offered
# to the worker to follow instead; a place further than this from every station, and inside
# no community's boundary, is outside the platform's areas.
FEEDBACK_CLOSE_AFTER_DAYS = env_int("FEEDBACK_CLOSE_AFTER_DAYS", 7, minimum=1)
FEEDBACK_SIMILAR_METRES = env_int("FEEDBACK_SIMILAR_METRES", 100, minimum=10)
FEEDBACK_SIMILAR_DAYS = env_int("FEEDBACK_SIMILAR_DAYS", 30, minimum=1)
FEEDBACK_NEAREST_STATION_METRES = env_int("FEEDBACK_NEAREST_STATION_METRES", 5_000, minimum=100)

# Nearby search limits (DESIGN: bad input → 400 with a clear message).
NEARBY_MAX_RADIUS_M = env_int("NEARBY_MAX_RADIUS_M", 20_000, minimum=100)
NEARBY_DEFAULT_RADIUS_M = env_int("NEARBY_DEFAULT_RADIUS_M", 3_000, minimum=100)

# The 一刻钟服务圈 (reports/coverage.py): a place is covered when an open station lies within
# speed × minutes ÷ detour factor in a straight line. The detour factor stands for streets
# not running straight to the door (route ≈ straight line × factor; about 1.2–1.4 in a city
# grid, more where gated estates, rivers or railways are in the way). Speeds as the phone's
# station finder uses them. Checked here with the same bounds as reports.coverage.Reach.
COVERAGE_WALKING_KMH = env_float("COVERAGE_WALKING_KMH", 4.8)
COVERAGE_EBIKE_KMH = env_float("COVERAGE_EBIKE_KMH", 15.0)
COVERAGE_DETOUR_FACTOR = env_float("COVERAGE_DETOUR_FACTOR", 1.3)
COVERAGE_MINUTES = env_int("COVERAGE_MINUTES", 15, minimum=1)
# A speed of 0 or in m/h, a factor of 13: a typo must stop start-up, not skew the figures.
if not (0 < COVERAGE_WALKING_KMH <= 100 and 0 < COVERAGE_EBIKE_KMH <= 100):
    raise ImproperlyConfigured("COVERAGE_WALKING_KMH and COVERAGE_EBIKE_KMH: above 0, at most 100.")
if not 1 <= COVERAGE_DETOUR_FACTOR <= 3:
    raise ImproperlyConfigured(f"COVERAGE_DETOUR_FACTOR={COVERAGE_DETOUR_FACTOR}: from 1 to 3.")
if COVERAGE_MINUTES > 120:
    raise ImproperlyConfigured(f"COVERAGE_MINUTES={COVERAGE_MINUTES}: at most 120.")

# The rollups (reports/): distinct counts over a quarter or a year read that whole period's
# raw rows, so the beat's job recomputes them at most this often (every other figure within
# a beat, ~15 s); each figure shows when it was computed.
ROLLUP_SLOW_SECONDS = env_int("ROLLUP_SLOW_SECONDS", 600, minimum=0)
# Memory each rollup statement may sort and hash in before it spills to disk (PostgreSQL's
# work_mem, set for the rollup jobs' transactions only): a city's rebuild sorts tens of
# millions of rows, and the beat's sums run faster hashed in memory.
ROLLUP_WORK_MEM = env_memory_size("ROLLUP_WORK_MEM", "256MB")

# Personal data (core/crypto.py). Keys come from the environment (FIELD_ENCRYPTION_KEYS:
# "<id>:<aes-gcm|sm4-gcm>:<base64 key>", comma-separated, current first; BLIND_INDEX_KEY:
# base64 of 32 bytes) or else from the keyring file, which `manage.py
# create_personal_data_keys` writes (make run does it once). Never in code.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", [])
BLIND_INDEX_KEY = env_str("BLIND_INDEX_KEY", "")
PERSONAL_DATA_KEYS_FILE = env_str(
    "PERSONAL_DATA_KEYS_FILE", str(BASE_DIR / "var" / "keys" / "personal-data.keys")
)

# Text messages (core/sms.py): the console backend writes login codes to the log instead of
# sending them; set SMS_BACKEND=core.sms.TencentCloudBackend and the SMS_TENCENT_* values
# to send real messages.
SMS_BACKEND = env_str("SMS_BACKEND", "core.sms.ConsoleBackend")
SMS_TENCENT_SECRET_ID = env_str("SMS_TENCENT_SECRET_ID", "")
SMS_TENCENT_SECRET_KEY = env_str("SMS_TENCENT_SECRET_KEY", "")
SMS_TENCENT_APP_ID = env_str("SMS_TENCENT_APP_ID", "")
SMS_TENCENT_SIGN_NAME = env_str("SMS_TENCENT_SIGN_NAME", "")
SMS_TENCENT_LOGIN_TEMPLATE_ID = env_str("SMS_TENCENT_LOGIN_TEMPLATE_ID", "")
# The template that tells a person they have a new message on the platform (its title as
# the one parameter); empty: messages stay in the inbox only (members.inbox).
SMS_TENCENT_NOTICE_TEMPLATE_ID = env_str("SMS_TENCENT_NOTICE_TEMPLATE_ID", "")
SMS_TENCENT_REGION = env_str("SMS_TENCENT_REGION", "ap-guangzhou")
# Messages by WeChat (core/wechat.py): only the local backend, which writes to the log,
# until linking a worker's WeChat account is built.
WECHAT_BACKEND = env_str("WECHAT_BACKEND", "core.wechat.ConsoleBackend")
# Share cards inside WeChat (core/wechat.py): NoShareBackend leaves a shared page's card to
# its title, image and description tags; OfficialAccountShareBackend signs WeChat's JS-SDK
# with the district's official account (its app id and secret; the site's domain listed
# as the account's JS-safe domain), and the page loads the JS-SDK from WECHAT_JSSDK_URL.
WECHAT_SHARE_BACKEND = env_str("WECHAT_SHARE_BACKEND", "core.wechat.NoShareBackend")
WECHAT_APP_ID = env_str("WECHAT_APP_ID", "")
WECHAT_APP_SECRET = env_str("WECHAT_APP_SECRET", "")
WECHAT_JSSDK_URL = env_str("WECHAT_JSSDK_URL", "https://res.wx.qq.com/open/js/jweixin-1.6.0.js")
WECHAT_TIMEOUT_SECONDS = env_int("WECHAT_TIMEOUT_SECONDS", 3, minimum=1)
WECHAT_SIGNS_SHARES = WECHAT_SHARE_BACKEND != "core.wechat.NoShareBackend"
_jssdk = urlsplit(WECHAT_JSSDK_URL)
WECHAT_JSSDK_ORIGIN = f"{_jssdk.scheme}://{_jssdk.netloc}"
SMS_TENCENT_ENDPOINT = env_str("SMS_TENCENT_ENDPOINT", "https://sms.tencentcloudapi.com/")

# How many reverse proxies (nginx, a load balancer) stand in front of the app: the
# per-address limits on login codes read the client's address that many hops back in
# X-Forwarded-For. 0 = clients connect directly.
NUM_PROXIES = env_int("NUM_PROXIES", 0, minimum=0)

# Ledger (.xlsx) imports: files up to this many rows are checked and imported while the
# page waits; larger ones by a Celery worker, with a progress bar. Uploaded files hold
# personal data in the clear: they are dropped this many days after the import finished.
LEDGER_IMPORT_INLINE_ROWS = env_int("LEDGER_IMPORT_INLINE_ROWS", 1000, minimum=0)
LEDGER_IMPORT_KEEP_DAYS = env_int("LEDGER_IMPORT_KEEP_DAYS", 30, minimum=0)

# The password every demo account gets from `manage.py load_demo` (documented in README).
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "warm-demo-2026")

SILENCED_SYSTEM_CHECKS = [
    # GDAL 3.6 (Debian 12) is older than Django 5.2 prefers; it works for everything we use.
    "gis.W001",
    # django-axes locks accounts; addresses are locked by security.backends with a higher
    # limit of their own (an office behind one address), which axes cannot see.
    "axes.W006",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

ADMIN_SITE_HEADER = _("Warm stations administration")


# ---------------------------------------------------------------------------------------
# Security controls (等保 2.0 level 3; security/). README "Security controls" says how a
# district turns each on and what the defaults are.

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out account before a password is even checked (django-axes).
    "axes.backends.AxesStandaloneBackend",
    "security.backends.AddressLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    # The three administrators' permissions come from their duty (security.duties).
    "security.backends.AdminDutyBackend",
]

# Login failures: an account is locked after AXES_FAILURE_LIMIT failures in a row for
# LOGIN_LOCKOUT_MINUTES (django-axes); an address after LOGIN_FAILURES_PER_ADDRESS failures
# within the same time, whatever the account (a district office behind one address has
# room for its staff's typos). The security administrator lifts a lockout in the admin.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURES_PER_ACCOUNT", 5, minimum=1)
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 30, minimum=1)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 30, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "security.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "security.backends.axes_client_ip"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False

# Staff sessions end after this long without a request, and this long after login whatever
# happens; workers on the phone keep Django's cookie age (they sign in by SMS code).
STAFF_SESSION_IDLE_MINUTES = env_int("STAFF_SESSION_IDLE_MINUTES", 30, minimum=1)
STAFF_SESSION_MAX_HOURS = env_int("STAFF_SESSION_MAX_HOURS", 12, minimum=1)

# A staff password older than this must be changed before anything else (0: never).
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 90, minimum=0)

# Two-factor authentication (TOTP, django-otp): required for these kinds of account, offered
# to every other staff member. "superuser", the three duties ("system", "security",
# "audit") and grant roles ("city", "district", "street", "community", "keeper"…).
TWO_FACTOR_REQUIRED_FOR = env_list(
    "TWO_FACTOR_REQUIRED_FOR", ["superuser", "system", "security", "audit", "city", "district"]
)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "暖新驿站")

# The security audit log keeps entries this many days (the database refuses fewer than 184).
SECURITY_AUDIT_RETENTION_DAYS = env_int("SECURITY_AUDIT_RETENTION_DAYS", 365, minimum=184)

# Requests per minute a signed-in person may make to the API and to the admin; more are
# answered 429 with a message (a script, not a person, makes that many).
API_REQUESTS_PER_MINUTE = env_int("API_REQUESTS_PER_MINUTE", 300, minimum=1)
ADMIN_REQUESTS_PER_MINUTE = env_int("ADMIN_REQUESTS_PER_MINUTE", 300, minimum=1)
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = ["security.throttles.PerPersonApiThrottle"]

# Content-Security-Policy (django-csp): scripts only from this site or inline with the
# request's nonce; images also from the map's tile server.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        # WeChat's JS-SDK, only where the official account signs share cards.
        "script-src": [
            SELF,
            NONCE,
            *([WECHAT_JSSDK_ORIGIN] if WECHAT_SIGNS_SHARES else []),
        ],
        # Leaflet positions map tiles with inline styles.
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [
            SELF,
            "data:",
            "blob:",
            # The map tiles (stations/views.py and the admin's map widgets), plus any other
            # tile server a district configures.
            "https://tile.openstreetmap.org",
            "https://*.tile.openstreetmap.org",
            "https://*.tianditu.gov.cn",
            *env_list("CSP_IMAGE_SOURCES", []),
        ],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    },
}

# --- Operations (issue 12 §7: health, metrics, API docs, media) ---------------------------
# /metrics (Prometheus text format) answers only a request carrying
# "Authorization: Bearer <METRICS_TOKEN>"; empty = no metrics endpoint (404). The same token
# (or a staff login) shows /healthz's details; anonymous callers see only ok/degraded.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
# Celery beat writes a heartbeat every minute (core.tasks.heartbeat): older than this, beat
# (or every worker) is reported down. A task waiting in the queue longer than this makes the
# queues "behind".
HEALTHZ_BEAT_MAX_AGE_SECONDS = env_int("HEALTHZ_BEAT_MAX_AGE_SECONDS", 180, minimum=60)
HEALTHZ_QUEUE_MAX_WAIT_SECONDS = env_int("HEALTHZ_QUEUE_MAX_WAIT_SECONDS", 300, minimum=1)
# /api/schema/ and /api/docs/ open to anyone (True), or to signed-in users only (False, the
# production default: config/settings/production.py).
API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", True)
# Django serves the public media folders itself (make run, with DEBUG off); in production
# nginx serves /media/<folder>/ for these folders only, and nothing else under MEDIA_ROOT.
SERVE_MEDIA = env_bool("SERVE_MEDIA", False)
PUBLIC_MEDIA_DIRS = ["stations"]
# Files that are not public (core/private_files.py): outside MEDIA_ROOT, served only by the
# scoped view /files/<kind>/<name>. Back them up with the media (make backup does).
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "var" / "private-media")))


# ---------------------------------------------------------------------------------------
# API schema and fuzzing (issue 12 §2; tests/test_api_fuzz.py). One schema class documents
# every operation's refusals (400 with the error shape, 401, 403, 404, 429) and the GeoJSON
# answers (core/schema.py).
REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "core.schema.AutoSchema"


# ---------------------------------------------------------------------------------------
# Nothing lost when Redis dies (issue 12 §4; core/cache.py, core/outbox.py, core/ratelimit.py).
# The cache's timeouts are with CACHES above.
# The outbox: a job is sent when its transaction commits (giving up after this many seconds
# of trying to reach the broker, then not trying again from requests for OUTBOX_RETRY_SECONDS),
# else by the drain beat job; a job sent but not run after OUTBOX_RESEND_SECONDS (its Redis
# restarted empty) is sent again, at most OUTBOX_MAX_ATTEMPTS times.
OUTBOX_CONNECT_TIMEOUT = env_float("OUTBOX_CONNECT_TIMEOUT", 0.5)
OUTBOX_RETRY_SECONDS = env_float("OUTBOX_RETRY_SECONDS", 15.0)
OUTBOX_RESEND_SECONDS = env_int("OUTBOX_RESEND_SECONDS", 900, minimum=30)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 20, minimum=1)
# A worker killed mid-task: with acks_late (above) the message is not acknowledged. A pool
# process that dies has its task requeued at once (reject on worker lost); a whole worker
# that dies leaves it unacknowledged in Redis, where the next worker takes it back after the
# visibility timeout — longer than any task runs (the largest ledger import takes seconds).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 600, minimum=30),
}


# ---------------------------------------------------------------------------------------
# Workers' rights (PIPL; members/personal_data.py, members/services/privacy.py).
# A deletion request is handled within this many days.
DELETION_REQUEST_DEADLINE_DAYS = env_int("DELETION_REQUEST_DEADLINE_DAYS", 15, minimum=1)
# Retention periods a district changes, "<rule>:<days>" comma-separated (the rules and their
# defaults are listed in the privacy notice, /m/privacy/), e.g.
# PERSONAL_DATA_RETENTION_DAYS=members.LoginCode:7,members.Worker.unused:1095
PERSONAL_DATA_RETENTION_DAYS = env_days_by_name("PERSONAL_DATA_RETENTION_DAYS")
