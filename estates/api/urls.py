from rest_framework.routers import DefaultRouter

from .views import EntryViewSet, EstatePassViewSet, EstateViewSet, GateViewSet

router = DefaultRouter()
router.register("estates", EstateViewSet, basename="estate")
router.register("gates", GateViewSet, basename="gate")
router.register("estate-passes", EstatePassViewSet, basename="estate-pass")
router.register("estate-entries", EntryViewSet, basename="estate-entry")
urlpatterns = router.urls
