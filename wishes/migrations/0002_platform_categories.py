"""The platform's wish categories (issue 15 §1); a district adds its own in the admin."""

from django.db import migrations

CATEGORIES = [
    ("daily", "生活用品", 10),
    ("work_gear", "工作装备（头盔、雨衣、手机支架）", 20),
    ("study", "子女学习", 30),
    ("health", "健康", 40),
    ("skills", "技能培训", 50),
    ("home_visit", "回家探亲", 60),
    ("station", "驿站改善", 70),
    ("other", "其他", 100),
]


def add(apps, schema_editor):
    WishCategory = apps.get_model("wishes", "WishCategory")
    for code, name, order in CATEGORIES:
        WishCategory.objects.get_or_create(
            area=None, code=code, defaults={"name": name, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("wishes", "0001_wishes")]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
