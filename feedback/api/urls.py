from rest_framework.routers import DefaultRouter

from .views import CaseViewSet, NoticeViewSet

router = DefaultRouter()
router.register("cases", CaseViewSet, basename="case")
router.register("case-notices", NoticeViewSet, basename="case-notice")
urlpatterns = router.urls
