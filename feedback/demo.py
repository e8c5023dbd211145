"""Demo cases (双征集, 随手拍) in Xifeng and Chanhe, made through the services as the people
in the seeds would (issue 16): every state of a case and the ways it moves.

Xifeng: a rider's 飞线充电 report at the 北大街 station — accepted, split into a task,
answered, "not fixed", reopened, overdue at the community and escalated to the street; a
小哥议事会 demand for a place to rest at night, answered and closed satisfied; a public
suggestion about the stations' evening hours, answered; a blocked lane (占道停车) waiting
to be accepted, which two other riders have too, and a third rider's report of it marked
a duplicate; a labour dispute referred to the district's human resources and social
security bureau (Xifeng answers 劳动纠纷 through it: its own category); a report declined
with a reason. Chanhe: a 12345 referral about a missing manhole cover, waiting.

Idempotent: keyed on the first case's client key (a uuid5 of a fixed namespace)."""

import uuid
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from areas.models import Area
from members.models import Worker
from stations.models import Station

from . import services
from .models import Case, FeedbackCategory, FeedbackRules, PartnerDepartment
from .services import Place

XIFENG = "621002000000"
CHANHE = "410304000000"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "feedback.demo.example")
MARKER = uuid.uuid5(NAMESPACE, "xifeng-flying-wire")
KEPT_STATION = "暖峰港湾·北大街社区"

# Xifeng's partner departments (联动部门): sector, name, duty phone (invented).
XIFENG_DEPARTMENTS = [
    ("labour", "西峰区人力资源和社会保障局", "19900008001"),
    ("transport", "西峰区交通运输局", ""),
    ("market", "西峰区市场监督管理局", ""),
    ("union", "西峰区总工会", ""),
]


def _staff(username: str):
    return get_user_model().objects.get(username=username)


def _category(code: str, district: Area | None = None) -> FeedbackCategory:
    return FeedbackCategory.objects.get(area=district, code=code)


def _near(station: Station, metres_east: float = 0) -> Place:
    """A point by a station (as the phone's position would be), `metres_east` of it."""
    return Place(lng=station.lng + metres_east / 90_000, lat=station.lat)


def _report(worker, code, text, *, place, key=None, public=False, district=None) -> Case:
    category = _category(code, district)
    return services.case_submit(
        worker=worker,
        kind=category.kind,
        category=category,
        text=text,
        place=place,
        public=public,
        client_key=key or uuid.uuid5(NAMESPACE, f"{worker.phone}-{text}"),
    )


