from rest_framework.routers import DefaultRouter

from .views import PointsAccountViewSet, PointsEntryViewSet, PointsRuleViewSet

router = DefaultRouter()
router.register("points-accounts", PointsAccountViewSet, basename="points-account")
router.register("points-ledger", PointsEntryViewSet, basename="points-entry")
router.register("points-rules", PointsRuleViewSet, basename="points-rule")
urlpatterns = router.urls
