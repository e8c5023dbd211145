from django.urls import path, re_path

from . import views

# Mounted at /dashboard/ (config/urls.py). An area is named by its 12-digit division code;
# anything else is no area (404), as an area out of reach is.
CODE = r"(?P<code>[0-9]{12})"

urlpatterns = [
    path("", views.dashboard_page, name="dashboard"),
    re_path(rf"^{CODE}/$", views.dashboard_page, name="dashboard-area"),
    re_path(rf"^{CODE}/export\.xlsx$", views.dashboard_export, name="dashboard-export"),
    re_path(rf"^{CODE}/stations/$", views.dashboard_stations, name="dashboard-stations"),
    re_path(rf"^{CODE}/screen/$", views.screen_page, name="dashboard-screen"),
    re_path(rf"^{CODE}/screen/data/$", views.screen_data, name="dashboard-screen-data"),
]
