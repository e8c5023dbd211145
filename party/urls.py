from django.urls import path

from . import views

urlpatterns = [
    path("m/me/party/", views.party, name="mobile-party"),
]
