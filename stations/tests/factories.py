import datetime as dt

import factory
from django.contrib.gis.geos import Point

from stations.models import Brand, Facility, OpeningPeriod, Station, StationFacility
from stations.services import pinyin_initials


class StationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Station

    brand = factory.LazyFunction(lambda: Brand.objects.get(code="nuanfeng"))
    name = factory.Sequence(lambda n: f"暖峰港湾{n}号")
    name_initials = factory.LazyAttribute(lambda o: pinyin_initials(o.name))
    address = "解放路1号"
    location = factory.LazyFunction(lambda: Point(107.64, 35.71, srid=4326))
    status = Station.Status.OPEN
    always_open = True


def add_facility(station: Station, code: str, available: bool = True, note: str = "") -> None:
    StationFacility.objects.create(
        station=station, facility=Facility.objects.get(code=code), available=available, note=note
    )


def set_hours(station: Station, opens: dt.time, closes: dt.time, days=range(7)) -> None:
    station.always_open = False
    station.save()
    OpeningPeriod.objects.bulk_create(
        OpeningPeriod(station=station, weekday=d, opens=opens, closes=closes) for d in days
    )
