import factory
from django.utils import timezone

from wishes.models import Wish, WishCategory

# Names of the platform's categories the tests use (made by the migration, and again here
# for a test database that a transactional test has flushed).
PLATFORM_NAMES = {
    "work_gear": "工作装备（头盔、雨衣、手机支架）",
    "station": "驿站改善",
    "other": "其他",
}


def category(code: str = "work_gear") -> WishCategory:
    """One of the platform's categories."""
    found, _ = WishCategory.objects.get_or_create(
        area=None, code=code, defaults={"name": PLATFORM_NAMES[code]}
    )
    return found


class WishFactory(factory.django.DjangoModelFactory):
    """A worker's own wish, posted on the phone and waiting for review."""

    class Meta:
        model = Wish

    kind = Wish.Kind.INDIVIDUAL
    area = factory.SelfAttribute("worker.area")
    category = factory.LazyFunction(category)
    text = "一件新雨衣"
    value = 80
    source = Wish.Source.PHONE
    publish_consent_at = factory.LazyFunction(timezone.now)
