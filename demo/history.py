"""A year of history for the demo districts Xifeng (621002) and Zhifu (370602), so every
dashboard chart has something to show the first time `make run` opens it
(`manage.py load_demo --history`).

What a small district's year looks like, in proportion (the seeds: Xifeng 238 workers
reported, Qishan 102 online reports, a 摸排 ledger of 81 couriers and 14 drivers, 21
part-time grid workers, 210+ volunteer services a year):

- registrations (报到) spread over the year — on the phone, by staff at a station, from
  one 摸排 ledger upload each, and (Zhifu) from an invitation campaign — most approved a
  few hours to two weeks later, a few returned with a reason, a backlog still waiting;
- check-ins at the district's stations: named workers near where they work, lunch and
  evening peaks, quieter weekends for couriers and busier ones for riders, more in winter
  and summer, a dip at the Spring Festival, some night use at the 24-hour grid shops, a
  few from over 1 km away, some sent later from a phone that was offline, some recorded
  by the keeper; and every station's keeper counting visitors without names at busy hours;
- activities held over the year (party lessons, safety talks, free haircuts and clinics,
  the 小哥议事会, festivals, volunteer days…) with sign-ups, a waiting list, cancellations,
  attendance by QR code or roll call and no-shows, and a few coming up;
- volunteer services (爱心送考 around the gaokao, errands, patrols, publicity) reported and
  verified or recorded by staff, and role appointments (part-time grid workers…);
- points: awards for attendance and verified hours, the paper ledger's points, and
  redemptions of a catalogue of gifts — handed over, cancelled, expired or waiting.

Every invariant the apps keep holds, because rows are written the way the apps' own bulk
paths write them (core.bulk's COPY, as the 摸排 ledger import does) with the values their
services would have given: one check-in per worker and station within 30 minutes, services
in their order, distances rounded to 100 m and far away exactly over 1 km; a sign-up per
worker and activity, places never over capacity, attendance only with its time and within
the activity's window; the points ledger only appended to, each entry's balance_after the
running sum of its account, never below zero, each account's balance the sum of its
entries, reversals naming the hold they undo; reward stock going down for each item held
and back for each returned. Dates are relative to today: the last 12 months are filled.

Each station without a keeper gets one (keeper_xifeng_01…), who records the counts and
hands the gifts over. The stations' created_at is moved to before the year, as they stood
there all along.

Deterministic: fixed seeds, one stream per district and thing (a worker's visits, a
station's counts, an activity…; see DistrictHistory.draw_for), so two runs on the same day
give the same history but for what falls between their two moments. The codes and keys
behind QR codes, pickup codes and invitations stay random, as the apps make them.
Idempotent by detection: the points ledger refuses every UPDATE and DELETE, so history
cannot be replaced; a district whose history workers exist (their phones are in
HISTORY_PHONE_BLOCK) is skipped.
"""

import datetime as dt
import math
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity, ActivityKind, RoleAppointment, SignUp, VolunteerService
from activities.services import ATTENDANCE_CLOSES_AFTER
from areas.models import Area, StaffGrant
from core.bulk import allocate_ids, copy_insert
from core.identifiers import typable_code
from members.ledgers import IMPORTED_NOTICE_VERSION
from members.models import (
    ConsentEvent,
    Enterprise,
    Invitation,
    InvitationBatch,
    InvitationCampaign,
    Occupation,
    Outlet,
    Worker,
    WorkerStatusChange,
)
from members.services import PRIVACY_NOTICE_VERSION, new_codes
from points.demo import PAPER_LEDGER_POINTS
from points.demo import XIFENG as PAPER_LEDGER_DISTRICT
from points.models import (
    PICKUP_CODE_LENGTH,
    PointsAccount,
    PointsEntry,
    PointsRule,
    Redemption,
    Reward,
)
from points.services import PICKUP_DAYS
from stations.models import (
    CHECK_IN_WINDOW,
    DISTANCE_STEP_M,
    FAR_AWAY_M,
    CheckIn,
    OpeningException,
    OpeningPeriod,
    Station,
    StationFacility,
)
from stations.selectors import KEPT_STATION
from stations.services import keeper_stations_set

from .passwords import give_demo_password

# History workers' phones: 1990 1 <district index> nnnnn — the invented 199 block the demo
# uses, beside the base demo's 1990000xxxx. Finding one of them means the district's
# history is there.
HISTORY_PHONE_BLOCK = "19901"
HISTORY_DAYS = 365
# The base demo (points.demo) brings Xifeng's approved workers' paper-ledger points over as
# a staff adjustment keyed by worker (points_adjust with request key demo-<worker id>);
# history writes that same entry for its approved Xifeng workers, so a later plain
# `load_demo` finds it made and adds nothing. Its words, as points.demo writes them:
PAPER_LEDGER_REASON = "纸质台账积分补录"


@dataclass(frozen=True)
class DistrictPlan:
    code: str
    index: int  # the phone block's digit
    label: str  # for keeper usernames: keeper_<label>_01
    reviewer: str  # district staff: reviews, organises, records
    street_staff: str  # staff of a street or community who also review and organise
    street_staff_reaches: str  # the code prefix of the area street_staff's grant covers
    self_registrations: int
    staff_registrations: int
    invited_registrations: int
    ledger_file: str
    ledger_rows: dict  # occupation → how many the 摸排 ledger brought
    ledger_days_ago: int
    grid_workers: int
    volunteer_services: int
    roles: dict = field(default_factory=dict)  # role → how many besides grid workers
    extra_rules: tuple = ()  # points rules the district does not have yet


PLANS = [
    DistrictPlan(
        code="621002",
        index=1,
        label="xifeng",
        reviewer="district_xifeng",
        street_staff="community_beidajie",
        street_staff_reaches="621002001001",
        self_registrations=150,
        staff_registrations=50,
        invited_registrations=0,
        ledger_file="西峰区新就业群体摸排台账.xlsx",
        ledger_rows={Occupation.COURIER: 22, Occupation.FOOD_DELIVERY: 18},
        ledger_days_ago=270,
        grid_workers=8,
        volunteer_services=140,
        roles={
            RoleAppointment.Role.VOLUNTEER: 10,
            RoleAppointment.Role.RED_PROPAGANDIST: 6,
            RoleAppointment.Role.SAFETY_PUBLICITY: 4,
        },
    ),
    DistrictPlan(
        code="370602",
        index=2,
        label="zhifu",
        reviewer="district_zhifu",
        street_staff="street_qishan",
        street_staff_reaches="370602001",
        self_registrations=100,
        staff_registrations=30,
        invited_registrations=25,
        ledger_file="奇山街道摸排台账（快递、货车、网约车）.xlsx",
        ledger_rows={Occupation.COURIER: 81, Occupation.TRUCK: 8, Occupation.RIDE_HAIL: 6},
        ledger_days_ago=300,
        grid_workers=21,
        volunteer_services=210,
        roles={
            RoleAppointment.Role.SUPERVISOR: 6,
            RoleAppointment.Role.RED_PROPAGANDIST: 4,
            RoleAppointment.Role.VOLUNTEER: 8,
        },
        extra_rules=(
            ("attendance", "party_lesson", 5),
            ("attendance", "training", 5),
            ("attendance", "skills", 5),
            ("attendance", "safety_talk", 3),
            ("attendance", "council", 8),
            ("attendance", "volunteer", 10),
            ("volunteer_hour", "", 2),
            ("report", "", 3),
        ),
    ),
]

# Who works where: occupation → (share of registrations, visits a day when active,
# weekend factor, enterprises [(name, kind, outlet kind or "", platform)]).
OCCUPATIONS = {
    Occupation.FOOD_DELIVERY: (
        0.42,
        0.45,
        1.15,
        [
            ("美团外卖", Enterprise.Kind.PLATFORM, Outlet.Kind.DELIVERY_STATION, "美团"),
            ("饿了么", Enterprise.Kind.PLATFORM, Outlet.Kind.DELIVERY_STATION, "饿了么"),
        ],
    ),
    Occupation.COURIER: (
        0.30,
        0.35,
        0.6,
        [
            ("顺丰速运", Enterprise.Kind.EXPRESS, Outlet.Kind.EXPRESS_OUTLET, ""),
            ("中通快递", Enterprise.Kind.EXPRESS, Outlet.Kind.EXPRESS_OUTLET, ""),
            ("圆通速递", Enterprise.Kind.EXPRESS, Outlet.Kind.EXPRESS_OUTLET, ""),
            ("韵达快递", Enterprise.Kind.EXPRESS, Outlet.Kind.EXPRESS_OUTLET, ""),
            ("京东物流", Enterprise.Kind.LOGISTICS, Outlet.Kind.EXPRESS_OUTLET, "京东"),
        ],
    ),
    Occupation.RIDE_HAIL: (
        0.10,
        0.15,
        1.1,
        [("滴滴出行", Enterprise.Kind.RIDE_HAIL, "", "滴滴")],
    ),
    Occupation.TRUCK: (0.05, 0.08, 0.8, [("货拉拉", Enterprise.Kind.LOGISTICS, "", "货拉拉")]),
    Occupation.DESIGNATED_DRIVER: (
        0.05,
        0.2,
        1.2,
        [("e代驾", Enterprise.Kind.PLATFORM, "", "e代驾")],
    ),
    Occupation.LIVE_STREAMER: (0.02, 0.05, 1.0, [("", "", "", "抖音")]),
    Occupation.PARKING_WARDEN: (
        0.03,
        0.3,
        0.7,
        [("城区停车管理公司", Enterprise.Kind.OTHER, Outlet.Kind.OTHER, "")],
    ),
    Occupation.OTHER: (0.03, 0.1, 1.0, [("", "", "", "")]),
}

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
)
GIVEN_MALE = "伟强磊军洋勇杰涛明超亮刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林阳峰成东晨建志海庆文博"
GIVEN_FEMALE = "丽敏静燕芳娟霞婷雪琳慧莉红艳玲娜丹萍倩颖佳欣悦"

