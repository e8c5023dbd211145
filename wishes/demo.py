"""Demo micro-wishes (微心愿) in Xifeng and Chanhe, every state of a wish and of a claim,
made through the services as the people in the seeds would (issue 15 §6).

Xifeng's 育才路 “点亮微心愿 争做圆梦人” (seed 000): its workers' own wishes, posted on the
phone or collected by staff, reviewed by the district — one come true with a thank-you,
one handed over and waiting for the worker to confirm, one claimed, one whose claim lapsed
and one whose claim was cancelled (both back on the wall), one on the wall, one waiting
for review, one returned with a reason, one withdrawn — and the 北大街 station's own
collective wish from its 小哥议事会, partly claimed by a volunteer team.

Chanhe's street interviews (seed 004, 街头采访): Chanhe has no workers in the members'
demo, so its couriers, a rider and a ride-hail driver register here first, with the
express outlet whose collective wish the district union (瀍河区总工会) took on whole —
about ¥30,000 of appliances and furniture for its rest room, delivered by staff and
waiting for their photo — and a courier's own wish for a microwave merged into it.

Donors: the union and a volunteer team and the women's federation (verified by their
district's staff), a company not yet verified (it waits in Xifeng's work queue), and
individual volunteers.

Idempotent: everything is made in one go and keyed on the first wish's client key (a
uuid5 of a fixed namespace); when it exists nothing is added. Names and phones are
invented (the 199 0000 xxxx block, as the members' demo)."""

import uuid
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction

from areas.models import Area
from stations.models import Station

from . import selectors, services
from .models import Donor, Wish, WishCategory

XIFENG = "621002000000"
CHANHE = "410304000000"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "wishes.demo.example")


def _key(name: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, name)


# The first wish made: when it exists, the demo's wishes are all there (one transaction).
MARKER = _key("xifeng-raincoat")

# Chanhe's express outlet (seed 004: 顺丰速运瀍河回族区夹马营路营业部) and its people; the
# communities are the demo network's (its streets are illustrative: the seed's 华林街道 is
# not among them).
OUTLET_COMMUNITY = ("东关街道", "旭升社区")
OUTLET_NAME = "瀍河夹马营路营业部"
CHANHE_WORKERS = [  # phone, name, occupation, street, community, works at the outlet
    ("19900003000", "李卫东", "courier", "东关街道", "旭升社区", True),
    ("19900003001", "王海涛", "courier", "东关街道", "旭升社区", True),
    ("19900003002", "刘敏", "courier", "东关街道", "旭升社区", True),
    ("19900003003", "孙鹏", "food_delivery", "东关街道", "君澜湾社区", False),
    ("19900003004", "郑国华", "ride_hail", "塔湾街道", "东安社区", False),
]
# The seed's list (电饭锅、茶吧机、冰箱、微波炉、洗衣机…书架、报纸架、折叠桌), with the
# air conditioning the rest room lacked: ¥30,000 in all.
OUTLET_ITEMS = [
    ("空调", 3, 4800),
    ("冰箱", 1, 3200),
    ("洗衣机", 1, 2600),
    ("微波炉", 2, 700),
    ("茶吧机", 2, 900),
    ("饮水机", 1, 1500),
    ("电饭锅", 2, 450),
    ("书架", 2, 800),
    ("报纸架", 1, 400),
    ("折叠桌", 6, 300),
    ("储物柜", 1, 400),
]
STATION_ITEMS = [("爱心雨伞", 20, 35), ("移动电源", 10, 90), ("折叠凳", 6, 45)]
KEPT_STATION = "暖峰港湾·北大街社区"

# phone, kind, organisation kind, name, contact, district code, street name, verified by
DONORS = {
    "union": (
        "19900009001",
        "organisation",
        "union",
        "瀍河回族区总工会",
        "李红梅",
        CHANHE,
        "",
        "district_chanhe",
    ),
    "volunteers": (
        "19900009002",
        "organisation",
        "volunteers",
        "西峰区青年志愿者协会",
        "马文博",
        XIFENG,
        "",
        "district_xifeng",
    ),
    "women": (
        "19900009003",
        "organisation",
        "women",
        "西峰区妇女联合会",
        "韩雪",
        XIFENG,
        "",
        "district_xifeng",
    ),
    # A company waiting for verification: its claims count as an individual's until then.
    "company": (
        "19900009004",
        "organisation",
        "company",
        "庆阳暖心商贸有限公司",
        "高俊",
        XIFENG,
        "",
        None,
    ),
    "zhang": ("19900009005", "individual", "", "张丽", "", XIFENG, "", None),
    "wang": ("19900009006", "individual", "", "王强", "", XIFENG, "", None),
    "zhao": ("19900009007", "individual", "", "赵敏", "", XIFENG, "", None),
    "chen": ("19900009008", "individual", "", "陈静", "", CHANHE, "东关街道", None),
}


def _staff(username: str):
    return get_user_model().objects.get(username=username)


def _category(code: str) -> WishCategory:
    return WishCategory.objects.get(area__isnull=True, code=code)


