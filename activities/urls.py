from django.urls import path

from . import views

urlpatterns = [
    path("m/activities/", views.activity_list, name="mobile-activities"),
    path("m/activities/<int:activity_id>/", views.activity_detail, name="mobile-activity"),
    path(
        "m/activities/<int:activity_id>/sign-up/",
        views.activity_sign_up,
        name="mobile-activity-sign-up",
    ),
    path(
        "m/activities/<int:activity_id>/cancel/",
        views.activity_cancel_sign_up,
        name="mobile-activity-cancel",
    ),
    path("m/a/<str:key>/", views.attend, name="mobile-attend"),
    path("m/service-list/", views.service_list, name="mobile-service-list"),
    path("m/volunteer/", views.volunteering, name="mobile-volunteering"),
]