@transaction.atomic
def load_demo_feedback() -> None:
    if Case.objects.filter(client_key=MARKER).exists():
        return
    xifeng_area = Area.objects.get(code=XIFENG)
    xifeng, chanhe = _staff("district_xifeng"), _staff("district_chanhe")
    beidajie = _staff("community_beidajie")
    worker = {w.phone: w for w in Worker.objects.filter(phone__startswith="1990000")}
    station = Station.objects.get(name=KEPT_STATION)

    departments = {
        sector: services.department_save(
            actor=xifeng,
            department=PartnerDepartment(
                area=xifeng_area, sector=sector, name=name, duty_phone=phone
            ),
        )
        for sector, name, phone in XIFENG_DEPARTMENTS
    }
    services.category_save(
        actor=xifeng,
        category=FeedbackCategory(
            area=xifeng_area,
            kind="demand",
            code="labour",
            name="劳动纠纷",
            hint="工资、工伤、劳动合同",
            responsible=FeedbackCategory.Responsible.PARTNER,
            partner_department=departments["labour"],
            days_urgent=2,
            days_normal=5,
            days_low=10,
            order=130,
        ),
    )
    services.rules_save(
        actor=xifeng,
        rules=FeedbackRules(area=xifeng_area, close_after_days=7, duty_phone="19900008000"),
    )

    # 飞线充电 at the 北大街 station: the whole loop, reopened, then overdue and escalated.
    wire = _report(
        worker["19900000000"],
        "flying-wire",
        "北大街驿站旁边3号楼楼道有人从窗户拉电线给电动车充电，晚上很危险",
        place=Place(station=station),
        key=MARKER,
    )
    services.case_accept(actor=beidajie, case=wire, priority="urgent", note="现场核实属实")
    task = services.task_add(
        actor=beidajie, case=wire, description="联系物业拆除飞线并劝导", unit=wire.area
    )
    services.task_finish(actor=beidajie, task=task, result="物业已拆除飞线，张贴安全提示")
    services.case_resolve(
        actor=beidajie, case=wire, answer="已联系物业拆除飞线，并在楼道张贴了安全充电提示。"
    )
    services.case_reporter_answer(
        worker=wire.reporter, case=wire, fixed=False, comment="第二天晚上又有人拉线了"
    )
    Case.objects.filter(pk=wire.pk).update(due_at=timezone.now() - timedelta(hours=2))
    services.deadlines_run()  # overdue at the community: it climbs to 解放路街道

    # A 小哥议事会 demand, answered and closed satisfied.
    rest = services.case_record(
        actor=beidajie,
        kind="demand",
        category=_category("rest"),
        text="小哥议事会：夜里送餐没地方歇脚，希望有驿站开到深夜",
        source=Case.Source.COUNCIL,
        source_note="2026年11月 北大街小哥议事会",
        area=station.area,
        reporter=worker["19900000001"],
    )
    services.case_accept(actor=beidajie, case=rest)
    services.case_resolve(
        actor=beidajie,
        case=rest,
        answer="北大街驿站已改为24小时开放，夜间有热水和充电。",
    )
    services.case_reporter_answer(worker=rest.reporter, case=rest, fixed=True)

    # A public suggestion, answered (for the district's "你提的建议，我们这样办").
    evening = _report(
        worker["19900000002"],
        "station-service",
        "希望驿站冬天晚上多开一会儿，十点以后也能进去暖和一下",
        place=Place(),
        public=True,
    )
    services.case_accept(actor=xifeng, case=evening)
    services.case_resolve(
        actor=xifeng,
        case=evening,
        answer="全区12个驿站冬季延长开放至22:30，其中4个改为24小时开放。",
    )
    services.case_publish(actor=xifeng, case=evening)  # 你提的建议，我们这样办

    # A blocked lane waiting to be accepted: two others have it too; a third's report of
    # it is a duplicate.
    lane = _report(
        worker["19900000003"],
        "blocked-lane",
        "解放路人行道上长期停着几辆私家车，电动车只能绕到机动车道",
        place=_near(station, 300),
        public=True,
    )
    for phone in ("19900000005", "19900002000"):
        services.case_follow(worker=worker[phone], case=lane)
    again = _report(
        worker["19900002001"],
        "blocked-lane",
        "解放路这边人行道被汽车占了",
        place=_near(station, 320),
    )
    services.case_mark_duplicate(actor=xifeng, case=again, original=lane)

    # A labour dispute: Xifeng's own category sends it to the labour bureau.
    wages = _report(
        worker["19900000005"],
        "labour",
        "站点拖欠了两个月的工资，找站长一直推脱",
        place=Place(),
        district=xifeng_area,
    )
    services.case_accept(actor=xifeng, case=wages, note="已转人社局劳动监察")

    # Declined, with a reason the worker reads.
    declined = _report(
        worker["19900002000"],
        "other-demand",
        "希望平台多派单",
        place=Place(),
    )
    services.case_decline(
        actor=xifeng,
        case=declined,
        reason="派单由平台企业决定，我们已把意见转达给企业的党组织，你也可以拨打企业客服。",
    )

    # Chanhe: a 12345 referral, waiting to be accepted.
    chanhe_community = (
        Area.objects.filter(code__startswith=CHANHE[:6], level=Area.Level.COMMUNITY)
        .order_by("code")
        .first()
    )
    services.case_record(
        actor=chanhe,
        kind="hazard",
        category=_category("road-hazard"),
        text="12345转来：夹马营路口井盖缺失，夜里骑车很危险",
        source=Case.Source.HOTLINE,
        source_note="12345-20261130-0217",
        priority="urgent",
        area=chanhe_community,
    )
