"""The project's URLs plus views that fail on purpose (error pages, request metrics)."""

from django.core.exceptions import BadRequest, PermissionDenied
from django.http import HttpResponse
from django.urls import include, path


def boom(request):
    raise RuntimeError("a bug")


def forbidden(request):
    raise PermissionDenied


def bad(request):
    raise BadRequest


def form(request):
    # A POST view behind CsrfViewMiddleware: reached only with a valid token.
    return HttpResponse("saved")


urlpatterns = [
    path("test-errors/500/", boom),
    path("test-errors/403/", forbidden),
    path("test-errors/400/", bad),
    path("test-errors/form/", form),
    path("", include("config.urls")),
]
