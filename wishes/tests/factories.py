import factory
from django.utils import timezone

from wishes.models import Donor, Wish, WishCategory, WishItem

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


def published(wish: Wish) -> Wish:
    """The wish as the community published it (straight to the state, for tests of what
    follows publication)."""
    wish.status = Wish.Status.PUBLISHED
    wish.published_at = timezone.now()
    wish.save(update_fields=["status", "published_at"])
    return wish


def collective_wish(*, outlet, items=(("微波炉", 2, 450), ("饮水机", 1, 600))) -> Wish:
    """A published collective wish of `outlet` with its item lines."""
    wish = Wish.objects.create(
        kind=Wish.Kind.COLLECTIVE,
        outlet=outlet,
        area=outlet.area,
        category=category("station"),
        text="网点休息室添置微波炉和饮水机",
        value=sum(quantity * value for _, quantity, value in items),
        source=Wish.Source.STREET_INTERVIEW,
        publish_consent_at=timezone.now(),
    )
    WishItem.objects.bulk_create(
        WishItem(wish=wish, name=name, quantity=quantity, unit_value=value)
        for name, quantity, value in items
    )
    return published(wish)


class DonorFactory(factory.django.DjangoModelFactory):
    """An individual volunteer giving in district A's street (pass `area`)."""

    class Meta:
        model = Donor

    phone = factory.Sequence(lambda n: f"1390000{n:04d}")
    kind = Donor.Kind.INDIVIDUAL
    name = "李爱心"
    consented_at = factory.LazyFunction(timezone.now)


def organisation(*, area, verified_by=None, **fields) -> Donor:
    """A district union, verified by `verified_by` when given."""
    return DonorFactory(
        area=area,
        kind=Donor.Kind.ORGANISATION,
        organisation_kind=Donor.OrganisationKind.UNION,
        name="区总工会",
        contact_name="王主席",
        verified_at=timezone.now() if verified_by else None,
        verified_by=verified_by,
        **fields,
    )


def handover_station(wish: Wish):
    """A station where the wish's gift may be handed over (made in its community when its
    street has none open)."""
    from stations.tests.factories import StationFactory
    from wishes.selectors import handover_stations

    return handover_stations(wish).first() or StationFactory(area=wish.area)


def make_claim(*, donor: Donor, wish: Wish, **arguments):
    """services.claim_make at a station offered for the wish."""
    from wishes import services

    arguments.setdefault("station", handover_station(wish))
    return services.claim_make(donor=donor, wish=wish, **arguments)
