from django.urls import path

from . import views

urlpatterns = [
    path("m/report/", views.report, name="mobile-report"),
    path("m/report/follow/<int:case_id>/", views.follow, name="mobile-case-follow"),
    path("m/me/cases/", views.my_cases, name="mobile-my-cases"),
    path("m/me/cases/<int:case_id>/", views.my_case, name="mobile-my-case"),
    path("m/answers/", views.answers_index, name="mobile-answers"),
    path("m/answers/<str:code>/", views.answers, name="mobile-answers-district"),
    path("m/hazards/", views.hazard_map, name="mobile-hazard-map"),
    path("m/hazards/map.json", views.hazard_map_data, name="mobile-hazard-map-data"),
]
