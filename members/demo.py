"""Demo workers, enterprises and outlets for `manage.py load_demo` (idempotent).

Names and phone numbers are invented (the 199 0000 xxxx block); the mix follows the
seeds: couriers and riders registering with Xifeng and Qishan communities, some waiting
for review, some approved, one returned with a reason, one registered worker asking to
move to the next community (a transfer waiting for it to accept)."""

from django.contrib.auth import get_user_model

from areas.models import Area

from . import services
from .models import Enterprise, Occupation, Outlet, Worker

# district code, reviewing staff username, community path in areas_by_path
DISTRICTS = [
    ("621002", "district_xifeng"),
    ("370602", "district_zhifu"),
]
ENTERPRISES = [
    ("顺丰速运", Enterprise.Kind.EXPRESS, Outlet.Kind.EXPRESS_OUTLET, Occupation.COURIER),
    ("美团外卖", Enterprise.Kind.PLATFORM, Outlet.Kind.DELIVERY_STATION, Occupation.FOOD_DELIVERY),
]
WORKERS = [  # name, enterprise index, what happens to the registration
    ("刘建国", 0, "approve"),
    ("陈晓东", 1, "approve"),
    ("杨帆", 0, "pending"),
    ("黄志强", 1, "pending"),
    ("周磊", 1, "reject"),
    ("吴刚", 1, "transfer"),
]


def load_demo_members(areas_by_path: dict[str, Area]) -> int:
    staff = {
        u.username: u for u in get_user_model().objects.filter(username__startswith="district_")
    }
    created = 0
    for d_index, (district_code, reviewer) in enumerate(DISTRICTS):
        district = areas_by_path[district_code]
        communities = [
            area
            for path, area in sorted(areas_by_path.items())
            if path.startswith(f"{district_code}@") and area.level == Area.Level.COMMUNITY
        ]
        community, next_community = communities[0], communities[1]
        outlets = []
        for name, kind, outlet_kind, _occupation in ENTERPRISES:
            enterprise, _ = Enterprise.objects.get_or_create(
                area=district, name=name, defaults={"kind": kind}
            )
            outlet, _ = Outlet.objects.get_or_create(
                enterprise=enterprise,
                area=community,
                name=f"{community.name}{'网点' if kind == Enterprise.Kind.EXPRESS else '站点'}",
                defaults={"kind": outlet_kind, "worker_count": 12, "party_member_count": 1},
            )
            outlets.append(outlet)
        for w_index, (name, e_index, fate) in enumerate(WORKERS):
            phone = f"1990000{d_index}{w_index:03d}"
            if Worker.objects.filter(phone=phone).exists():
                continue
            # Registered on their own phones: they agreed to the notice themselves.
            worker, _ = services.worker_register_on_phone(
                details=services.WorkerDetails(
                    name=name,
                    phone=phone,
                    area=community,
                    occupation=ENTERPRISES[e_index][3],
                    outlet=outlets[e_index],
                ),
                notice_version=services.PRIVACY_NOTICE_VERSION,
            )
            created += 1
            if fate in ("approve", "transfer"):
                services.worker_approve(actor=staff[reviewer], worker=worker)
            if fate == "transfer":
                services.transfer_request(worker=worker, to_area=next_community)
            elif fate == "reject":
                services.worker_reject(
                    actor=staff[reviewer], worker=worker, reason="请补充所在网点和用工企业"
                )
    return created


CALL_UP = "喊你回家 召集令"


def load_demo_invitations(areas_by_path: dict[str, Area]) -> None:
    """Xifeng's call-up (the seeds: 13,000 sent, 238 registered), at demo size: letters
    for two communities (one batch sent and partly opened), a WeChat group link, and two
    registrations it brought."""
    from django.utils import timezone

    from .models import InvitationBatch, InvitationCampaign

    district = areas_by_path["621002"]
    if InvitationCampaign.objects.filter(area=district, name=CALL_UP).exists():
        return
    staff = get_user_model().objects.get(username="district_xifeng")
    campaign = services.campaign_save(
        actor=staff,
        campaign=InvitationCampaign(
            name=CALL_UP,
            area=district,
            message="外卖小哥、快递小哥：西峰是你的家。扫码到社区报到，暖峰港湾为你留一盏灯、一杯热水。",
            starts_on=timezone.localdate().replace(day=1),
        ),
    )
    communities = [
        area
        for path, area in sorted(areas_by_path.items())
        if path.startswith("621002@") and area.level == Area.Level.COMMUNITY
    ][:2]
    letters = services.invitations_issue(
        actor=staff,
        campaign=campaign,
        community=communities[0],
        channel=InvitationBatch.Channel.LETTER,
        count=60,
        note="网点发放",
    )
    services.batch_mark_sent(actor=staff, batch=letters)
    codes = list(letters.invitations.values_list("code", flat=True))
    for code in codes[:9]:
        services.invitation_open(code)
    services.invitations_issue(
        actor=staff,
        campaign=campaign,
        community=communities[-1],
        channel=InvitationBatch.Channel.LETTER,
        count=40,
        note="待发放",
    )
    group = services.invitations_issue(
        actor=staff,
        campaign=campaign,
        community=communities[0],
        channel=InvitationBatch.Channel.WECHAT,
        count=1,
        note="美团西峰骑手群",
    )
    services.batch_mark_sent(actor=staff, batch=group)
    for index, (name, code) in enumerate(
        [("马小军", codes[0]), ("赵亮", group.invitations.get().code)]
    ):
        invitation = services.invitation_open(code)
        services.worker_register_on_phone(
            details=services.WorkerDetails(
                name=name,
                phone=f"1990000{len(DISTRICTS)}{index:03d}",
                area=invitation.batch.community,
                occupation=Occupation.FOOD_DELIVERY,
            ),
            notice_version=services.PRIVACY_NOTICE_VERSION,
            invitation=services.invitation_for_registration(code),
        )
