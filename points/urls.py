from django.urls import path

from . import views

urlpatterns = [
    path("m/points/", views.my_points, name="mobile-points"),
]
