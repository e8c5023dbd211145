from django.urls import path

from . import views

urlpatterns = [
    path("m/login/", views.login, name="mobile-login"),
    path("m/logout/", views.logout, name="mobile-logout"),
    path("m/register/", views.register, name="mobile-register"),
    path("m/communities/", views.communities, name="mobile-communities"),
    path("m/me/", views.me, name="mobile-me"),
    path("m/i/", views.invitation, name="mobile-invitation-code"),
    path("m/i/<str:code>/", views.invitation, name="mobile-invitation"),
    path("m/privacy/", views.privacy_notice, name="mobile-privacy"),
]
