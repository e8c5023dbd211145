"""/api/v1/: one router collecting each app's api/urls.py."""

from django.urls import include, path

urlpatterns = [
    path("", include("areas.api.urls")),
    path("", include("ledgers.api.urls")),
    path("", include("stations.api.urls")),
    path("", include("members.api.urls")),
    path("", include("party.api.urls")),
    path("", include("points.api.urls")),
    path("", include("activities.api.urls")),
    path("", include("wishes.api.urls")),
    path("", include("feedback.api.urls")),
    path("", include("estates.api.urls")),
    path("", include("reports.api.urls")),
]
