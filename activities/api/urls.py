from rest_framework.routers import DefaultRouter

from .views import ActivityViewSet, SignUpViewSet

router = DefaultRouter()
router.register("activities", ActivityViewSet, basename="activity")
router.register("sign-ups", SignUpViewSet, basename="sign-up")
urlpatterns = router.urls
