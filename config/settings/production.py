"""Production. Every secret comes from the environment; `manage.py check --deploy` passes
with the variables documented in .env.example."""

from .base import *  # noqa: F401,F403
from .base import env_bool, env_int, env_str

DEBUG = False
SECRET_KEY = env_str("DJANGO_SECRET_KEY")  # required: no default in production

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# The OpenAPI schema and its docs page for signed-in users only, unless a district opens them.
API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", False)
# nginx serves /media/<PUBLIC_MEDIA_DIRS>/ (README: Operations); Django only if asked.
SERVE_MEDIA = env_bool("SERVE_MEDIA", False)
