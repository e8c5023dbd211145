from django.urls import path
from rest_framework.routers import DefaultRouter

from .contact_views import ContactLogViewSet, ContactPairViewSet
from .invitation_views import BatchViewSet, CampaignViewSet, FunnelView, InvitationViewSet
from .views import EnterpriseViewSet, OutletViewSet, WorkerViewSet

router = DefaultRouter()
router.register("workers", WorkerViewSet, basename="worker")
router.register("enterprises", EnterpriseViewSet, basename="enterprise")
router.register("outlets", OutletViewSet, basename="outlet")
router.register("contact-pairs", ContactPairViewSet, basename="contact-pair")
router.register("contact-logs", ContactLogViewSet, basename="contact-log")
router.register("invitation-campaigns", CampaignViewSet, basename="invitation-campaign")
router.register("invitation-batches", BatchViewSet, basename="invitation-batch")
router.register("invitations", InvitationViewSet, basename="invitation")
urlpatterns = [
    *router.urls,
    path("invitation-funnel/", FunnelView.as_view(), name="invitation-funnel"),
]
