from django.urls import path

from . import views

urlpatterns = [
    path("security/2fa/setup/", views.two_factor_setup, name="security-2fa-setup"),
    path("security/2fa/verify/", views.two_factor_verify, name="security-2fa-verify"),
    path("security/2fa/recovery/", views.recovery_codes, name="security-2fa-recovery"),
    path("security/settings/", views.security_settings, name="security-settings"),
]