RETURN_REASONS = [
    "请补充所在网点和用工企业",
    "报到社区选择有误，请选择实际工作的社区",
    "姓名与平台实名信息不一致，请核对",
]
SERVICE_REJECT_REASON = "时长与登记不符，请核对后重新上报"

# Hour of day → weight, for each slot of a rider's day.
LUNCH = {11: 3, 12: 4, 13: 2}
EVENING = {17: 2, 18: 3, 19: 2.5, 20: 1.5, 21: 1}
DAYTIME = {8: 0.5, 9: 1, 10: 1.5, 14: 1.5, 15: 1.5, 16: 1.2}
NIGHT = {22: 1, 23: 1, 0: 0.7, 1: 0.5, 2: 0.3, 5: 0.3, 6: 0.5}
NIGHT_OCCUPATIONS = {Occupation.FOOD_DELIVERY, Occupation.RIDE_HAIL, Occupation.DESIGNATED_DRIVER}

# The lunar festivals move: their dates for the years a demo may be loaded in. A year not
# listed simply has no festival activities.
FESTIVALS = {
    2025: {"spring": (1, 29), "dragon_boat": (5, 31), "mid_autumn": (10, 6)},
    2026: {"spring": (2, 17), "dragon_boat": (6, 19), "mid_autumn": (9, 25)},
    2027: {"spring": (2, 6), "dragon_boat": (6, 9), "mid_autumn": (9, 15)},
    2028: {"spring": (1, 26), "dragon_boat": (5, 28), "mid_autumn": (10, 3)},
    2029: {"spring": (2, 13), "dragon_boat": (6, 16), "mid_autumn": (9, 22)},
}


class Recurring(NamedTuple):
    """Activities a district puts on several times a year (titles numbered when they
    repeat), on a weekday (0 = Monday) at a time, for a number of places (None: no limit)."""

    kind: str
    titles: list
    per_year: int
    places: int | None
    weekday: int
    starts: tuple
    hours: float
    volunteer_hours: int = 0


# fmt: off
ACTIVITY_PLAN = [
    Recurring(ActivityKind.PARTY_LESSON, ["“小哥”微党课：把党课讲到驿站里", "“小哥”微党课：学思想 强党性", "“小哥”微党课：身边的榜样"], 12, 30, 2, (15, 0), 1.5),  # noqa: E501
    Recurring(ActivityKind.THEMED_PARTY_DAY, ["主题党日：重温入党誓词"], 4, 25, 3, (15, 0), 2),
    Recurring(ActivityKind.SAFETY_TALK, ["电动车充电与交通安全宣讲", "反诈宣讲进驿站", "外卖骑手交通安全专场"], 8, None, 1, (15, 30), 1),  # noqa: E501
    Recurring(ActivityKind.FREE_HAIRCUT, ["义剪进驿站"], 8, 12, 5, (9, 30), 2),
    Recurring(ActivityKind.FREE_CLINIC, ["义诊进驿站：量血压、测血糖"], 4, 40, 5, (9, 0), 2.5),
    Recurring(ActivityKind.COUNCIL, ["小哥议事会"], 4, 20, 3, (15, 30), 1.5),
    Recurring(ActivityKind.SKILLS_TRAINING, ["电动车简易维修培训", "快递员职业技能提升培训"], 3, 25, 2, (14, 30), 2),  # noqa: E501
    Recurring(ActivityKind.FIRST_AID, ["应急救护培训：心肺复苏与AED"], 2, 30, 2, (14, 30), 2.5),
    Recurring(ActivityKind.LEGAL_AID, ["法律援助进驿站：劳动合同与工伤"], 3, None, 3, (15, 0), 1.5),
    Recurring(ActivityKind.COUNSELLING, ["心理疏导沙龙：减压与情绪管理"], 2, 15, 4, (15, 0), 1.5),
    Recurring(ActivityKind.VOLUNTEER_SERVICE, ["“小哥”志愿服务日：清洁家园", "“小哥”志愿服务日：爱心助老"], 6, 20, 5, (9, 0), 3, volunteer_hours=2),  # noqa: E501
]
# fmt: on
FESTIVAL_ACTIVITIES = [
    ("spring", -10, "新春送福：写春联、送温暖"),
    ("dragon_boat", -1, "端午包粽子 情暖小哥心"),
    ("mid_autumn", -1, "中秋月饼送小哥"),
]
TARGETED = {
    "外卖骑手交通安全专场": [Occupation.FOOD_DELIVERY],
    "快递员职业技能提升培训": [Occupation.COURIER],
}
UPCOMING = {
    "621002": [(ActivityKind.COUNCIL, "小哥议事会：驿站夜间开放怎么定", 9, 20)],
    "370602": [
        (ActivityKind.FREE_HAIRCUT, "义剪进驿站（冬季专场）", 4, 12),
        (ActivityKind.SAFETY_TALK, "冬季道路安全宣讲", 8, None),
    ],
}
CANCELLED_SHARE = 0.04

VOLUNTEER_KINDS = [
    (
        VolunteerService.Kind.ERRANDS,
        0.35,
        ["为独居老人代买药品", "为社区老人送菜上门", "帮行动不便的居民取快递"],
    ),
    (VolunteerService.Kind.SAFETY_PATROL, 0.28, ["夜间电动车飞线充电巡查", "小区消防通道巡查"]),
    (VolunteerService.Kind.PUBLICITY, 0.22, ["在驿站发放反诈宣传单", "文明交通宣传"]),
    (VolunteerService.Kind.OTHER, 0.15, ["协助社区义诊维持秩序", "协助社区清理积雪"]),
]
EXAM_ESCORTS = {"621002": 10, "370602": 16}

# (name, sponsor, sponsor kind, points, stock, season)
REWARDS = [
    ("毛巾", "区总工会", Reward.SponsorKind.TRADE_UNION, 10, 120, "year"),
    ("手机支架", "美团", Reward.SponsorKind.ENTERPRISE, 25, 60, "year"),
    ("洗衣液", "社区", Reward.SponsorKind.COMMUNITY, 20, 80, "year"),
    ("充电宝", "顺丰速运", Reward.SponsorKind.ENTERPRISE, 60, 30, "year"),
    ("防晒冰袖", "区红十字会", Reward.SponsorKind.RED_CROSS, 15, 80, "summer"),
    ("护膝", "区总工会", Reward.SponsorKind.TRADE_UNION, 30, 50, "winter"),
]

Level = Area.Level
SERVICE_ORDER = list(CheckIn.Service.values)  # the order the check-in function keeps


def copy_plain(model, rows: list[dict]) -> int:
    """COPY rows whose values are already what the columns hold (ints, times, lists of
    codes, UUIDs). core.bulk.copy_insert prepares each value through its model field, which
    for ~50,000 check-ins costs more than making them; every column is given here, and the
    database's constraints check each row all the same."""
    if not rows:
        return 0
    names = list(rows[0])
    columns = ", ".join(
        connection.ops.quote_name(model._meta.get_field(name).column) for name in names
    )
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([row[name] for name in names])
    return len(rows)


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _distance_m(a, b) -> float:
    """Metres between two (lng, lat) points: an equirectangular approximation, plenty
    within a district."""
    lat = math.radians((a[1] + b[1]) / 2)
    dx = (a[0] - b[0]) * math.cos(lat) * 111_320
    dy = (a[1] - b[1]) * 110_540
    return math.hypot(dx, dy)


@dataclass
class StationInfo:
    id: int
    name: str
    community: Area
    point: tuple
    always_open: bool
    capacity: int
    facilities: frozenset
    periods: dict  # weekday → [(opens, closes)]
    exceptions: dict  # date → (closed, opens, closes)
    keeper_id: int | None = None

    def open_at(self, moment: dt.datetime) -> bool:
        if self.always_open:
            return True
        day, t = moment.date(), moment.time()
        if day in self.exceptions:
            closed, opens, closes = self.exceptions[day]
            return not closed and opens <= t < closes
        for opens, closes in self.periods.get(day.weekday(), []):
            if opens < closes and opens <= t < closes:
                return True
            if closes <= opens and t >= opens:
                return True  # a night period, before midnight
        for opens, closes in self.periods.get((day.weekday() - 1) % 7, []):
            if closes <= opens and t < closes:
                return True  # yesterday's night period, after midnight
        return False


@dataclass
class WorkerPlan:
    id: int
    name: str
    phone: str
    gender: str
    birth_year: int
    occupation: str
    enterprise_id: int | None
    outlet_id: int | None
    platform: str
    area: Area
    residence_area_id: int | None
    source: str
    created_at: dt.datetime
    invitation_id: int | None = None
    status: str = Worker.Status.PENDING
    status_reason: str = ""
    approved_at: dt.datetime | None = None
    consented_at: dt.datetime | None = None
    notice_version: str = PRIVACY_NOTICE_VERSION
    last_login_at: dt.datetime | None = None
    changes: list = field(default_factory=list)  # (from, to, actor id, reason, at)
    consents: list = field(default_factory=list)  # at
    favourites: list = field(default_factory=list)  # [StationInfo], nearest first
    visits_a_day: float = 0.0
    active_until: dt.datetime | None = None
    keenness: float = 1.0  # how readily they sign up for activities

    @property
    def updated_at(self) -> dt.datetime:
        return max([self.created_at, *(change[4] for change in self.changes)])

    def approved_by(self, moment: dt.datetime) -> bool:
        return (
            self.status == Worker.Status.APPROVED
            and self.approved_at is not None
            and self.approved_at <= moment
            and (self.active_until is None or moment <= self.active_until)
        )


@dataclass
class PointsEvent:
    """A movement of points to be entered, in time order."""

    at: dt.datetime
    worker: WorkerPlan
    amount: int
    kind: str
    source: str
    source_id: str
    key: str
    reason: str
    actor_id: int | None = None
    reverses: "PointsEvent | None" = None
    reverses_row: dict | None = None  # the redemption a reversal gives back
    id: int | None = None
    balance_after: int = 0


