"""The site's addresses with the monthly report's (reports/monthly_urls.py) added, for the
tests, until config/urls.py includes them (then this module and the tests' `urls` mark can
go). The site's own urlconf is named, not imported: no app imports config."""

from django.urls import include, path

urlpatterns = [
    path("", include("reports.monthly_urls")),
    path("", include("config.urls")),
]
