from django.urls import path

from . import views

urlpatterns = [
    path("m/gate/<str:token>/", views.gate_entry, name="mobile-estate-gate"),
    path("m/gate/<str:token>/consent/", views.gate_consent, name="mobile-estate-consent"),
    path("m/passes/<int:pass_id>/", views.pass_page, name="mobile-estate-pass"),
    path("m/passes/<int:pass_id>/code.json", views.pass_code_json, name="mobile-estate-pass-code"),
    path("m/me/passes/", views.my_passes, name="mobile-estate-passes"),
    path("m/me/passes/<int:pass_id>/object/", views.pass_object, name="mobile-estate-pass-object"),
    path("m/me/passes/<int:pass_id>/delete/", views.pass_delete, name="mobile-estate-pass-delete"),
    path("m/guard/", views.guard, name="mobile-guard"),
]
