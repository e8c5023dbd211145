"""The monthly report's addresses (reports/monthly_views.py), from the site's root:
included in config/urls.py as path("", include("reports.monthly_urls"))."""

from django.urls import path

from . import monthly_views as views

MONTH = "dashboard/<str:code>/monthly/<str:month>/"

urlpatterns = [
    path("dashboard/<str:code>/monthly/", views.monthly_index, name="dashboard-monthly"),
    path(MONTH, views.monthly_report, name="dashboard-monthly-report"),
    path(f"{MONTH}generate/", views.monthly_generate, name="dashboard-monthly-generate"),
    path(f"{MONTH}submit/", views.monthly_submit, name="dashboard-monthly-submit"),
    path(f"{MONTH}print/", views.monthly_print, name="dashboard-monthly-print"),
    path(f"{MONTH}download/", views.monthly_download, name="dashboard-monthly-download"),
    path(
        f"{MONTH}submitted/print/",
        views.monthly_print,
        {"submitted": True},
        name="dashboard-monthly-submitted-print",
    ),
    path(
        f"{MONTH}submitted/download/",
        views.monthly_download,
        {"submitted": True},
        name="dashboard-monthly-submitted-download",
    ),
    path(f"{MONTH}areas/", views.monthly_children, name="dashboard-monthly-children"),
]
