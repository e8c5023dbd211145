"""The demo's estate quick pass (中海优行, seed 001): 中海物业惠州公司's estate 水岸城二三期 in
Huizhou's Huicheng district, with its 北门 and 南门. A courier's and riders' passes, each
authorised once in the seed's four steps (scan, fill in, authorise, show the code), and
their entries over the past week — let in within seconds, a screenshot of a used code
refused — checked by the 北门's guard and, at the 南门, by the property company's manager;
one pass suspended with a reason the worker read, and their objection waiting for the
community.

The accounts are load_demo's (DEMO_USERS: `property_shuianchen`, the property company's
manager, and `guard_shuianchen`, the 北门's guard); their grants name the estate and the
gate here, once both exist. The seed places the estate in 桥东街道西江社区; the demo
network's Huicheng has no such street, so the estate sits in its 桥西街道西湖社区 (as the
wishes demo places Chanhe's outlet in the network's streets).

Idempotent: when the estate exists, nothing is added. Names and phones are invented (the
199 0000 4xxx block)."""

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone

from areas.models import Area, StaffGrant
from areas.services import grant_objects_set
from members.models import Occupation

from . import services
from .models import Estate, EstatePass, Gate

HUICHENG = "441302"
COMMUNITY = ("桥西街道", "西湖社区")
ESTATE = "水岸城二三期"
PROPERTY_COMPANY = "中海物业惠州公司"
GATES = ("北门", "南门")
MANAGER, GUARD = "property_shuianchen", "guard_shuianchen"
DAYS = 6  # of entries, ending yesterday
# phone, name, employer, platform, occupation, suspended for (a reason), their objection
WORKERS = [
    ("19900004000", "涂伟青", "顺丰速运惠城营业部", "", Occupation.COURIER, "", ""),
    ("19900004001", "林晓峰", "美团外卖惠城配送站", "美团", Occupation.FOOD_DELIVERY, "", ""),
    ("19900004002", "陈志明", "饿了么惠城配送站", "饿了么", Occupation.FOOD_DELIVERY, "", ""),
    (
        "19900004003",
        "黄家豪",
        "京东物流惠城营业部",
        "",
        Occupation.COURIER,
        "多次把通行码给未登记的人使用",
        "那天是同事替我送件，我已经让他自己登记了",
    ),
]


def _community() -> Area:
    street, community = COMMUNITY
    return Area.objects.get(
        code__startswith=HUICHENG,
        level=Area.Level.COMMUNITY,
        name=community,
        parent__name=street,
    )


def _staff(username: str):
    return get_user_model().objects.get(username=username)


def _name_in_grant(username: str, role: str, area: Area, kind: str, objects) -> None:
    grant = StaffGrant.objects.get(user__username=username, role=role, area=area)
    grant_objects_set(grant=grant, kind=kind, objects=objects)


def _local(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _enter(actor, gate: Gate, estate_pass: EstatePass, at: dt.datetime, waited: int):
    """The worker shows their pass at `at`; the guard answers `waited` seconds later."""
    code = services.pass_show(phone=estate_pass.phone, estate_pass=estate_pass, now=at)
    services.pass_check(actor=actor, gate=gate, code=code, now=at + dt.timedelta(seconds=waited))
    return code


@transaction.atomic
def load_demo_estates() -> None:
    community = _community()
    if Estate.objects.filter(area=community, name=ESTATE).exists():
        return
    city = _staff("city_huizhou")
    estate = services.estate_save(
        actor=city,
        estate=Estate(
            area=community,
            name=ESTATE,
            address="惠州市惠城区水岸城二三期",
            location=Point(114.428, 23.098, srid=4326),
            property_company=PROPERTY_COMPANY,
            pass_days=30,
        ),
    )
    north, south = (
        services.gate_save(actor=city, gate=Gate(estate=estate, name=name)) for name in GATES
    )
    _name_in_grant(MANAGER, StaffGrant.Role.PROPERTY_MANAGER, community, "estates.estate", [estate])
    _name_in_grant(GUARD, StaffGrant.Role.GATE_GUARD, community, "estates.gate", [north])
    manager, guard = _staff(MANAGER), _staff(GUARD)

    today = timezone.localdate()
    rng = random.Random(ESTATE)  # the same week on every fresh database
    passes = []
    for index, (phone, name, employer, platform, occupation, _reason, _objection) in enumerate(
        WORKERS
    ):
        passes.append(
            services.pass_authorise(
                phone=phone,
                estate=estate,
                name=name,
                employer=employer,
                platform=platform,
                occupation=occupation,
                consent_version=services.CONSENT_VERSION,
                now=_local(today - dt.timedelta(days=DAYS + 2 + index), 9, 30),
            )
        )
    # A week of deliveries: most at the 北门 (its guard), some at the 南门 (the manager).
    for days_ago in range(DAYS, 0, -1):
        day = today - dt.timedelta(days=days_ago)
        for estate_pass in passes:
            for hour in sorted(rng.sample([10, 11, 12, 17, 18, 19], 2)):
                at = _local(day, hour, rng.randrange(0, 60))
                gate, checker = (north, guard) if rng.random() < 0.75 else (south, manager)
                _enter(checker, gate, estate_pass, at, waited=rng.randint(4, 25))
    # A screenshot of a code that has let someone in: refused, and logged.
    used_at = _local(today - dt.timedelta(days=1), 20, 15)
    used = _enter(guard, north, passes[0], used_at, waited=6)
    services.pass_check(actor=guard, gate=north, code=used, now=used_at + dt.timedelta(seconds=20))
    # Suspended with a reason the worker reads; they object, and the community decides.
    for estate_pass, (*_details, reason, objection) in zip(passes, WORKERS, strict=True):
        if not reason:
            continue
        services.pass_suspend(actor=manager, estate_pass=estate_pass, reason=reason)
        services.pass_contest(phone=estate_pass.phone, estate_pass=estate_pass, text=objection)
        estate_pass.refresh_from_db()
        shown_at = timezone.now()  # shown again at the gate since: the guard reads why not
        _enter(guard, north, estate_pass, shown_at, waited=9)
