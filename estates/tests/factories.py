"""Estates, gates, passes and guards for the estates tests: rows made directly, passes by
the service (as a worker's consent makes them)."""

import factory
from django.contrib.gis.geos import Point

from areas.models import Area, GrantedObject, StaffGrant
from areas.tests.factories import UserFactory, grant
from estates import services
from estates.models import Estate, EstatePass, Gate
from members.models import Occupation


class EstateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Estate

    area = None  # a community: give one
    name = factory.Sequence(lambda n: f"水岸城{n}期")
    address = "博罗县罗阳街道水岸城"
    location = Point(114.29, 23.17, srid=4326)
    property_company = "中海物业"


class GateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Gate

    estate = factory.SubFactory(EstateFactory)
    name = factory.Sequence(lambda n: f"{n}号门")


def authorised(estate: Estate, phone: str = "13800138000", **overrides) -> EstatePass:
    """A worker's pass, as their consent makes it."""
    values = {
        "name": "王小明",
        "employer": "顺丰速运博罗营业部",
        "platform": "",
        "occupation": Occupation.COURIER,
        **overrides,
    }
    return services.pass_authorise(
        phone=phone, estate=estate, consent_version=services.CONSENT_VERSION, **values
    )


def partner(role: str, area: Area, objects, username: str):
    """A property manager (role PROPERTY_MANAGER, objects: estates) or a gate guard
    (GATE_GUARD, objects: gates): a grant on the community naming its objects."""
    user = UserFactory(username=username)
    made = grant(user, area, role)
    kind = "estates.estate" if role == StaffGrant.Role.PROPERTY_MANAGER else "estates.gate"
    for obj in objects:
        GrantedObject.objects.create(grant=made, kind=kind, object_id=obj.pk)
    return user
