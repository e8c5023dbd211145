"""Demo points: Xifeng's rules (points per activity type attended, per volunteer hour, per
verified report) and the balances its approved workers brought over from the paper
ledger (staff adjustments). Idempotent: rules by get_or_create, adjustments by their key."""

from django.contrib.auth import get_user_model

from areas.models import Area

from . import services
from .models import PointsRule, Redemption, Reward

XIFENG = "621002000000"
RULES = [
    ("attendance", "party_lesson", 5),
    ("attendance", "training", 5),
    ("attendance", "safety_talk", 3),
    ("attendance", "council", 8),
    ("attendance", "volunteer", 10),
    ("volunteer_hour", "", 2),
    ("feedback", "", 3),
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


REWARDS = [
    ("保温杯", "邮政工会", Reward.SponsorKind.TRADE_UNION, 20, 30),
    ("雨衣", "区红十字会", Reward.SponsorKind.RED_CROSS, 15, 50),
]
KEPT_STATION = "暖峰港湾·北大街社区"


def load_demo_rewards() -> None:
    """Xifeng's catalogue (picked up at its first stations and at 北大街, whose keeper then
    has one redemption waiting at the counter)."""
    import datetime as dt

    from django.utils import timezone

    from members.models import Worker
    from stations.models import Station

    district = Area.objects.get(code=XIFENG)
    staff = get_user_model().objects.get(username="district_xifeng")
    stations = list(
        Station.objects.filter(area__code__startswith=district.prefix).order_by("pk")[:3]
    )
    kept = Station.objects.get(name=KEPT_STATION)
    today = timezone.localdate()
    for name, sponsor, kind, price, stock in REWARDS:
        if Reward.objects.filter(area=district, name=name).exists():
            continue
        services.reward_save(
            actor=staff,
            reward=Reward(
                area=district,
                name=name,
                sponsor=sponsor,
                sponsor_kind=kind,
                points_price=price,
                stock=stock,
                valid_from=today.replace(day=1),
                valid_until=today.replace(day=1) + dt.timedelta(days=180),
            ),
            pickup_stations=[*stations, kept],
        )
    if Redemption.objects.exists():
        return
    first = (
        Worker.objects.filter(area__code__startswith=district.prefix, status=Worker.Status.APPROVED)
        .order_by("pk")
        .first()
    )
    services.redeem(
        worker=first, reward=Reward.objects.get(area=district, name="保温杯"), station=kept
    )
