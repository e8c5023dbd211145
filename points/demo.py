"""Demo points: Xifeng's rules (points per activity type attended, per volunteer hour, per
verified report) and the balances its approved workers brought over from the paper
ledger (staff adjustments). Idempotent: rules by get_or_create, adjustments by their key."""

from django.contrib.auth import get_user_model

from areas.models import Area

from . import services
from .models import PointsRule

XIFENG = "621002000000"
RULES = [
    ("attendance", "party_lesson", 5),
    ("attendance", "training", 5),
    ("attendance", "safety_talk", 3),
    ("attendance", "council", 8),
    ("attendance", "volunteer", 10),
    ("volunteer_hour", "", 2),
    ("report", "", 3),
]
PAPER_LEDGER_POINTS = 20


def load_demo_points() -> None:
    from members.models import Worker

    district = Area.objects.get(code=XIFENG)
    for event, kind, points in RULES:
        PointsRule.objects.get_or_create(
            area=district, event=event, activity_kind=kind, defaults={"points": points}
        )
    staff = get_user_model().objects.get(username="district_xifeng")
    approved = Worker.objects.filter(
        area__code__startswith=district.prefix, status=Worker.Status.APPROVED
    )
    for worker in approved.order_by("pk"):
        services.points_adjust(
            actor=staff,
            worker=worker,
            points=PAPER_LEDGER_POINTS,
            reason="纸质台账积分补录",
            request_key=f"demo-{worker.pk}",
        )
