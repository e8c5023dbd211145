import posixpath

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import BasePermission

from core import admin_maps, private_files, pwa
from core.health import healthz
from core.metrics import metrics_view
from reports import start_page

admin.site.site_header = settings.ADMIN_SITE_HEADER
admin.site.site_title = settings.ADMIN_SITE_HEADER


class DocsAllowed(BasePermission):
    """The schema is open when API_DOCS_PUBLIC is on (local, tests), else for signed-in
    users only (production default)."""

    def has_permission(self, request, view):
        return settings.API_DOCS_PUBLIC or request.user.is_authenticated


# The split view serves its start-up script as a file (?script), not inline: the
# Content-Security-Policy allows no inline script without a nonce.
_swagger = SpectacularSwaggerSplitView.as_view(url_name="schema", permission_classes=[DocsAllowed])


def api_docs(request, *args, **kwargs):
    # A person opening the docs page is sent to sign in, not shown a bare 403.
    if not (settings.API_DOCS_PUBLIC or request.user.is_authenticated):
        return redirect_to_login(request.get_full_path())
    return _swagger(request, *args, **kwargs)


def public_media(request, path):
    """Media files for `make run` (SERVE_MEDIA), where no nginx serves them: only the
    public folders (station photos). Anything else under MEDIA_ROOT — and every private
    photo later — is served by its own scoped view, never by a guessable URL."""
    clean = posixpath.normpath(path).lstrip("/")  # "stations/../x" is "x": checked as such
    if not settings.SERVE_MEDIA or clean.split("/", 1)[0] not in settings.PUBLIC_MEDIA_DIRS:
        raise Http404
    return serve(request, clean, document_root=settings.MEDIA_ROOT)


urlpatterns = [
    path("", RedirectView.as_view(pattern_name="mobile-home", permanent=False)),
    path("healthz", healthz, name="healthz"),
    # The phone app (core/pwa.py): its service worker at the root, to cover /m/ and /q/.
    path("sw.js", pwa.service_worker, name="service-worker"),
    path("m/manifest.webmanifest", pwa.manifest, name="web-app-manifest"),
    path("m/offline/", pwa.offline, name="mobile-offline"),
    path("metrics", metrics_view, name="metrics"),
    # The admin map widgets' place search (core/admin_maps.py): before the admin's own URLs.
    path("admin/geocode/", admin_maps.geocode_view, name="admin-geocode"),
    # The admin's home page, except right after a department's login (reports.start_page).
    path("admin/", admin.site.admin_view(start_page.admin_home)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api")),
    path(
        "api/schema/",
        SpectacularAPIView.as_view(permission_classes=[DocsAllowed]),
        name="schema",
    ),
    path("api/docs/", api_docs, name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", public_media, name="media"),
    path("files/<str:kind>/<path:name>", private_files.serve, name="private-file"),
    path("", include("security.urls")),
    path("", include("stations.urls")),
    path("", include("members.urls")),
    path("", include("party.urls")),
    path("", include("points.urls")),
    path("", include("activities.urls")),
    path("", include("wishes.urls")),
    path("", include("feedback.urls")),
    path("", include("estates.urls")),
    # Open311 GeoReport v2: partner systems (a 12345 hotline) exchange cases.
    path("open311/v2/", include("feedback.open311.urls")),
    path("dashboard/", include("reports.urls")),
    path("", include("reports.monthly_urls")),  # /dashboard/<code>/monthly/…
]
