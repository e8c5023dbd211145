from django.urls import path
from rest_framework.routers import DefaultRouter

from .views import AssignmentViewSet, CoverageView, PartyMemberViewSet, PartyOrgViewSet

router = DefaultRouter()
router.register("party-orgs", PartyOrgViewSet, basename="party-org")
router.register("party-members", PartyMemberViewSet, basename="party-member")
router.register("assignments", AssignmentViewSet, basename="assignment")
urlpatterns = [
    *router.urls,
    path("coverage/", CoverageView.as_view(), name="coverage"),
]
