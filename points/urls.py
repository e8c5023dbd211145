from django.urls import path

from . import views

urlpatterns = [
    path("m/points/", views.my_points, name="mobile-points"),
    path("m/rewards/", views.reward_list, name="mobile-rewards"),
    path("m/rewards/<int:reward_id>/", views.reward_redeem, name="mobile-reward"),
    path(
        "m/redemptions/<int:redemption_id>/",
        views.redemption_detail,
        name="mobile-redemption",
    ),
]
