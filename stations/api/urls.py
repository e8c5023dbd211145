from rest_framework.routers import DefaultRouter

from .views import CheckInViewSet, StationViewSet

router = DefaultRouter()
router.register("stations", StationViewSet, basename="station")
router.register("check-ins", CheckInViewSet, basename="check-in")
urlpatterns = router.urls
