"""The national working-day calendar as `chinesecalendar` 1.11 has it (2004–2026; later
years come with `manage.py load_official_calendar` once the package knows them), and the
platform's categories from the seeds, which every district uses until it takes one over."""

from django.db import migrations

# (kind, code, name, hint, answered by, (urgent, normal, low) working days, public map)
CATEGORIES = [
    ("hazard", "flying-wire", "飞线充电", "楼道、窗口拉线给电动车充电", "community", (1, 3, 5), False),
    ("hazard", "blocked-lane", "占道停车", "车辆占用消防通道、人行道或非机动车道", "street", (1, 3, 5), True),
    ("hazard", "road-hazard", "道路隐患", "井盖缺失、路面坑洼、路灯不亮", "district", (1, 3, 5), True),
    ("hazard", "other-hazard", "其他安全隐患", "", "community", (1, 3, 5), False),
    ("demand", "entry", "进门难", "小区、园区不让进或登记繁琐", "community", (2, 5, 10), False),
    ("demand", "upstairs", "上楼难", "写字楼、医院等不让上楼送件", "community", (2, 5, 10), False),
    ("demand", "rest", "休息难", "附近没有歇脚、喝水、热饭的地方", "community", (2, 5, 10), False),
    ("demand", "toilet", "如厕难", "", "community", (2, 5, 10), False),
    ("demand", "parking", "停车难", "没有临时停放电动车的地方", "street", (2, 5, 10), False),
    ("demand", "charging", "充电难", "附近没有安全的充电、换电点", "street", (2, 5, 10), False),
    ("demand", "housing", "住房", "租房、公租房", "district", (3, 10, 15), False),
    ("demand", "childcare", "子女看护", "暑托班、托育", "district", (3, 10, 15), False),
    ("demand", "labour", "劳动纠纷", "工资、工伤、劳动合同", "district", (2, 5, 10), False),
    ("demand", "other-demand", "其他困难", "", "community", (2, 5, 10), False),
    ("suggestion", "station-service", "驿站服务", "开放时间、设施、服务", "community", (3, 10, 15), False),
    ("suggestion", "community-life", "社区治理", "参与社区治理的想法", "community", (3, 10, 15), False),
    ("suggestion", "policy", "权益保障与政策", "", "district", (3, 10, 15), False),
    ("suggestion", "other-suggestion", "其他建议", "", "street", (3, 10, 15), False),
]


def load_calendar(apps, schema_editor):
    # The rows as feedback.working_days reads chinesecalendar (one place for the names).
    from feedback.working_days import official_days

    CalendarDay = apps.get_model("feedback", "CalendarDay")
    years = sorted({day.year for day, _working, _name in official_days(list(range(2004, 2031)))})
    CalendarDay.objects.bulk_create(
        (
            CalendarDay(area=None, date=day, working=working, name=name)
            for day, working, name in official_days(years)
        ),
        ignore_conflicts=True,
    )


def add_categories(apps, schema_editor):
    FeedbackCategory = apps.get_model("feedback", "FeedbackCategory")
    for order, (kind, code, name, hint, responsible, days, public) in enumerate(CATEGORIES):
        FeedbackCategory.objects.get_or_create(
            area=None,
            code=code,
            defaults={
                "kind": kind,
                "name": name,
                "hint": hint,
                "responsible": responsible,
                "days_urgent": days[0],
                "days_normal": days[1],
                "days_low": days[2],
                "on_public_map": public,
                "order": (order + 1) * 10,
            },
        )


def remove(apps, schema_editor):
    apps.get_model("feedback", "CalendarDay").objects.filter(area=None).delete()
    apps.get_model("feedback", "FeedbackCategory").objects.filter(area=None).delete()


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]

    operations = [
        migrations.RunPython(load_calendar, migrations.RunPython.noop),
        migrations.RunPython(add_categories, remove),
    ]
