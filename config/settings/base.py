"""Settings shared by every environment; what differs between machines comes from the environment."""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from clinic.notifications import quiet
from config.envtools import broker_url, cache_location, database_config, read_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

# Only dev and test may fall back to this; production refuses it (config/settings/production.py).
INSECURE_DEFAULT_SECRET_KEY = "insecure-dev-only-key-never-use-in-production"  # noqa: S105
SECRET_KEY = read_secret_key(env) or INSECURE_DEFAULT_SECRET_KEY
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "auditlog",
    "oauth2_provider",
    "axes",
    "csp",
    "clinic",
    "patients",
    "scheduling",
    "insurance",
    "infusions",
    "charting",
    "reports",
    "fhir",
    "selfservice",
    "waitlist",
    "demo",
]

MIDDLEWARE = [
    # Outermost, so an HTML error page from anything inside becomes the API's JSON under /api/.
    "clinic.middleware.ApiJsonErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The tablet pages (and the API calls they make) in the nurse's language; the rest stays English.
    "charting.language.ChairsideLanguageMiddleware",
    "clinic.audit.AuditMiddleware",
    "clinic.session_limits.SessionLimitsMiddleware",
    "clinic.no_store.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "scheduling.zones.SiteTimeZoneMiddleware",
    # Last, as django-axes asks: it turns a locked login into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "clinic" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clinic.session_limits.screen_lock_context",
            ],
        },
    },
]

# PostgreSQL only: bookings rely on exclusion constraints. `make run` / `make test` set DATABASE_URL
# to an embedded server when the environment does not (config/devservers.py).
DATABASES = {"default": database_config(env("DATABASE_URL"))}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Shared clinic workstations and tablets: a passphrase, not a word ("infusion" is refused twice over).
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "clinic.passwords.ClinicWordsValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The tablet's pages (charting/locale/) and a patient's pages and messages (selfservice/locale/,
# scheduling/locale/; Patient.preferred_language) speak these; the admin and the desk stay English
# (charting/language.py says why). Each app keeps its catalogue in its own locale/ folder, compiled .mo
# files committed.
LANGUAGES = [("en", "English"), ("fr", "Français"), ("es", "Español")]
# The tablet's own words come first: Django's admin and auth catalogues, which rank before charting by
# INSTALLED_APPS order, would otherwise answer for the words they share ("Change", "None", "Log out").
LOCALE_PATHS = [BASE_DIR / "charting" / "locale"]
# Stored times are aware UTC; each site has its own time zone for opening hours and reminders.
TIME_ZONE = "UTC"
# The staff pages' formats: date-times carry their zone's abbreviation (config/formats/en/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / ".local" / "static")
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / ".local" / "media")

LOGIN_URL = "admin:login"

# --- REST API -------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["clinic.access.HasModelPermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "clinic.pagination.Pagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "clinic.errors.exception_handler",
    # JSON with a nesting limit (400 json_too_deep); forms for the browsable API.
    "DEFAULT_PARSER_CLASSES": [
        "clinic.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Infusion Clinic API",
    "DESCRIPTION": (
        "REST API of the infusion-clinic service. Staff endpoints need a staff session; "
        "every error is JSON `{code, detail, fields}` with a stable `code`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Request bodies are documented as JSON, the API's format (forms are for the browsable API only).
    "PARSER_WHITELIST": ["clinic.parsers.JSONParser"],
    # Every operation lists its error answers in the one error shape (clinic/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "clinic.schema.add_error_responses",
    ],
    # Served from our own static files: clinics' networks often block CDNs, and no page should need one.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The insurer API's enums keep their own names (other apps have fields called status, kind, outcome).
    "ENUM_NAME_OVERRIDES": {
        "AuthorizationStatusEnum": "insurance.models.AuthStatus",
        "AuthorizationEventKindEnum": "insurance.models.AuthorizationEvent.Kind",
        "AuthorizationUsageStatusEnum": "insurance.models.UsageStatus",
        "AuthorizationDecisionOutcomeEnum": "insurance.services.DECISION_CHOICES",
        "RateChangeKindEnum": "charting.models.RateKind",
        "ReactionKindEnum": "charting.models.ReactionKind",
        "ReactionOutcomeEnum": "charting.models.ReactionOutcome",
    },
}

