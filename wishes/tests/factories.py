import factory
from django.utils import timezone

from wishes.models import Wish, WishCategory


def category(code: str = "work_gear") -> WishCategory:
    """One of the platform's categories (made by the migration)."""
    return WishCategory.objects.get(area__isnull=True, code=code)


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
