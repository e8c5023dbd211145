from rest_framework.routers import DefaultRouter

from .views import ImportJobViewSet

router = DefaultRouter()
router.register("ledger-imports", ImportJobViewSet, basename="ledger-import")
urlpatterns = router.urls