# --- Insurer API: OAuth2 client credentials (django-oauth-toolkit) ------------------------------------
# Each client application belongs to one payer (insurance.PayerClient), which also limits its scopes.
OAUTH2_PROVIDER = {
    "SCOPES": {
        "authorizations:read": "Read your members' prior authorizations, summaries, usage and changes",
        "authorizations:decide": "Approve, deny or pend your members' prior authorizations",
    },
    "DEFAULT_SCOPES": ["authorizations:read"],
    "SCOPES_BACKEND_CLASS": "insurance.oauth.PayerScopes",
    "ACCESS_TOKEN_EXPIRE_SECONDS": 60 * 60,  # the issue: tokens last at most one hour
    "ERROR_RESPONSE_WITH_SCOPES": True,
    # The OAuth 2.0 Security BCP (RFC 9700) in full: tokens stored hashed and never accepted in a query
    # string (URLs end up in logs), no implicit or password grant, https redirects, strict PKCE. Only
    # client credentials are used, but nothing weaker is left switched on.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}
# insurance.PayerClient points at it; Django's migrations read the swappable model's name from here.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"

# --- Audit trail ----------------------------------------------------------------------------------------
# X-Forwarded-For is trusted only behind a proxy that sets it; otherwise anyone could forge the
# address written into the audit trail.
AUDIT_TRUST_X_FORWARDED_FOR = env.bool("AUDIT_TRUST_X_FORWARDED_FOR", default=False)
AUDITLOG_STORE_JSON_CHANGES = True

# --- The doors: login throttling, session limits (clinic/login_throttle.py, clinic/session_limits.py) ---
# django-axes counts failed logins in the database (one truth for every web process, and its cool-off
# follows the clock). Either the account or the address reaching the limit locks; the lock ends by itself.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_COOLOFF_MINUTES = env.int("LOGIN_COOLOFF_MINUTES", default=15)
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
# The cool-off runs from the lockout: more tries while locked do not stretch it into a permanent lock.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "clinic.login_throttle.client_address"
AXES_LOCKOUT_CALLABLE = "clinic.login_throttle.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# Staff sessions (admin, browsable API) end after this many minutes without a request; every session
# ends this many hours after its login, however busy.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=15)
SESSION_ABSOLUTE_HOURS = env.int("SESSION_ABSOLUTE_HOURS", default=12)
# The tablet (/chairside/) locks its screen after this many minutes without a touch, and asks for the
# nurse's password again; what it holds for sending (offline entries) waits on the tablet meanwhile.
CHAIRSIDE_LOCK_MINUTES = env.int("CHAIRSIDE_LOCK_MINUTES", default=5)
SCREEN_LOCK_DOORS = ["/chairside/"]  # sessions logged in here lock instead of ending when idle
SCREEN_LOCK_UNLOCK_URL = "chairside:unlock"
SCREEN_LOCK_OPEN_URLS = ["chairside:unlock", "chairside:lock", "chairside:logout"]  # reachable while locked

# --- What browsers may do with our pages (clinic/no_store.py, django-csp) ------------------------------
# Pages and JSON with patient data are never stored by a browser or a proxy.
# Paths whose next segment is a secret (a patient's link token): logs show it masked.
LOG_SECRET_PATH_PREFIXES = ["/v/", "/w/"]
NO_STORE_URL_PREFIXES = ["/admin/", "/chairside/", "/api/", "/fhir/", "/v/", "/w/"]
# Scripts only from our own static files: no inline script, no eval, no other host. Inline style
# attributes stay allowed (the day board and the vitals chart place their bars with them); they run
# no code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Redis: cache and Celery broker ---------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
# Nothing in the cache is authoritative (ARCHITECTURE: "Nothing in memory is authoritative"); it holds
# answers that are dropped when their source changes, such as each user's permission set.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": cache_location(REDIS_URL),
        "KEY_PREFIX": "clinic",
    }
}
AUTHENTICATION_BACKENDS = [
    # First: refuses every login (right password or not) while its account or address is locked out.
    "axes.backends.AxesStandaloneBackend",
    "clinic.permissions_cache.CachedPermissionBackend",
]
# A backstop only: every edit of groups and permissions drops the affected users' entries at once.
PERMISSION_CACHE_SECONDS = 5 * 60

