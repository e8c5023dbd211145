import factory
from django.contrib.auth import get_user_model

from areas.models import Area, StaffGrant


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ["code"]


def build_tree(prefix6: str, name: str, city: Area) -> dict[str, Area]:
    """A district with one street and two communities under `city`."""
    district = AreaFactory(code=f"{prefix6}000000", name=name, level="district", parent=city)
    street = AreaFactory(
        code=f"{prefix6}001000", name=f"{name}一街道", level="street", parent=district
    )
    c1 = AreaFactory(
        code=f"{prefix6}001001", name=f"{name}甲社区", level="community", parent=street
    )
    c2 = AreaFactory(
        code=f"{prefix6}001002", name=f"{name}乙社区", level="community", parent=street
    )
    return {"district": district, "street": street, "community": c1, "community2": c2}


def grant(user, area, role) -> StaffGrant:
    return StaffGrant.objects.create(user=user, area=area, role=role)