class DistrictHistory:
    """The history of one district, built in memory and then written with COPY."""

    def __init__(self, plan: DistrictPlan, *, now: dt.datetime):
        self.plan = plan
        self.seed = f"warm-stations-history-{plan.code}"
        self.rng = random.Random(self.seed)
        self.now = now
        self.tz = timezone.get_default_timezone()
        self.today = timezone.localtime(now).date()
        self.first_day = self.today - dt.timedelta(days=HISTORY_DAYS - 1)
        self.start = self.at(self.first_day, 0, 0)
        # Choices that look at "recent" records look before today, so they do not depend
        # on the time of day the demo is loaded.
        self.midnight = self.at(self.today, 0, 0)
        self.district = Area.objects.get(code=plan.code.ljust(12, "0"))
        self.communities = list(
            Area.objects.filter(code__startswith=plan.code, level=Level.COMMUNITY).select_related(
                "parent"
            )
        )
        users = get_user_model().objects.filter(username__in=[plan.reviewer, plan.street_staff])
        self.staff = {user.username: user for user in users}
        self.stations: list[StationInfo] = []
        self.workers: list[WorkerPlan] = []
        self.check_ins: list[dict] = []
        self.points: list[PointsEvent] = []
        self.volunteer_rows: list[dict] = []  # activities' hours first, then the others
        self.rules: dict = {}
        self.counts: dict[str, int] = defaultdict(int)

    # Helpers -----------------------------------------------------------------------------

    def draw_for(self, *what) -> random.Random:
        """Make self.rng the random stream of one thing (a worker's visits, a station's
        counts, an activity…), seeded by the district and what it is — not by anything
        that depends on the moment of the run. So a run later the same day draws the same
        history: only what falls between the two runs' moments differs, instead of one
        early branch on the time shifting every draw after it."""
        self.rng = random.Random("|".join([self.seed, *map(str, what)]))
        return self.rng

    def at(self, day: dt.date, hour: int, minute: int, second: int = 0) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=self.tz)

    def local(self, moment: dt.datetime) -> dt.datetime:
        return timezone.localtime(moment, self.tz)

    def days(self):
        for offset in range(HISTORY_DAYS):
            yield self.first_day + dt.timedelta(days=offset)

    def moment_in(self, day: dt.date, hours: dict) -> dt.datetime:
        hour = _weighted(self.rng, hours)
        return self.at(day, hour, self.rng.randrange(60), self.rng.randrange(60))

    def between(self, start: dt.datetime, end: dt.datetime) -> dt.datetime:
        return start + (end - start) * self.rng.random()

    def reviewer_for(self, area: Area):
        """Who reviews and records for `area`: its community's or street's staff where the
        demo has one, else the district's."""
        if area.code.startswith(self.plan.street_staff_reaches):
            return self.staff[self.plan.street_staff]
        return self.staff[self.plan.reviewer]

    def season(self, day: dt.date) -> float:
        """Stations are busiest in the cold and the heat (冷可取暖、热可纳凉) and empty out
        around the Spring Festival, when workers go home."""
        factor = {12: 1.3, 1: 1.35, 2: 1.1, 6: 1.1, 7: 1.3, 8: 1.3}.get(day.month, 1.0)
        spring = FESTIVALS.get(day.year, {}).get("spring")
        if spring is not None:
            offset = (day - dt.date(day.year, *spring)).days
            if -3 <= offset <= 7:
                factor *= 0.35
        return factor

    # Stations and keepers ----------------------------------------------------------------

    def load_stations(self) -> None:
        stations = list(
            Station.objects.filter(area__code__startswith=self.plan.code)
            .exclude(status=Station.Status.CLOSED)
            .select_related("area")
            .order_by("pk")
        )
        by_id = {s.pk: s for s in stations}
        facilities = defaultdict(set)
        for station_id, code in StationFacility.objects.filter(
            station__in=stations, available=True
        ).values_list("station_id", "facility__code"):
            facilities[station_id].add(code)
        periods = defaultdict(lambda: defaultdict(list))
        for period in OpeningPeriod.objects.filter(station__in=stations):
            periods[period.station_id][period.weekday].append((period.opens, period.closes))
        exceptions = defaultdict(dict)
        for exception in OpeningException.objects.filter(station__in=stations):
            exceptions[exception.station_id][exception.date] = (
                exception.closed,
                exception.opens,
                exception.closes,
            )
        self.stations = [
            StationInfo(
                id=s.pk,
                name=s.name,
                community=s.area,
                point=(s.location.x, s.location.y),
                always_open=s.always_open,
                capacity=s.capacity or 6,
                facilities=frozenset(facilities[s.pk]),
                periods=periods[s.pk],
                exceptions=exceptions[s.pk],
            )
            for s in by_id.values()
        ]
        # The stations were entered today but stood there all year: date them from before
        # the history, so no check-in predates its station.
        Station.objects.filter(pk__in=by_id, created_at__gt=self.start).update(
            created_at=self.start - dt.timedelta(days=30)
        )

    def ensure_keepers(self) -> None:
        """Every station gets a keeper (站长) who counts visitors and hands over rewards:
        keeper_<district>_01… for the stations that have none, with the demo password."""
        User = get_user_model()
        kept = dict(
            StaffGrant.objects.filter(
                role=StaffGrant.Role.STATION_KEEPER,
                granted_objects__kind=KEPT_STATION,
                granted_objects__object_id__in=[s.id for s in self.stations],
            ).values_list("granted_objects__object_id", "user_id")
        )
        unkept = [s for s in self.stations if s.id not in kept]
        for station in self.stations:
            station.keeper_id = kept.get(station.id)
        for number, station in enumerate(unkept, start=1):
            username = f"keeper_{self.plan.label}_{number:02d}"
            user, created = User.objects.get_or_create(
                username=username, defaults={"is_staff": True}
            )
            if created:
                give_demo_password(user)
                user.save()
            grant, _created = StaffGrant.objects.get_or_create(
                user=user, area=station.community, role=StaffGrant.Role.STATION_KEEPER
            )
            keeper_stations_set(grant=grant, stations=Station.objects.filter(pk=station.id))
            station.keeper_id = user.pk
            self.counts["keepers"] += 1

    # Employers ----------------------------------------------------------------------------

    def employers(self) -> dict:
        """The district's enterprises and their outlets (the 摸排 ledger), by occupation:
        [(enterprise id, [outlet ids], platform)]."""
        self.draw_for("employers")
        offered = {}
        surveyed = self.today - dt.timedelta(days=self.rng.randint(200, 330))
        communities = sorted(self.communities, key=lambda a: a.code)
        for occupation, (_share, _rate, _weekend, employers) in OCCUPATIONS.items():
            choices = []
            for name, kind, outlet_kind, platform in employers:
                if not name:
                    choices.append((None, [], platform))
                    continue
                enterprise, _created = Enterprise.objects.get_or_create(
                    area=self.district, name=name, defaults={"kind": kind}
                )
                outlets = []
                if outlet_kind:
                    suffix = "网点" if outlet_kind == Outlet.Kind.EXPRESS_OUTLET else "站点"
                    for community in self.rng.sample(communities, min(3, len(communities))):
                        count = self.rng.randint(8, 40)
                        outlet, _created = Outlet.objects.get_or_create(
                            enterprise=enterprise,
                            area=community,
                            name=f"{community.name}{suffix}",
                            defaults={
                                "kind": outlet_kind,
                                "worker_count": count,
                                "party_member_count": self.rng.randint(0, max(1, count // 10)),
                                "surveyed_on": surveyed,
                            },
                        )
                        outlets.append(outlet.pk)
                choices.append((enterprise.pk, outlets, platform))
            offered[occupation] = choices
        return offered

    # Registrations ---------------------------------------------------------------------

    def registration_day(self) -> dt.date:
        """More registrations after the Spring Festival (workers come back and look for
        work), fewer during it and on Sundays."""
        if not hasattr(self, "_registration_weights"):
            days = list(self.days())
            weights = [self.season(d) if d.month not in (3, 4) else 1.6 for d in days]
            # The platform's launch a year ago: everyone who already used the stations.
            weights = [w * (4 if i < 45 else 1) for i, w in enumerate(weights)]
            weights = [
                w * (0.7 if d.weekday() == 6 else 1) for w, d in zip(weights, days, strict=True)
            ]
            self._registration_weights = (days, weights)
        days, weights = self._registration_weights
        return self.rng.choices(days, weights=weights)[0]

    def new_worker(self, number, occupation, offered, source, when, area=None) -> WorkerPlan:
        rng = self.rng
        gender = Worker.Gender.FEMALE if rng.random() < 0.12 else Worker.Gender.MALE
        given = GIVEN_FEMALE if gender == Worker.Gender.FEMALE else GIVEN_MALE
        name = rng.choice(SURNAMES) + "".join(rng.choice(given) for _ in range(rng.choice([1, 2])))
        enterprise_id, outlets, platform = rng.choice(offered[occupation])
        outlet_id = rng.choice(outlets) if outlets and rng.random() < 0.8 else None
        area = area or rng.choice(self.communities)
        _share, rate, _weekend, _employers = OCCUPATIONS[occupation]
        worker = WorkerPlan(
            id=0,
            name=name,
            phone=f"{HISTORY_PHONE_BLOCK}{self.plan.index}{number:05d}",
            gender=gender,
            birth_year=rng.randint(1972, 2004),
            occupation=occupation,
            enterprise_id=enterprise_id,
            outlet_id=outlet_id,
            platform=platform,
            area=area,
            residence_area_id=rng.choice(self.communities).pk if rng.random() < 0.5 else None,
            source=source,
            created_at=when,
            visits_a_day=rate * rng.lognormvariate(0, 0.6),
            keenness=5.0 if rng.random() < 0.2 else 1.0,
        )
        if rng.random() < 0.15:  # moved on: changed jobs or left the city
            worker.active_until = when + dt.timedelta(days=rng.randint(30, 200))
        # Their stations: the nearest to their community's first station, then the next two.
        home = min(
            (s for s in self.stations if s.community.pk == area.pk),
            key=lambda s: s.id,
            default=rng.choice(self.stations),
        )
        worker.favourites = sorted(self.stations, key=lambda s: _distance_m(s.point, home.point))[
            :3
        ]
        return worker

    def review(self, worker: WorkerPlan) -> None:
        """What happened to a registration: approved some hours or days after, returned
        with a reason (and perhaps corrected and approved), or still waiting."""
        rng = self.draw_for("review", worker.phone)
        reviewer = self.reviewer_for(worker.area)
        pending_since = worker.created_at
        roll = rng.random()
        if roll < 0.35:
            delay = dt.timedelta(hours=rng.uniform(1, 8))
        elif roll < 0.75:
            delay = dt.timedelta(days=rng.uniform(1, 3))
        elif roll < 0.95:
            delay = dt.timedelta(days=rng.uniform(4, 10))
        else:
            delay = dt.timedelta(days=rng.uniform(11, 25))
        reviewed_at = pending_since + delay
        recent = worker.created_at > self.midnight - dt.timedelta(days=60)
        backlog = rng.random() < 0.06 and recent
        if reviewed_at >= self.now or backlog:
            return  # still waiting for review
        if rng.random() < 0.07:
            reason = rng.choice(RETURN_REASONS)
            worker.changes.append(
                (Worker.Status.PENDING, Worker.Status.REJECTED, reviewer.pk, reason, reviewed_at)
            )
            worker.status, worker.status_reason = Worker.Status.REJECTED, reason
            corrected_at = reviewed_at + dt.timedelta(days=rng.uniform(1, 10))
            # Returned registrations not corrected within 180 days are anonymised
            # (members' retention rule): only recent returns are still open.
            if rng.random() < 0.6 and reviewed_at > self.midnight - dt.timedelta(days=150):
                return
            if corrected_at >= self.now:
                return
            worker.changes.append(
                (Worker.Status.REJECTED, Worker.Status.PENDING, None, "", corrected_at)
            )
            worker.status, worker.status_reason = Worker.Status.PENDING, ""
            # Corrected on their phone: registering again records the notice's agreement
            # (the first of their own, for a record staff had made).
            worker.consented_at = corrected_at
            if not worker.consents:
                worker.consents.append(corrected_at)
            reviewed_at = corrected_at + dt.timedelta(hours=rng.uniform(2, 60))
            if reviewed_at >= self.now:
                return
        worker.changes.append(
            (Worker.Status.PENDING, Worker.Status.APPROVED, reviewer.pk, "", reviewed_at)
        )
        worker.status, worker.status_reason, worker.approved_at = (
            Worker.Status.APPROVED,
            "",
            reviewed_at,
        )

    def registrations(self, offered: dict, invitations: list) -> None:
        occupations = list(OCCUPATIONS)
        shares = [OCCUPATIONS[o][0] for o in occupations]
        number = 0
        plan = self.plan
        for source, count in (
            (Worker.Source.SELF, plan.self_registrations),
            (Worker.Source.STAFF, plan.staff_registrations),
        ):
            for index in range(count):
                rng = self.draw_for("registration", source, index)
                day = self.registration_day()
                when = self.moment_in(day, {9: 1, 10: 2, 11: 1, 14: 2, 15: 2, 16: 2, 19: 1, 20: 1})
                if when >= self.now:
                    when = self.now - dt.timedelta(hours=rng.uniform(1, 20))
                occupation = rng.choices(occupations, weights=shares)[0]
                worker = self.new_worker(number, occupation, offered, source, when)
                number += 1
                self.registered(worker)
        for index, (invitation_id, community, opened_at) in enumerate(invitations):
            rng = self.draw_for("invited", index)
            occupation = rng.choices(occupations, weights=shares)[0]
            when = opened_at + dt.timedelta(minutes=rng.uniform(3, 90))
            worker = self.new_worker(
                number, occupation, offered, Worker.Source.INVITATION, when, area=community
            )
            worker.invitation_id = invitation_id
            number += 1
            self.registered(worker)
        # One upload of the 摸排 ledger: registered at once, the survey staff vouching for
        # them (members.ledgers writes exactly this: approved, one history entry naming
        # the file, the ledger's notice version).
        rng = self.draw_for("ledger")
        uploaded_at = self.at(
            self.today - dt.timedelta(days=plan.ledger_days_ago), 10, rng.randrange(60)
        )
        importer = self.staff[plan.reviewer]
        reason = (_("Imported from the ledger %(file)s") % {"file": plan.ledger_file})[:200]
        for occupation, count in plan.ledger_rows.items():
            for index in range(count):
                self.draw_for("ledger", occupation, index)
                worker = self.new_worker(
                    number, occupation, offered, Worker.Source.IMPORT, uploaded_at
                )
                number += 1
                worker.status, worker.approved_at = Worker.Status.APPROVED, uploaded_at
                worker.notice_version, worker.consented_at = IMPORTED_NOTICE_VERSION, uploaded_at
                worker.changes.append(
                    ("", Worker.Status.APPROVED, importer.pk, reason, uploaded_at)
                )
                self.workers.append(worker)

    def queue_at_least(self, waiting: int = 4, returned: int = 2) -> None:
        """However the dice fell, the review queue shows a backlog and a few returns, as a
        district's always does: recent registrations approved at once are set back to
        waiting, or to returned with a reason (at the same moment)."""
        rng = self.draw_for("queue")
        before_today = [w for w in self.workers if w.created_at < self.midnight]
        recent = [
            w
            for w in before_today
            if w.source != Worker.Source.IMPORT
            and w.created_at > self.midnight - dt.timedelta(days=60)
            and len(w.changes) == 2
            and w.status == Worker.Status.APPROVED
            and w.approved_at < self.midnight
        ]
        rng.shuffle(recent)
        short = max(0, waiting - sum(w.status == Worker.Status.PENDING for w in before_today))
        for worker in recent[:short]:
            worker.changes.pop()
            worker.status, worker.approved_at = Worker.Status.PENDING, None
        recent = recent[short:]
        short = max(0, returned - sum(w.status == Worker.Status.REJECTED for w in before_today))
        for worker in recent[:short]:
            from_status, _to, actor_id, _reason, moment = worker.changes.pop()
            reason = rng.choice(RETURN_REASONS)
            worker.changes.append((from_status, Worker.Status.REJECTED, actor_id, reason, moment))
            worker.status, worker.status_reason = Worker.Status.REJECTED, reason
            worker.approved_at = None

    def registered(self, worker: WorkerPlan) -> None:
        """A registration on the phone (the worker agrees to the notice there, recorded as
        their own consent) or by staff (the notice version and time only, as
        members.services.worker_register keeps them)."""
        by_staff = worker.source == Worker.Source.STAFF
        actor = self.reviewer_for(worker.area).pk if by_staff else None
        worker.consented_at = worker.created_at
        worker.changes.append(("", Worker.Status.PENDING, actor, "", worker.created_at))
        if not by_staff:
            worker.consents.append(worker.created_at)
            worker.last_login_at = worker.created_at
        self.review(worker)
        self.workers.append(worker)

    # Invitations (Zhifu's campaign) -------------------------------------------------------

    def invitation_campaign(self) -> list:
        """Qishan street's call-up, about seven months ago, for a few communities: letters
        (some opened, some bringing a registration), a riders' WeChat group link and posters
        at the stations. Returns [(invitation id, community, opened at)] that registered."""
        if not self.plan.invited_registrations:
            return []
        rng = self.draw_for("invitations")
        street = Area.objects.get(code=self.plan.street_staff_reaches.ljust(12, "0"))
        organiser = self.staff[self.plan.street_staff]
        starts_on = self.today - dt.timedelta(days=215)
        created = self.at(starts_on, 9, 30)
        campaign_id = allocate_ids(InvitationCampaign, 1)[0]
        copy_insert(
            InvitationCampaign,
            [
                {
                    "id": campaign_id,
                    "name": "奇山街道 暖新召集令",
                    "area_id": street.pk,
                    "message": "快递小哥、外卖骑手：奇山街道的暖新驿站欢迎你。扫码到社区报到，热水、充电、歇脚都在这里。",
                    "starts_on": starts_on,
                    "ends_on": starts_on + dt.timedelta(days=60),
                    "status": InvitationCampaign.Status.CLOSED,
                    "created_by_id": organiser.pk,
                    "created_at": created,
                    "updated_at": self.at(starts_on + dt.timedelta(days=60), 18, 0),
                }
            ],
        )
        communities = sorted(self.communities, key=lambda a: a.code)[:4]
        batches = [(c, InvitationBatch.Channel.LETTER, 50, "网点发放") for c in communities]
        batches.append((communities[0], InvitationBatch.Channel.WECHAT, 1, "美团奇山骑手群"))
        batches += [(c, InvitationBatch.Channel.POSTER, 1, "驿站海报") for c in communities[:3]]
        batch_ids = allocate_ids(InvitationBatch, len(batches))
        batch_rows, invitation_rows, registering = [], [], []
        codes = iter(new_codes(sum(count for _c, _ch, count, _n in batches)))
        letters_left = self.plan.invited_registrations - 10
        for batch_id, (community, channel, count, note) in zip(batch_ids, batches, strict=True):
            sent_at = self.at(starts_on + dt.timedelta(days=rng.randint(1, 3)), 10, 0)
            batch_rows.append(
                {
                    "id": batch_id,
                    "campaign_id": campaign_id,
                    "community_id": community.pk,
                    "channel": channel,
                    "note": note,
                    "sent_at": sent_at,
                    "created_by_id": organiser.pk,
                    "created_at": created,
                    "updated_at": sent_at,
                }
            )
            ids = allocate_ids(Invitation, count)
            for invitation_id in ids:
                row = {"id": invitation_id, "batch_id": batch_id, "code": next(codes)}
                row.update(recipient_name="", recipient_phone="")
                row.update(sent_at=sent_at, opened_at=None, open_count=0)
                if channel == InvitationBatch.Channel.LETTER and rng.random() < 0.3:
                    row["opened_at"] = sent_at + dt.timedelta(days=rng.uniform(0, 20))
                    row["open_count"] = rng.randint(1, 3)
                    if letters_left > 0 and rng.random() < 0.5:
                        registering.append((invitation_id, community, row["opened_at"]))
                        letters_left -= 1
                elif channel != InvitationBatch.Channel.LETTER:
                    # A shared link or poster: opened many times, bringing several.
                    row["opened_at"] = sent_at + dt.timedelta(minutes=rng.uniform(5, 120))
                    row["open_count"] = rng.randint(12, 60)
                    brings = 7 if channel == InvitationBatch.Channel.WECHAT else 1
                    for _n in range(brings):
                        later = row["opened_at"] + dt.timedelta(days=rng.uniform(0, 30))
                        registering.append((invitation_id, community, later))
                invitation_rows.append(row)
        copy_insert(InvitationBatch, batch_rows)
        copy_insert(Invitation, invitation_rows)
        self.counts["invitations"] += len(invitation_rows)
        return registering

    # Check-ins ----------------------------------------------------------------------------

    def services_at(self, station: StationInfo, hour: int, occupation: str) -> list[str]:
        rng, has = self.rng, station.facilities
        S = CheckIn.Service
        chosen = set()
        if rng.random() < 0.65:
            chosen.add(S.WATER)
        if rng.random() < 0.6:
            chosen.add(S.REST)
        if "phone-charging" in has and rng.random() < 0.35:
            chosen.add(S.PHONE_CHARGING)
        if (
            "ebike-charging" in has
            and occupation in (Occupation.FOOD_DELIVERY, Occupation.COURIER)
            and rng.random() < 0.4
        ):
            chosen.add(S.EBIKE_CHARGING)
        if "meal-heater" in has and hour in (11, 12, 13, 17, 18, 19) and rng.random() < 0.55:
            chosen.add(S.MEAL_HEATING)
        if "toilet" in has and rng.random() < 0.25:
            chosen.add(S.TOILET)
        if rng.random() < 0.03:
            chosen.add(S.OTHER)
        if not chosen:
            chosen.add(S.REST)
        # In the order of the choices, as the check-in function keeps them.
        return [code for code in SERVICE_ORDER if code in chosen]

    def visit(self, worker: WorkerPlan, moment: dt.datetime, night: bool, seen: list) -> None:
        rng = self.rng
        if night:
            stations = [s for s in self.stations if s.always_open] or []
        elif rng.random() < 0.05:
            stations = [rng.choice(self.stations)]  # passing through another part of town
        else:
            stations = rng.choices(
                worker.favourites, weights=[0.6, 0.25, 0.15][: len(worker.favourites)]
            )
            stations += [s for s in worker.favourites if s not in stations]
        station = next((s for s in stations if s.open_at(moment)), None)
        if station is None:
            return
        # One visit per station within the check-in window (the check-in function's rule);
        # `seen` holds the worker's latest visits, across midnight too.
        if any(s == station.id and abs(moment - t) < CHECK_IN_WINDOW for s, t in seen[-8:]):
            return
        roll = rng.random()
        row = {
            "station_id": station.id,
            "worker_id": worker.id,
            "visitors": 1,
            "at": moment,
            "services": self.services_at(station, moment.hour, worker.occupation),
            "distance_m": None,
            "far_away": False,
            # The check-in function's rule, as the demo keeps the hours (a few come early).
            "outside_hours": not station.open_at(moment),
            "recorded_by_id": None,
            "client_key": uuid.UUID(int=rng.getrandbits(128), version=4),
            "created_at": moment,
        }
        if roll < 0.03 and station.keeper_id:
            # Told the keeper their number at the counter (stations.services.visit_record).
            row.update(source=CheckIn.Source.KEEPER, recorded_by_id=station.keeper_id)
        else:
            row["source"] = CheckIn.Source.PHONE
            if roll < 0.07:
                # Queued on a phone without signal and sent later.
                row["source"] = CheckIn.Source.OFFLINE
                row["created_at"] = moment + dt.timedelta(minutes=rng.uniform(3, 300))
            if rng.random() < 0.7:  # the phone shared where it was
                if rng.random() < 0.025:
                    distance = rng.randrange(11, 50) * DISTANCE_STEP_M
                else:
                    distance = _weighted(rng, {0: 0.35, 100: 0.35, 200: 0.2, 300: 0.1})
                row["distance_m"], row["far_away"] = distance, distance > FAR_AWAY_M
        if row["created_at"] > self.now:
            return  # still queued on the phone
        if row["source"] != CheckIn.Source.KEEPER:
            # Checking in on the phone is being logged in on it.
            worker.last_login_at = max(worker.last_login_at or row["created_at"], row["created_at"])
        seen.append((station.id, moment))
        self.check_ins.append(row)

    def named_check_ins(self) -> None:
        for worker in self.workers:
            rng = self.draw_for("visits", worker.phone)
            weekend_factor = OCCUPATIONS[worker.occupation][2]
            rate = worker.visits_a_day
            if worker.status != Worker.Status.APPROVED:
                rate *= 0.5
            night_ok = worker.occupation in NIGHT_OCCUPATIONS
            first = self.local(worker.created_at).date()
            last = self.local(worker.active_until).date() if worker.active_until else self.today
            day, seen = first, []
            while day <= min(last, self.today):
                expected = rate * self.season(day) * (weekend_factor if day.weekday() >= 5 else 1)
                for hours, chance, night in (
                    (LUNCH, 0.55, False),
                    (EVENING, 0.35, False),
                    (DAYTIME, 0.2, False),
                    (NIGHT, 0.08 if night_ok else 0, True),
                ):
                    if rng.random() < min(0.9, chance * expected):
                        moment = self.moment_in(day, hours)
                        if worker.created_at < moment < self.now:
                            self.visit(worker, moment, night, seen)
                day += dt.timedelta(days=1)

    def keeper_counts(self) -> None:
        """Each keeper counts the visitors who gave no name at busy times (a lunch rush,
        someone without a phone): a count per rush, a few visitors each."""
        S = CheckIn.Service
        for station in self.stations:
            if station.keeper_id is None:
                continue
            rng = self.draw_for("counts", station.name)
            busy = min(1.5, station.capacity / 10)
            for day in self.days():
                factor = self.season(day) * busy * (0.8 if day.weekday() >= 5 else 1)
                for hours, chance, most in ((LUNCH, 0.25, 10), (EVENING, 0.12, 6)):
                    if rng.random() >= chance * factor:
                        continue
                    moment = self.moment_in(day, hours)
                    if moment >= self.now or not station.open_at(moment):
                        continue
                    services = [S.WATER, S.REST]
                    if "meal-heater" in station.facilities and rng.random() < 0.5:
                        services.append(S.MEAL_HEATING)
                    self.check_ins.append(
                        {
                            "station_id": station.id,
                            "worker_id": None,
                            "visitors": rng.randint(2, most),
                            "at": moment,
                            "services": [c for c in SERVICE_ORDER if c in services],
                            "distance_m": None,
                            "far_away": False,
                            "outside_hours": not station.open_at(moment),
                            "source": CheckIn.Source.KEEPER,
                            "recorded_by_id": station.keeper_id,
                            "client_key": uuid.UUID(int=rng.getrandbits(128), version=4),
                            "created_at": moment,
                        }
                    )

    # Activities ------------------------------------------------------------------------

    def activity_dates(self) -> list:
        """(kind, title, places, start, hours, audience, volunteer hours) for the year."""
        rng = self.draw_for("activity plan")
        planned = []
        for plan in ACTIVITY_PLAN:
            step = HISTORY_DAYS / plan.per_year
            for n in range(plan.per_year):
                day = self.first_day + dt.timedelta(days=int(step * n + rng.uniform(0, step - 7)))
                day += dt.timedelta(days=(plan.weekday - day.weekday()) % 7)
                if self.season(day) < 0.5 or day >= self.today:
                    continue  # nothing is put on during the Spring Festival
                base_title = plan.titles[n % len(plan.titles)]
                title = base_title
                if plan.per_year > len(plan.titles):
                    title = f"{base_title}（第{n // len(plan.titles) + 1}期）"
                start = self.at(day, *plan.starts)
                audience = TARGETED.get(base_title, [])
                planned.append(
                    (
                        plan.kind,
                        title,
                        plan.places,
                        start,
                        plan.hours,
                        audience,
                        plan.volunteer_hours,
                    )
                )
        for year in {self.first_day.year, self.today.year}:
            for festival, offset, title in FESTIVAL_ACTIVITIES:
                if festival not in FESTIVALS.get(year, {}):
                    continue
                day = dt.date(year, *FESTIVALS[year][festival]) + dt.timedelta(days=offset)
                if self.first_day <= day < self.today:
                    planned.append(
                        (ActivityKind.FESTIVAL, title, None, self.at(day, 15, 0), 2, [], 0)
                    )
        planned.sort(key=lambda p: p[3])
        return planned

    def organiser_for(self, station: StationInfo):
        """Who puts an activity on at `station`, and as which area: the community or street
        staff where the demo has them (sometimes the district instead), else the district."""
        organiser = self.reviewer_for(station.community)
        if organiser.username == self.plan.street_staff and self.rng.random() < 0.3:
            organiser = self.staff[self.plan.reviewer]
        if organiser.username == self.plan.reviewer:
            return organiser, self.district
        return organiser, Area.objects.get(code=self.plan.street_staff_reaches.ljust(12, "0"))

    def activities(self) -> None:
        planned = [(*p, False) for p in self.activity_dates()]
        for kind, title, days, places in UPCOMING.get(self.plan.code, []):
            start = self.at(self.today + dt.timedelta(days=days), 15, 0)
            planned.append((kind, title, places, start, 1.5, [], 0, True))
        ids = allocate_ids(Activity, len(planned))
        activity_rows, signup_rows, attended = [], [], []
        for activity_id, (kind, title, places, start, hours, audience, vol, upcoming) in zip(
            ids, planned, strict=True
        ):
            rng = self.draw_for("activity", title, start.isoformat())
            roomy = [s for s in self.stations if places is None or s.capacity >= 8]
            station = rng.choice(roomy or self.stations)
            organiser, area = self.organiser_for(station)
            end = start + dt.timedelta(hours=hours)
            created = start - dt.timedelta(days=rng.uniform(5, 15))
            cancelled_at = None
            if not upcoming and rng.random() < CANCELLED_SHARE:
                cancelled_at = start - dt.timedelta(days=rng.uniform(0.5, 2))
            activity = {
                "id": activity_id,
                "kind": kind,
                "title": title,
                "description": "",
                "area_id": area.pk,
                "party_org_id": None,
                "station_id": station.id,
                "address": "",
                "starts_at": start,
                "ends_at": end,
                "capacity": places,
                "audience": sorted(audience),
                "points": None,
                "volunteer_hours": Decimal(vol),
                "status": Activity.Status.CANCELLED if cancelled_at else Activity.Status.PUBLISHED,
                "created_by_id": organiser.pk,
                "created_at": created,
                "updated_at": cancelled_at or created,
            }
            activity_rows.append(activity)
            for row in self.sign_ups(activity, organiser, cancelled_at, upcoming):
                signup_rows.append(row)
                if row["status"] == SignUp.Status.ATTENDED:
                    attended.append((row, activity, area))
        for row, signup_id in zip(signup_rows, allocate_ids(SignUp, len(signup_rows)), strict=True):
            row["id"] = signup_id
        for row, activity, area in attended:
            self.attended(row, activity, area)
        copy_insert(Activity, activity_rows)
        # The venue's location, as activities.services.activity_save fills it in.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE activities_activity a SET location = s.location FROM stations_station s "
                "WHERE s.id = a.station_id AND a.id = ANY(%s)",
                [ids],
            )
        copy_insert(SignUp, signup_rows)
        self.counts["activities"] += len(activity_rows)
        self.counts["signups"] += len(signup_rows)

    def sign_ups(self, activity: dict, organiser, cancelled_at, upcoming: bool) -> list[dict]:
        """The queue for one activity, played in time order as activities.services keeps it:
        a place while there is one, else the waiting list; a cancellation hands its place
        to the first in the queue; after the activity, attendance or a no-show."""
        rng = self.rng
        activity_id, places, audience = activity["id"], activity["capacity"], activity["audience"]
        start, end, created = activity["starts_at"], activity["ends_at"], activity["created_at"]
        venue_community = next(s.community for s in self.stations if s.id == activity["station_id"])
        cut_off = min(cancelled_at or start, self.now) - dt.timedelta(hours=1)
        eligible = [
            w
            for w in self.workers
            if w.approved_by(created) and (not audience or w.occupation in audience)
        ]
        if not eligible or cut_off <= created:
            return []
        wanted = places * rng.uniform(0.6, 1.3) if places else rng.uniform(8, 30)
        if upcoming:
            wanted *= (self.now - created) / (start - created)
        weights = [
            w.keenness * (3 if any(s.community == venue_community for s in w.favourites) else 1)
            for w in eligible
        ]
        chosen = []
        for _n in range(min(len(eligible), max(1, round(wanted)))):
            worker = rng.choices(eligible, weights=weights)[0]
            if worker not in chosen:
                chosen.append(worker)
        events = []
        for worker in chosen:
            joined = self.between(created, cut_off)
            events.append((joined, "join", worker))
            if rng.random() < 0.07:
                events.append((self.between(joined, cut_off), "cancel", worker))
        events.sort(key=lambda e: (e[0], e[1] != "join"))
        rows: dict[int, dict] = {}

        def taken():
            return sum(r["status"] == SignUp.Status.CONFIRMED for r in rows.values())

        for moment, what, worker in events:
            if what == "join":
                has_place = places is None or taken() < places
                rows[id(worker)] = {
                    "activity_id": activity_id,
                    "worker_id": worker.id,
                    "status": SignUp.Status.CONFIRMED if has_place else SignUp.Status.WAITLISTED,
                    "queued_at": moment,
                    "attended_at": None,
                    "attendance_source": "",
                    "attendance_recorded_by_id": None,
                    "revoked_reason": "",
                    "created_at": moment,
                    "updated_at": moment,
                    "_worker": worker,
                }
                continue
            row = rows[id(worker)]
            was_confirmed = row["status"] == SignUp.Status.CONFIRMED
            row["status"], row["updated_at"] = SignUp.Status.CANCELLED, moment
            waiting = [r for r in rows.values() if r["status"] == SignUp.Status.WAITLISTED]
            if was_confirmed and waiting:
                first = min(waiting, key=lambda r: r["queued_at"])
                first["status"], first["updated_at"] = SignUp.Status.CONFIRMED, moment
        if cancelled_at is not None:
            for row in rows.values():
                if row["status"] in (SignUp.Status.CONFIRMED, SignUp.Status.WAITLISTED):
                    row["status"], row["updated_at"] = SignUp.Status.CANCELLED, cancelled_at
            return list(rows.values())
        if upcoming:
            return list(rows.values())
        roll_call = end - dt.timedelta(minutes=rng.uniform(0, 15))
        for row in rows.values():
            if row["status"] != SignUp.Status.CONFIRMED:
                continue
            if rng.random() < 0.18 / row["_worker"].keenness ** 0.5:
                # Nobody came for the place: the no-show job marks it after the window.
                row["status"] = SignUp.Status.NO_SHOW
                row["updated_at"] = (
                    end + ATTENDANCE_CLOSES_AFTER + dt.timedelta(minutes=rng.uniform(1, 60))
                )
            elif rng.random() < 0.65:
                self.attend(row, start + dt.timedelta(minutes=rng.uniform(-25, 30)), None)
            else:
                self.attend(row, roll_call + dt.timedelta(seconds=rng.uniform(0, 90)), organiser)
        # A few walked in and were marked at the roll call (places do not limit it).
        signed = {id(w) for w in chosen}
        present = [w for w in self.workers if w.approved_by(start) and id(w) not in signed]
        present = [w for w in present if not audience or w.occupation in audience]
        for worker in rng.sample(present, min(len(present), rng.choice([0, 0, 1, 2]))):
            moment = roll_call + dt.timedelta(seconds=rng.uniform(0, 90))
            row = {
                "activity_id": activity_id,
                "worker_id": worker.id,
                "queued_at": moment,
                "revoked_reason": "",
                "created_at": moment,
                "_worker": worker,
            }
            self.attend(row, moment, organiser)
            rows[id(worker)] = row
        return list(rows.values())

    def attend(self, row: dict, moment: dt.datetime, recorded_by) -> None:
        row.update(
            status=SignUp.Status.ATTENDED,
            attended_at=moment,
            attendance_source=(
                SignUp.AttendanceSource.ROLL_CALL if recorded_by else SignUp.AttendanceSource.QR
            ),
            attendance_recorded_by_id=recorded_by.pk if recorded_by else None,
            updated_at=moment,
        )

    def attended(self, row: dict, activity: dict, area: Area) -> None:
        """What an attendance brings (activities.services._attend): the activity's volunteer
        hours, verified, and the points of the district's rule for its kind."""
        worker: WorkerPlan = row["_worker"]
        title, vol = activity["title"], activity["volunteer_hours"]
        if vol:
            self.volunteer_rows.append(
                {
                    "worker_id": worker.id,
                    "kind": VolunteerService.Kind.ACTIVITY,
                    "area_id": area.pk,
                    "served_on": self.local(activity["starts_at"]).date(),
                    "hours": Decimal(vol).quantize(Decimal("0.1")),
                    "description": title[:300],
                    "activity_id": row["activity_id"],
                    "source": VolunteerService.Source.ACTIVITY,
                    "status": VolunteerService.Status.VERIFIED,
                    "decided_by_id": None,
                    "decided_at": row["attended_at"],
                    "reject_reason": "",
                    "client_key": None,
                    "created_at": row["attended_at"],
                    "updated_at": row["attended_at"],
                }
            )
        earned = self.rule(PointsRule.Event.ATTENDANCE, activity["kind"])
        if earned > 0:
            self.points.append(
                PointsEvent(
                    at=row["attended_at"],
                    worker=worker,
                    amount=earned,
                    kind=PointsEntry.Kind.AWARD,
                    source=PointsEntry.Source.ATTENDANCE,
                    source_id=str(row["id"]),
                    key="award-1",
                    reason=_("Attended: %(title)s") % {"title": title},
                    actor_id=row["attendance_recorded_by_id"],
                )
            )

    def rule(self, event: str, kind: str = "") -> int:
        return self.rules.get((event, kind), 0)

    def load_rules(self) -> None:
        """The district's points rules (Xifeng's come with the base demo; Zhifu gets its
        own here), read back as the services would apply them for any area in it."""
        for event, kind, points in self.plan.extra_rules:
            PointsRule.objects.get_or_create(
                area=self.district, event=event, activity_kind=kind, defaults={"points": points}
            )
        self.rules = {
            (rule.event, rule.activity_kind): rule.points
            for rule in PointsRule.objects.filter(area=self.district)
        }

    # Volunteering and roles ------------------------------------------------------------

    def appointments(self) -> None:
        rng = self.draw_for("appointments")
        rows = []
        plan = dict(self.plan.roles)
        plan[RoleAppointment.Role.GRID_WORKER] = self.plan.grid_workers
        # Most grid workers were taken on together, when the street organised them.
        batch_day = self.today - dt.timedelta(days=rng.randint(200, 260))
        for role, count in plan.items():
            rng = self.draw_for("appointments", role)
            candidates = [
                w
                for w in self.workers
                if w.status == Worker.Status.APPROVED and w.approved_at < self.midnight
            ]
            for worker in rng.sample(candidates, min(count, len(candidates))):
                start = self.local(worker.approved_at).date() + dt.timedelta(
                    days=rng.randint(3, 60)
                )
                if role == RoleAppointment.Role.GRID_WORKER and rng.random() < 0.7:
                    start = max(start, batch_day)
                if start >= self.today:
                    continue
                ended = None
                if rng.random() < 0.12 and (self.today - start).days > 60:
                    ended = start + dt.timedelta(days=rng.randint(30, (self.today - start).days))
                appointed_by = self.reviewer_for(worker.area)
                worker.keenness = max(worker.keenness, 3.0)
                rows.append(
                    {
                        "worker_id": worker.id,
                        "role": role,
                        "area_id": worker.area.pk,
                        "started_on": start,
                        "ended_on": ended,
                        "note": "",
                        "appointed_by_id": appointed_by.pk,
                        "created_at": self.at(start, 10, 0),
                        "updated_at": self.at(ended or start, 10, 0),
                    }
                )
        copy_insert(RoleAppointment, rows)
        self.counts["appointments"] += len(rows)

    def volunteering(self) -> None:
        """Services reported by workers (verified by their community's staff a few days
        later, some not accepted, the latest still waiting) or recorded by staff (verified
        at once); verified hours earn the district's points per hour."""
        rng = self.draw_for("volunteering plan")
        rows = self.volunteer_rows
        approved = [w for w in self.workers if w.status == Worker.Status.APPROVED]
        planned = []
        for year in {self.first_day.year, self.today.year}:
            for exam_day in (dt.date(year, 6, 7), dt.date(year, 6, 8)):
                if self.first_day <= exam_day < self.today:
                    planned += [(VolunteerService.Kind.EXAM_ESCORT, exam_day, "送考生到考点")] * (
                        EXAM_ESCORTS[self.plan.code] // 2
                    )
        kinds = [k for k, _share, _what in VOLUNTEER_KINDS]
        shares = [share for _k, share, _what in VOLUNTEER_KINDS]
        whats = {k: what for k, _share, what in VOLUNTEER_KINDS}
        for _n in range(self.plan.volunteer_services - len(planned)):
            kind = rng.choices(kinds, weights=shares)[0]
            day = self.first_day + dt.timedelta(days=rng.randrange(HISTORY_DAYS))
            planned.append((kind, day, rng.choice(whats[kind])))
        for index, (kind, day, what) in enumerate(planned):
            rng = self.draw_for("service", index)
            noon = self.at(day, 12, 0)
            able = [w for w in approved if w.approved_by(noon)]
            if kind == VolunteerService.Kind.EXAM_ESCORT:
                able = [w for w in able if w.occupation == Occupation.RIDE_HAIL] or able
            if not able:
                continue
            worker = rng.choices(able, weights=[w.keenness for w in able])[0]
            staff = self.reviewer_for(worker.area)
            hours = Decimal(rng.choice([1, 1.5, 2, 2, 3, 4])).quantize(Decimal("0.1"))
            row = {
                "worker_id": worker.id,
                "kind": kind,
                "area_id": worker.area.pk,
                "served_on": day,
                "hours": hours,
                "description": what,
                "activity_id": None,
                "decided_by_id": None,
                "decided_at": None,
                "reject_reason": "",
                "client_key": None,
            }
            if rng.random() < 0.6:
                reported = self.at(day, 19, 0) + dt.timedelta(hours=rng.uniform(0, 72))
                if reported >= self.now:
                    continue
                decided = reported + dt.timedelta(days=rng.uniform(1, 5))
                row.update(
                    source=VolunteerService.Source.WORKER,
                    status=VolunteerService.Status.REPORTED,
                    client_key=uuid.UUID(int=rng.getrandbits(128), version=4),
                    created_at=reported,
                    updated_at=reported,
                )
                if decided < self.now:
                    refused = rng.random() < 0.08
                    row.update(
                        status=(
                            VolunteerService.Status.REJECTED
                            if refused
                            else VolunteerService.Status.VERIFIED
                        ),
                        decided_by_id=staff.pk,
                        decided_at=decided,
                        reject_reason=SERVICE_REJECT_REASON if refused else "",
                        updated_at=decided,
                    )
            else:
                recorded = self.at(day, 18, 0) + dt.timedelta(minutes=rng.uniform(0, 180))
                if recorded >= self.now:
                    continue
                row.update(
                    source=VolunteerService.Source.ORGANISER,
                    status=VolunteerService.Status.VERIFIED,
                    decided_by_id=staff.pk,
                    decided_at=recorded,
                    created_at=recorded,
                    updated_at=recorded,
                )
            rows.append(row)
        ids = allocate_ids(VolunteerService, len(rows))
        workers = {w.id: w for w in self.workers}
        rate = self.rule(PointsRule.Event.VOLUNTEER_HOUR)
        for service_id, row in zip(ids, rows, strict=True):
            row["id"] = service_id
            earned = int(row["hours"] * rate)
            is_verified = row["status"] == VolunteerService.Status.VERIFIED
            if row["source"] == VolunteerService.Source.ACTIVITY or not is_verified or not earned:
                continue
            self.points.append(
                PointsEvent(
                    at=row["decided_at"],
                    worker=workers[row["worker_id"]],
                    amount=earned,
                    kind=PointsEntry.Kind.AWARD,
                    source=PointsEntry.Source.VOLUNTEER,
                    source_id=str(service_id),
                    key="award",
                    reason=_("Volunteer service: %(what)s, %(hours)s h")
                    % {"what": VolunteerService.Kind(row["kind"]).label, "hours": row["hours"]},
                    actor_id=row["decided_by_id"],
                )
            )
        copy_insert(VolunteerService, rows)
        self.counts["volunteer_services"] += len(rows)

    # Points and rewards ------------------------------------------------------------------

    def paper_ledger(self) -> None:
        if self.district.code != PAPER_LEDGER_DISTRICT:
            return
        staff = self.staff[self.plan.reviewer]
        for worker in self.workers:
            if worker.status != Worker.Status.APPROVED:
                continue
            self.points.append(
                PointsEvent(
                    at=worker.approved_at + dt.timedelta(minutes=5),
                    worker=worker,
                    amount=PAPER_LEDGER_POINTS,
                    kind=PointsEntry.Kind.ADJUST,
                    source=PointsEntry.Source.STAFF,
                    # points.services.points_adjust's key for load_demo_points' request.
                    source_id=f"{staff.pk}:demo-{worker.id}",
                    key="adjust",
                    reason=PAPER_LEDGER_REASON,
                    actor_id=staff.pk,
                )
            )

    def catalogue(self) -> list[dict]:
        """Gifts offered over the year: some all year, a summer and a winter one; picked up
        at a few stations."""
        rng = self.draw_for("catalogue")
        summer = dt.date(self.today.year, 6, 1)
        if summer > self.today:
            summer = dt.date(self.today.year - 1, 6, 1)
        winter = dt.date(self.today.year - 1, 12, 1)
        if winter < self.first_day:
            winter = dt.date(self.today.year, 12, 1)
        windows = {
            "year": (self.first_day, self.today + dt.timedelta(days=120)),
            "summer": (summer, dt.date(summer.year, 8, 31)),
            "winter": (winter, winter + dt.timedelta(days=89)),
        }
        rewards = []
        for name, sponsor, kind, price, stock, season in REWARDS:
            valid_from, valid_until = windows[season]
            if valid_from > self.today:
                continue
            reward = Reward.objects.filter(area=self.district, name=name).first()
            if reward is None:
                reward = Reward(
                    area=self.district,
                    name=name,
                    sponsor=sponsor,
                    sponsor_kind=kind,
                    points_price=price,
                    stock=stock,
                    valid_from=valid_from,
                    valid_until=valid_until,
                )
                reward.full_clean()
                reward.save()
                Reward.objects.filter(pk=reward.pk).update(
                    created_at=self.at(valid_from, 9, 0) - dt.timedelta(days=3)
                )
                pickup = rng.sample(self.stations, min(4, len(self.stations)))
                reward.pickup_stations.set([s.id for s in pickup])
            pickup_ids = set(reward.pickup_stations.values_list("pk", flat=True))
            rewards.append(
                {
                    "reward": reward,
                    "stock": reward.stock,
                    "pickup": [s for s in self.stations if s.id in pickup_ids],
                }
            )
        self.counts["rewards"] += len(rewards)
        return rewards

    def redemptions(self, rewards: list[dict]) -> None:
        """Play the points of the year in time order, as the services would have met them:
        a worker sometimes redeems a gift after an award (when the balance covers it, the
        gift is offered that day and in stock); the keeper hands it over within the week,
        or the worker cancels, or it is not picked up and expires; points and stock go
        back for the last two. Then every entry gets its id and balance_after in order."""
        queue = []  # (at, order, what, payload)
        order = iter(range(10**9))
        for event in self.points:
            queue.append((event.at, next(order), "entry", event))
            rng = self.draw_for("redeem", event.worker.phone, event.at.isoformat(), event.key)
            if rng.random() < 0.3:
                attempt = event.at + dt.timedelta(days=rng.uniform(0.5, 15))
                attempt = self.at(self.local(attempt).date(), rng.randint(9, 20), rng.randrange(60))
                if event.at < attempt < self.now:
                    queue.append((attempt, next(order), "redeem", (event.worker, rng)))
        balance: dict[int, int] = defaultdict(int)
        redemption_rows, entries = [], []
        queue.sort(key=lambda item: (item[0], item[1]))
        pending = list(queue)
        pending.reverse()
        while pending:
            moment, _order, what, payload = pending.pop()
            if what == "entry":
                event = payload
                balance[event.worker.id] += event.amount
                event.balance_after = balance[event.worker.id]
                entries.append(event)
                if event.reverses is not None:
                    event.reverses_row["_stock"]["stock"] += 1
                continue
            worker, rng = payload
            day = self.local(moment).date()
            offered = [
                r
                for r in rewards
                if r["reward"].valid_from <= day <= r["reward"].valid_until
                and r["stock"] > 0
                and r["reward"].points_price <= balance[worker.id]
            ]
            if not offered:
                continue
            # Some save up for the dearer gifts.
            chosen = rng.choices(offered, weights=[r["reward"].points_price for r in offered])[0]
            reward = chosen["reward"]
            station = min(
                chosen["pickup"],
                key=lambda s: _distance_m(s.point, worker.favourites[0].point),
            )
            chosen["stock"] -= 1
            hold = PointsEvent(
                at=moment,
                worker=worker,
                amount=-reward.points_price,
                kind=PointsEntry.Kind.REDEEM,
                source=PointsEntry.Source.REDEMPTION,
                source_id="",  # the redemption's id, once allocated
                key="hold",
                reason=_("Redeemed: %(item)s") % {"item": reward.name},
            )
            balance[worker.id] -= reward.points_price
            hold.balance_after = balance[worker.id]
            entries.append(hold)
            expires = moment + dt.timedelta(days=PICKUP_DAYS)
            row = {
                "reward_id": reward.pk,
                "worker_id": worker.id,
                "station_id": station.id,
                "points": reward.points_price,
                "status": Redemption.Status.RESERVED,
                "expires_at": expires,
                "handed_over_at": None,
                "handed_over_by_id": None,
                "closed_reason": "",
                "client_key": uuid.UUID(int=rng.getrandbits(128), version=4),
                "created_at": moment,
                "updated_at": moment,
                "_hold": hold,
                "_stock": chosen,
            }
            redemption_rows.append(row)
            roll = rng.random()
            closing = None
            if roll < 0.82:
                handed = moment + dt.timedelta(hours=rng.uniform(1, 6 * 24))
                if handed < self.now:
                    row.update(
                        status=Redemption.Status.HANDED_OVER,
                        handed_over_at=handed,
                        handed_over_by_id=station.keeper_id,
                        updated_at=handed,
                    )
            elif roll < 0.93:
                closing = (
                    expires + dt.timedelta(minutes=rng.uniform(5, 55)),
                    Redemption.Status.EXPIRED,
                    _("Not picked up in time: %(item)s") % {"item": reward.name},
                )
            else:
                closing = (
                    moment + dt.timedelta(hours=rng.uniform(1, 72)),
                    Redemption.Status.CANCELLED,
                    _("Redemption cancelled: %(item)s") % {"item": reward.name},
                )
            if closing is not None and closing[0] < self.now:
                closed_at, status, reason = closing
                row.update(status=status, closed_reason=reason[:200], updated_at=closed_at)
                back = PointsEvent(
                    at=closed_at,
                    worker=worker,
                    amount=reward.points_price,
                    kind=PointsEntry.Kind.REVERSE,
                    source=PointsEntry.Source.REDEMPTION,
                    source_id="",
                    key="",  # reverse-<hold id>, once allocated
                    reason=reason,
                    reverses=hold,
                )
                back.reverses_row = row
                # Into the queue at its time, so later redemptions see the points back.
                position = len(pending)
                while position > 0 and (pending[position - 1][0], pending[position - 1][1]) < (
                    closed_at,
                    -1,
                ):
                    position -= 1
                pending.insert(position, (closed_at, -1, "entry", back))
        self.write_points(entries, redemption_rows, rewards)

    def write_points(self, entries, redemption_rows, rewards) -> None:
        """Ids in time order (the ledger's order is created_at, then id), then COPY."""
        for row, code in zip(redemption_rows, self.pickup_codes(len(redemption_rows)), strict=True):
            row["pickup_code"] = code
        redemption_ids = allocate_ids(Redemption, len(redemption_rows))
        for redemption_id, row in zip(redemption_ids, redemption_rows, strict=True):
            row["id"] = redemption_id
            row["_hold"].source_id = str(redemption_id)
        entries.sort(key=lambda e: e.at)
        for entry, entry_id in zip(entries, allocate_ids(PointsEntry, len(entries)), strict=True):
            entry.id = entry_id
        for entry in entries:
            if entry.reverses is not None:
                entry.source_id = entry.reverses.source_id
                entry.key = f"reverse-{entry.reverses.id}"
        # balance_after again in the final order (equal times keep their order: the sort
        # is stable), so the chain holds exactly as the ledger reads it.
        running: dict[int, int] = defaultdict(int)
        last_at: dict[int, dt.datetime] = {}
        for entry in entries:
            running[entry.worker.id] += entry.amount
            entry.balance_after = running[entry.worker.id]
            last_at[entry.worker.id] = entry.at
            if entry.balance_after < 0:
                raise RuntimeError(f"demo history: a balance would go below zero ({entry})")
        workers = sorted(running)
        account_ids = dict(zip(workers, allocate_ids(PointsAccount, len(workers)), strict=True))
        copy_insert(
            PointsAccount,
            [
                {
                    "id": account_ids[w],
                    "worker_id": w,
                    "balance": running[w],
                    "updated_at": last_at[w],
                }
                for w in workers
            ],
        )
        copy_insert(
            Redemption,
            [{k: v for k, v in r.items() if not k.startswith("_")} for r in redemption_rows],
        )
        copy_insert(
            PointsEntry,
            [
                {
                    "id": e.id,
                    "account_id": account_ids[e.worker.id],
                    "amount": e.amount,
                    "kind": e.kind,
                    "source": e.source,
                    "source_id": e.source_id,
                    "key": e.key,
                    "reverses_id": e.reverses.id if e.reverses else None,
                    "balance_after": e.balance_after,
                    "actor_id": e.actor_id,
                    "reason": e.reason[:200],
                    "created_at": e.at,
                }
                for e in entries
            ],
        )
        for chosen in rewards:
            Reward.objects.filter(pk=chosen["reward"].pk).update(stock=chosen["stock"])
        self.counts["redemptions"] += len(redemption_rows)
        self.counts["points_entries"] += len(entries)

    def pickup_codes(self, count: int) -> list[str]:
        """Fresh pickup codes, random like the service's (they are what the keeper checks)."""
        codes: set[str] = set()
        while len(codes) < count:
            drawn = {typable_code(PICKUP_CODE_LENGTH) for _ in range(count - len(codes))}
            taken = set(
                Redemption.objects.filter(pickup_code__in=drawn).values_list(
                    "pickup_code", flat=True
                )
            )
            codes |= drawn - taken
        return sorted(codes)

    # Writing the workers -----------------------------------------------------------------

    def allocate_worker_ids(self) -> None:
        ids = allocate_ids(Worker, len(self.workers))
        for worker, worker_id in zip(self.workers, ids, strict=True):
            worker.id = worker_id

    def write_worker_rows(self) -> None:
        """After the check-ins: a worker's last login is their last check-in from the
        phone. An imported worker who used the phone agreed to the notice there first."""
        first_phone_use: dict[int, dt.datetime] = {}
        for row in self.check_ins:
            if row["worker_id"] and row["source"] != CheckIn.Source.KEEPER:
                seen = first_phone_use.get(row["worker_id"])
                if seen is None or row["created_at"] < seen:
                    first_phone_use[row["worker_id"]] = row["created_at"]
        rows, changes, consents = [], [], []
        for w in self.workers:
            if w.source == Worker.Source.IMPORT and w.id in first_phone_use:
                agreed = first_phone_use[w.id] - dt.timedelta(minutes=1)
                w.notice_version, w.consented_at = PRIVACY_NOTICE_VERSION, agreed
                w.consents.append(agreed)
            rows.append(
                {
                    "id": w.id,
                    "name": w.name,
                    "phone": w.phone,
                    "id_number": "",
                    "id_number_index": None,
                    "gender": w.gender,
                    "birth_year": w.birth_year,
                    "occupation": w.occupation,
                    "enterprise_id": w.enterprise_id,
                    "platform": w.platform,
                    "outlet_id": w.outlet_id,
                    "area_id": w.area.pk,
                    "residence_area_id": w.residence_area_id,
                    "political_status": "",
                    "status": w.status,
                    "status_reason": w.status_reason,
                    "merged_into_id": None,
                    "source": w.source,
                    "invitation_id": w.invitation_id,
                    "tags": [],
                    "privacy_notice_version": w.notice_version,
                    "consented_at": w.consented_at,
                    "sensitive_consent_at": None,
                    "registered_at": w.created_at,  # every demo record registered
                    "approved_at": w.approved_at,
                    "last_login_at": w.last_login_at,
                    "erased_at": None,
                    "created_at": w.created_at,
                    "updated_at": w.updated_at,
                }
            )
            for from_status, to_status, actor_id, reason, moment in w.changes:
                changes.append(
                    {
                        "worker_id": w.id,
                        "from_status": from_status,
                        "to_status": to_status,
                        "actor_id": actor_id,
                        "reason": reason,
                        "at": moment,
                    }
                )
            for moment in w.consents:
                consents.append(
                    {
                        "worker_id": w.id,
                        "kind": ConsentEvent.Kind.NOTICE_ACCEPTED,
                        "notice_version": PRIVACY_NOTICE_VERSION,
                        "actor_id": None,
                        "at": moment,
                    }
                )
        copy_insert(Worker, rows)
        copy_insert(WorkerStatusChange, changes)
        copy_insert(ConsentEvent, consents)
        self.counts["workers"] += len(rows)

    # The whole district ------------------------------------------------------------------

    def build(self) -> dict[str, int]:
        self.load_stations()
        self.ensure_keepers()
        self.load_rules()
        offered = self.employers()
        invited = self.invitation_campaign()
        self.registrations(offered, invited)
        self.queue_at_least()
        self.workers.sort(key=lambda w: w.created_at)
        self.allocate_worker_ids()
        self.named_check_ins()
        self.keeper_counts()
        self.write_worker_rows()
        self.check_ins.sort(key=lambda row: row["at"])
        copy_plain(CheckIn, self.check_ins)
        self.counts["check_ins"] += len(self.check_ins)
        self.counts["visitors"] += sum(row["visitors"] for row in self.check_ins)
        self.appointments()
        self.activities()
        self.volunteering()
        self.paper_ledger()
        self.redemptions(self.catalogue())
        return dict(self.counts)


def history_loaded(plan: DistrictPlan) -> bool:
    return Worker.objects.filter(phone__startswith=f"{HISTORY_PHONE_BLOCK}{plan.index}").exists()


def load_history() -> dict[str, dict[str, int]]:
    """Load the year of history for each demo district that does not have it yet. Returns
    what was written, by district code (an empty dict for a district skipped)."""
    now = timezone.now()
    written = {plan.code: {} for plan in PLANS if history_loaded(plan)}
    for plan in PLANS:
        if plan.code in written:
            continue
        written[plan.code] = DistrictHistory(plan, now=now).build()
    return written
