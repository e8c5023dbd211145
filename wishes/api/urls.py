from django.urls import path
from rest_framework.routers import DefaultRouter

from .views import ClaimViewSet, DonorViewSet, HandOverViewSet, WishViewSet

router = DefaultRouter()
router.register("wishes", WishViewSet, basename="wish")
router.register("wish-claims", ClaimViewSet, basename="wish-claim")
router.register("wish-donors", DonorViewSet, basename="wish-donor")
urlpatterns = [
    # A POST only, as points' redemptions/hand-over/: the claims it hands over are listed
    # by wish-claims (a list of its own would be a second, filtered list of claims).
    path(
        "wish-handovers/",
        HandOverViewSet.as_view({"post": "hand_over"}),
        name="wish-handover",
    ),
    *router.urls,
]
