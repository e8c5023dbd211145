from rest_framework.routers import DefaultRouter

from .views import (
    ActivityViewSet,
    RoleAppointmentViewSet,
    SignUpViewSet,
    VolunteerServiceViewSet,
)

router = DefaultRouter()
router.register("activities", ActivityViewSet, basename="activity")
router.register("sign-ups", SignUpViewSet, basename="sign-up")
router.register("role-appointments", RoleAppointmentViewSet, basename="role-appointment")
router.register("volunteer-services", VolunteerServiceViewSet, basename="volunteer-service")
urlpatterns = router.urls