def _community(district_code: str, street: str, community: str) -> Area:
    return Area.objects.get(
        code__startswith=district_code[:6],
        level=Area.Level.COMMUNITY,
        name=community,
        parent__name=street,
    )


def _station_for(wish: Wish) -> Station:
    """A station offered for the handover, in the wish's own community when there is one."""
    offered = selectors.handover_stations(wish)
    return offered.filter(area=wish.area).first() or offered.first()


@transaction.atomic
def load_demo_wishes() -> None:
    from members.models import Worker

    if Wish.objects.filter(client_key=MARKER).exists():
        return
    outlet = _chanhe_members()
    donors = _donors()
    worker = {w.phone: w for w in Worker.objects.filter(phone__startswith="1990000")}
    xifeng, chanhe = _staff("district_xifeng"), _staff("district_chanhe")
    beidajie = _staff("community_beidajie")

    # Xifeng: workers' own wishes.
    raincoat = _post(
        worker["19900000000"], "work_gear", "想要一件加厚的雨衣，下雨天送件不怕淋", 80, MARKER
    )
    holder = _post(worker["19900000001"], "work_gear", "电动车上的手机支架坏了，想换一个结实的", 60)
    knee_pads = _post(worker["19900000002"], "work_gear", "冬天骑车膝盖冷，想要一副护膝", 50)
    school = services.wish_record(
        actor=xifeng,
        collected=services.CollectedWish(
            category=_category("study"),
            text="孩子今年上一年级，想给孩子添一个书包和一套学习用品",
            source=Wish.Source.STREET_INTERVIEW,
            worker=worker["19900000003"],
            value=150,
            story_consent=True,
        ),
    )
    # Waits for Xifeng's review.
    _post(worker["19900000005"], "work_gear", "头盔戴了三年，想换一个新的安全头盔", 120)
    vague = _post(worker["19900002000"], "daily", "想要点生活用品", 100)
    ticket = _post(worker["19900002001"], "home_visit", "过年想回老家看看，想要一张回家的车票", 300)
    for wish in (raincoat, holder, knee_pads, school):
        services.wish_publish(actor=xifeng, wish=wish)
    services.wish_return(
        actor=xifeng,
        wish=vague,
        reason="请写清楚需要哪些生活用品，比如保温杯、毛巾，方便爱心人士认领",
    )
    services.wish_withdraw(worker=ticket.worker, wish=ticket)  # he had bought one himself
    # Xifeng: the 北大街 station's own wish, from its 小哥议事会.
    umbrellas = services.wish_record(
        actor=beidajie,
        collected=services.CollectedWish(
            category=_category("station"),
            text="下雨天小哥常来避雨，驿站想添置爱心雨伞、移动电源和折叠凳",
            source=Wish.Source.COUNCIL,
            station=Station.objects.get(name=KEPT_STATION),
            items=STATION_ITEMS,
        ),
    )
    services.wish_publish(actor=beidajie, wish=umbrellas)

    # Chanhe: the outlet's collective wish from a street interview, and its people's own.
    appliances = services.wish_record(
        actor=chanhe,
        collected=services.CollectedWish(
            category=_category("station"),
            text="网点休息室空荡荡的，快递小哥想有个能热饭、洗衣、看书歇脚的温馨小家",
            source=Wish.Source.STREET_INTERVIEW,
            outlet=outlet,
            items=OUTLET_ITEMS,
            story_consent=True,
        ),
    )
    microwave = services.wish_record(
        actor=chanhe,
        collected=services.CollectedWish(
            category=_category("daily"),
            text="网点没地方热饭，想要一台微波炉，中午能吃口热乎的",
            source=Wish.Source.STREET_INTERVIEW,
            worker=worker["19900003000"],
            value=450,
        ),
    )
    services.wish_merge_into(actor=chanhe, wish=microwave, collective=appliances)
    phone = _post(worker["19900003001"], "daily", "手机用了五年总死机，想要一部新手机", 480)
    school_bag = _post(  # on Chanhe's wall
        worker["19900003002"], "study", "女儿喜欢画画，想给她买一套画笔和画板", 150
    )
    rider_helmet = _post(
        worker["19900003003"], "work_gear", "想要一个带护目镜的头盔，冬天风大吹得睁不开眼", 130
    )
    services.wish_record(  # waits for Chanhe's review
        actor=chanhe,
        collected=services.CollectedWish(
            category=_category("skills"),
            text="想参加一次电工技能培训，考个证，多学一门手艺",
            source=Wish.Source.STREET_INTERVIEW,
            worker=worker["19900003004"],
            value=400,
        ),
    )
    for wish in (appliances, school_bag, rider_helmet):
        services.wish_publish(actor=chanhe, wish=wish)
    services.wish_return(
        actor=chanhe,
        wish=phone,
        reason="手机属于个人消费品、价值较高，建议改为手机支架、充电宝等工作用品",
    )

    # Claims. The one that lapses comes first and lapses at once: the beat job runs as it
    # will just after the claim's deadline, while no other claim is live for it to take.
    lapsing = _claim(donors["wang"], knee_pads, "knee-pads-wang", message="周末给你送过去")
    services.claims_lapse(now=lapsing.deadline + timedelta(seconds=1))

    cancelled = _claim(donors["zhao"], school, "school-zhao")
    services.claim_cancel(
        claim=cancelled, donor=donors["zhao"], reason="临时出差，怕耽误孩子开学，先让给其他爱心人士"
    )
    _claim(donors["women"], school, "school-women", message="祝孩子学习进步，天天开心")

    came_true = _claim(donors["zhang"], raincoat, "raincoat-zhang", message="天冷路滑，注意安全")
    services.claim_hand_over(actor=xifeng, pickup_code=came_true.pickup_code)
    services.claim_confirm(
        worker=raincoat.worker, claim=came_true, thanks="雨衣收到了，很厚实，谢谢好心人！"
    )
    checkup = _post(raincoat.worker, "health", "跑快递好几年没体检了，想做一次全面体检", 300)
    services.wish_publish(actor=xifeng, wish=checkup)  # on Xifeng's wall, waiting for a donor

    handed = _claim(donors["company"], holder, "holder-company")
    services.claim_hand_over(actor=xifeng, pickup_code=handed.pickup_code)

    item_ids = {item.name: item.pk for item in umbrellas.items.all()}
    _claim(
        donors["volunteers"],
        umbrellas,
        "umbrellas-volunteers",
        quantities={item_ids["爱心雨伞"]: 20, item_ids["折叠凳"]: 6},
    )

    union = _claim(
        donors["union"],
        appliances,
        "appliances-union",
        quantities={item.pk: item.quantity for item in appliances.items.all()},
        message="区总工会为快递小哥打造温馨小家",
    )
    # The union and the district's staff brought the appliances to the outlet; confirming
    # with a photo of the rest room is left to whoever tries the demo.
    services.claim_deliver(actor=chanhe, claim=union)

    helmet_claim = _claim(donors["chen"], rider_helmet, "rider-helmet-chen")
    services.claim_hand_over(actor=chanhe, pickup_code=helmet_claim.pickup_code)
    services.claim_confirm(
        worker=rider_helmet.worker,
        claim=helmet_claim,
        thanks="头盔戴上暖和多了，谢谢瀍河的好心人",
    )


