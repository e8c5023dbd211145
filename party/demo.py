"""Demo party work (the demo/ loader calls it after the members' demo)."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from areas.models import Area, StaffGrant
from members import services as member_services
from members.models import ContactPair, Worker

from . import services
from .models import ManagementAssignment, PartyMember, PartyOrg

PARTY_STAFF = "party_xifeng"  # Xifeng district staff with the party-affairs flag


def load_demo_party_work(areas_by_path: dict[str, Area]) -> None:
    """Party work in Xifeng: a community branch, the express industry committee, two
    approved workers who revealed their membership (one covered by fallback management and
    under a collaborative agreement, one a coverage gap), and a contact pair."""
    district = areas_by_path["621002"]
    user, created = get_user_model().objects.get_or_create(
        username=PARTY_STAFF, defaults={"is_staff": True}
    )
    if created:
        user.set_password(settings.DEMO_PASSWORD)
        user.save()
    StaffGrant.objects.update_or_create(
        user=user,
        area=district,
        role=StaffGrant.Role.DISTRICT_DEPARTMENT,
        defaults={"party_affairs": True},
    )
    workers = list(
        Worker.objects.filter(phone__in=["19900000000", "19900000001"]).order_by("phone")
    )
    if len(workers) < 2 or PartyMember.objects.filter(worker__in=workers).exists():
        return
    community = workers[0].area
    branch, _ = PartyOrg.objects.get_or_create(
        area=community,
        name=f"{community.name}党支部",
        defaults={"kind": PartyOrg.Kind.BRANCH},
    )
    industry, _ = PartyOrg.objects.get_or_create(
        area=district,
        name="西峰区快递行业党委",
        defaults={"kind": PartyOrg.Kind.INDUSTRY_COMMITTEE},
    )
    homes = [("河南省周口市某村党支部", "河南省周口市"), ("甘肃省镇原县某村党支部", "甘肃省庆阳市")]
    members = [
        services.party_member_reveal(
            worker=worker,
            details=services.MembershipDetails(
                membership_org_name=name, membership_org_place=place
            ),
            sensitive_consent=True,
        )
        for worker, (name, place) in zip(workers, homes, strict=True)
    ]
    today = timezone.localdate()
    services.party_member_report(member=members[0], community=community)
    services.assignment_start(
        actor=user,
        member=members[0],
        org=branch,
        kind=ManagementAssignment.Kind.FALLBACK,
        started_on=today - timedelta(days=150),
    )
    services.assignment_start(
        actor=user,
        member=members[0],
        org=industry,
        kind=ManagementAssignment.Kind.COLLABORATIVE,
        started_on=today - timedelta(days=150),
        agreement_ref="西峰快递党建联盟协议〔2026〕1号",
    )
    if not ContactPair.objects.filter(worker=workers[1], ended_on__isnull=True).exists():
        member_services.contact_pair_start(
            actor=user, worker=workers[1], staff=user, started_on=today - timedelta(days=40)
        )
