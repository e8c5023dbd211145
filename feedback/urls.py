from django.urls import path

from . import views

urlpatterns = [
    path("m/report/", views.report, name="mobile-report"),
    path("m/report/follow/<int:case_id>/", views.follow, name="mobile-case-follow"),
    path("m/me/cases/", views.my_cases, name="mobile-my-cases"),
    path("m/me/cases/<int:case_id>/", views.my_case, name="mobile-my-case"),
]
