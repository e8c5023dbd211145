"""Seed the brand and facility catalogues every deployment starts with (from the seeds).
Districts add their own rows in the admin; this migration never removes any."""

from django.db import migrations

BRANDS = [
    ("nuanfeng", "暖峰港湾", False),
    ("nuanxin", "暖新驿站", False),
    ("aixin", "爱心驿站", False),
    ("huimin", "惠民驿站", False),
    ("nuanxin-heart", "暖心驿站", False),
    ("party-mass-centre", "党群服务中心", False),
    ("drivers-home", "司机之家", False),
    ("partner-merchant", "暖新商家", True),
]

FACILITIES = [
    ("water", "饮用水", "💧"),
    ("meal-heater", "微波炉/热饭", "🍱"),
    ("seating", "桌椅休息", "🪑"),
    ("air-conditioning", "空调/风扇", "❄️"),
    ("phone-charging", "手机充电", "🔌"),
    ("ebike-charging", "电动车充电", "🔋"),
    ("tyre-inflation", "打气补胎", "🛞"),
    ("umbrella", "爱心雨伞", "☂️"),
    ("needle-thread", "针线包", "🧵"),
    ("medicine-kit", "应急药箱", "🩹"),
    ("books", "书报阅读", "📚"),
    ("toilet", "卫生间", "🚻"),
    ("wifi", "无线网络", "📶"),
    ("printer", "自助打印", "🖨️"),
    ("massage-chair", "按摩椅", "💺"),
    ("canteen", "爱心餐/食堂", "🍚"),
    ("study-room", "自习室", "📖"),
]


def seed(apps, schema_editor):
    Brand = apps.get_model("stations", "Brand")
    Facility = apps.get_model("stations", "Facility")
    for code, name, partner in BRANDS:
        Brand.objects.get_or_create(code=code, defaults={"name": name,
                                                         "is_partner_merchant": partner})
    for order, (code, name, icon) in enumerate(FACILITIES, start=1):
        Facility.objects.get_or_create(code=code, defaults={"name": name, "icon": icon,
                                                            "order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("stations", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