# --- Celery ---------------------------------------------------------------------------------------------
CELERY_BROKER_URL = broker_url(REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
# A task is acknowledged after it ran, so a worker killed mid-task does not lose it; tasks are
# therefore written to be idempotent (the database row says what was done).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# The schedule optimiser's solves have a worker of their own (Procfile, docker compose: `optimiser`).
CELERY_TASK_ROUTES = {
    "scheduling.proposal_solve": {"queue": "optimiser"},
    "scheduling.template_build": {"queue": "optimiser"},
}

# --- Email and SMS --------------------------------------------------------------------------------------
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("DJANGO_EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="clinic@localhost")
SMS_BACKEND = env("SMS_BACKEND", default="file")

# --- Notification delivery (clinic/notifications) -------------------------------------------------------
# The modules that register message kinds, staff-digest sections and planners (clinic imports no app).
NOTIFICATION_MODULES = [
    "scheduling.reminders",
    "scheduling.proposal_notices",
    "infusions.reminders",
    "selfservice.notices",
    "waitlist.notices",
]
# `file` writes each SMS to SMS_FILE_DIR; `http` (alias `twilio`) posts to a Twilio-style API.
SMS_FILE_DIR = env.path("SMS_FILE_DIR", default=BASE_DIR / ".local" / "outbox")
SMS_HTTP_BASE_URL = env("SMS_HTTP_BASE_URL", default="https://api.twilio.com")
SMS_HTTP_ACCOUNT_SID = env("SMS_HTTP_ACCOUNT_SID", default="")
SMS_HTTP_AUTH_TOKEN = env("SMS_HTTP_AUTH_TOKEN", default="")
SMS_FROM_NUMBER = env("SMS_FROM_NUMBER", default="")
SMS_HTTP_TIMEOUT = env.float("SMS_HTTP_TIMEOUT", default=10.0)
if SMS_BACKEND in ("http", "twilio") and not SMS_HTTP_BASE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("SMS_HTTP_BASE_URL must be an http(s) URL.")
NOTIFICATION_EMAIL_DOMAIN = env("NOTIFICATION_EMAIL_DOMAIN", default="clinic.localhost")
# Appointment reminders go this many hours before the start (default 72 h and 24 h).
REMINDER_HOURS_BEFORE = [int(h) for h in env.list("REMINDER_HOURS_BEFORE", default=["72", "24"])]
FOLLOWUP_HOURS_AFTER = env.int("FOLLOWUP_HOURS_AFTER", default=24)
# Local time (site's zone) in which no patient message goes out, unless the patient set their own.
REMINDER_QUIET_HOURS = quiet.parse_window(env("REMINDER_QUIET_HOURS", default="21:00-08:00"))
STAFF_DIGEST_HOUR = env.int("STAFF_DIGEST_HOUR", default=7)
# Where staff open the admin; the digest links to it.
SITE_URL = env("CLINIC_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# A worker holds a claimed row this long; a dead worker's rows are taken over after it. Must exceed
# the slowest provider call (SMS_HTTP_TIMEOUT).
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=120)
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=100)
OUTBOX_DRAIN_SECONDS = 50  # under the beat interval, so a drainer ends before the next tick
OUTBOX_DRAINERS = env.int("OUTBOX_DRAINERS", default=4)
OUTBOX_MAX_ATTEMPTS = 8
# Provider calls of one SMS batch run in this many threads (they wait on the network, not the CPU): with
# one thread per row of a batch, a provider answering in 100 ms costs each batch one round trip, so one
# drainer still sends a few hundred messages a second (ten from a sequential one).
OUTBOX_SEND_THREADS = env.int("OUTBOX_SEND_THREADS", default=100)

# --- Waitlist (waitlist/): freed chair time offered to waitlisted patients ------------------------------
# How many patients one freed slot is offered to at once (the first to accept gets it); a decline or an
# expiry offers it to the next. Offers expire this many minutes after they are sent, and never after
# the slot's start; a slot starting sooner than the notice is not offered.
WAITLIST_OFFER_BATCH = env.int("WAITLIST_OFFER_BATCH", default=3)
WAITLIST_OFFER_MINUTES = env.int("WAITLIST_OFFER_MINUTES", default=120)
WAITLIST_MIN_NOTICE_MINUTES = env.int("WAITLIST_MIN_NOTICE_MINUTES", default=180)

# --- Clinic defaults (clinic settings a manager may change later; these are the starting values) -------
CLINIC_NAME = env("CLINIC_NAME", default="Infusion Clinic")

# --- Patient links (selfservice) ------------------------------------------------------------------------
# Where patients open their links (the public address; staff may use another).
PATIENT_LINK_BASE_URL = env("PATIENT_LINK_BASE_URL", default=SITE_URL).rstrip("/")
# Requests to link pages per address and window (a patient moving a visit makes about five).
SELFSERVICE_RATE_LIMIT = env.int("SELFSERVICE_RATE_LIMIT", default=30)
SELFSERVICE_RATE_WINDOW_SECONDS = env.int("SELFSERVICE_RATE_WINDOW_SECONDS", default=15 * 60)
# "Choose another time" offers slots from today up to this many days after the visit's own day.
SELFSERVICE_MOVE_DAYS_AFTER = env.int("SELFSERVICE_MOVE_DAYS_AFTER", default=14)

# --- Logging: never patient data, so no request bodies or query strings ----------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {
        "no_query_string": {"()": "clinic.log_filters.DropQueryString"},
        "no_path_secrets": {"()": "clinic.log_filters.MaskPathSecrets"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["no_path_secrets"]}
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        # runserver's request log, without query strings (search terms live there).
        "django.server": {
            "level": "INFO",
            "filters": ["no_query_string"],
            "handlers": ["console"],
            "propagate": False,
        },
        # Each failed login is a warning (names and addresses masked); the rest is chatter.
        "axes": {"level": "WARNING"},
    },
}
