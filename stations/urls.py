from django.urls import path

from . import views

urlpatterns = [
    path("m/", views.mobile_home, name="mobile-home"),
    path("m/stations/<int:station_id>/", views.mobile_station, name="mobile-station"),
    path("m/stations/<int:station_id>/check-in/", views.check_in, name="mobile-check-in"),
    path("m/check-ins/", views.check_in_api, name="mobile-check-in-api"),
    path("m/me/check-ins/", views.my_check_ins, name="mobile-check-ins"),
    path("q/<str:token>/", views.poster_entry, name="poster-entry"),
    path("stations/<int:station_id>/poster/", views.station_poster, name="station-poster"),
    path(
        "stations/<int:station_id>/rotate-poster/",
        views.rotate_poster,
        name="station-rotate-poster",
    ),
    path("stations/posters/", views.bulk_posters, name="station-bulk-posters"),
    path("stations/<int:station_id>/today/", views.station_today, name="station-today"),
]
