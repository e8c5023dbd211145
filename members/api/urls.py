from rest_framework.routers import DefaultRouter

from .views import EnterpriseViewSet, OutletViewSet, WorkerViewSet

router = DefaultRouter()
router.register("workers", WorkerViewSet, basename="worker")
router.register("enterprises", EnterpriseViewSet, basename="enterprise")
router.register("outlets", OutletViewSet, basename="outlet")
urlpatterns = router.urls
