from django.urls import path

from . import inbox_views, privacy_views, views

urlpatterns = [
    path("m/login/", views.login, name="mobile-login"),
    path("m/login/code/", views.login_code, name="mobile-login-code"),
    path("m/logout/", views.logout, name="mobile-logout"),
    path("m/register/", views.register, name="mobile-register"),
    path("m/communities/", views.communities, name="mobile-communities"),
    path("m/me/", views.me, name="mobile-me"),
    path("m/me/phone/", views.change_phone, name="mobile-change-phone"),
    path("m/me/transfer/withdraw/", views.withdraw_transfer, name="mobile-withdraw-transfer"),
    path("m/me/messages/", inbox_views.message_list, name="mobile-messages"),
    path("m/me/messages/settings/", inbox_views.message_settings, name="mobile-message-settings"),
    path("m/me/data/", privacy_views.my_data, name="mobile-my-data"),
    path("m/me/consent/", privacy_views.consent, name="mobile-consent"),
    path("m/me/delete/", privacy_views.delete_account, name="mobile-delete"),
    path("m/i/", views.invitation, name="mobile-invitation-code"),
    path("m/i/<str:code>/", views.invitation, name="mobile-invitation"),
    path("m/privacy/", views.privacy_notice, name="mobile-privacy"),
]