def _post(worker, category: str, text: str, value, client_key=None) -> Wish:
    """A worker's own wish, posted on their phone."""
    return services.wish_post(
        worker=worker,
        category=_category(category),
        text=text,
        value=value,
        client_key=client_key or _key(f"wish-{worker.phone}-{text}"),
    )


def _claim(donor: Donor, wish: Wish, key: str, *, quantities=None, message=""):
    return services.claim_make(
        donor=donor,
        wish=wish,
        station=_station_for(wish),
        quantities=quantities,
        message=message,
        client_key=_key(f"claim-{key}"),
    )


def _donors() -> dict[str, Donor]:
    donors = {}
    for key, (phone, kind, org_kind, name, contact, district, street, verifier) in DONORS.items():
        area = Area.objects.get(code=district)
        if street:
            area = area.children.get(name=street)
        donor = services.donor_profile_save(
            phone=phone,
            profile=services.DonorProfile(
                kind=kind,
                name=name,
                area=area,
                organisation_kind=org_kind,
                contact_name=contact,
            ),
        )
        if verifier:
            donor = services.donor_verify(actor=_staff(verifier), donor=donor)
        donors[key] = donor
    return donors


def _chanhe_members():
    """Chanhe's express outlet and its workers (registered on their phones and approved by
    the district); the outlet."""
    from members import services as members_services
    from members.models import Enterprise, Outlet, Worker

    staff = _staff("district_chanhe")
    district = Area.objects.get(code=CHANHE)
    enterprise = Enterprise.objects.filter(area=district, name="顺丰速运").first()
    if enterprise is None:
        enterprise = members_services.enterprise_save(
            actor=staff,
            enterprise=Enterprise(area=district, name="顺丰速运", kind=Enterprise.Kind.EXPRESS),
        )
    community = _community(CHANHE, *OUTLET_COMMUNITY)
    outlet = Outlet.objects.filter(enterprise=enterprise, name=OUTLET_NAME).first()
    if outlet is None:
        outlet = members_services.outlet_save(
            actor=staff,
            outlet=Outlet(
                enterprise=enterprise,
                area=community,
                name=OUTLET_NAME,
                kind=Outlet.Kind.EXPRESS_OUTLET,
                address="夹马营路",
                worker_count=15,
                party_member_count=2,
            ),
        )
    for phone, name, occupation, street, community_name, at_outlet in CHANHE_WORKERS:
        if Worker.objects.filter(phone=phone).exists():
            continue
        worker, _ = members_services.worker_register_on_phone(
            details=members_services.WorkerDetails(
                name=name,
                phone=phone,
                area=_community(CHANHE, street, community_name),
                occupation=occupation,
                outlet=outlet if at_outlet else None,
            ),
            notice_version=members_services.PRIVACY_NOTICE_VERSION,
        )
        members_services.worker_approve(actor=staff, worker=worker)
    return outlet
