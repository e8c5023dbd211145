from rest_framework.routers import DefaultRouter

from .views import (
    PointsAccountViewSet,
    PointsEntryViewSet,
    PointsRuleViewSet,
    RedemptionViewSet,
    RewardViewSet,
)

router = DefaultRouter()
router.register("points-accounts", PointsAccountViewSet, basename="points-account")
router.register("points-ledger", PointsEntryViewSet, basename="points-entry")
router.register("points-rules", PointsRuleViewSet, basename="points-rule")
router.register("rewards", RewardViewSet, basename="reward")
router.register("redemptions", RedemptionViewSet, basename="redemption")
urlpatterns = router.urls
