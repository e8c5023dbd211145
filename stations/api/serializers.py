from django.conf import settings
from django.contrib.gis.geos import Point
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from areas.models import Area
from core.coords import CoordSystem, to_wgs84
from core.display import distance_text
from stations import links
from stations.models import Brand, CheckIn, Station
from stations.selectors import LOCAL_TZ, OpeningStates


class FacilityBriefSerializer(serializers.Serializer):
    code = serializers.CharField(source="facility.code")
    name = serializers.CharField(source="facility.name")
    note = serializers.CharField()


class StationSerializer(serializers.ModelSerializer):
    """Output: what staff tools and the map need about a station."""

    brand = serializers.SlugRelatedField(slug_field="code", queryset=Brand.objects.all())
    brand_name = serializers.CharField(source="brand.name", read_only=True)
    area_code = serializers.CharField(source="area.code", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    lng = serializers.FloatField(read_only=True)
    lat = serializers.FloatField(read_only=True)
    open_now = serializers.BooleanField(source="is_open_now", read_only=True)
    facilities = FacilityBriefSerializer(source="station_facilities", many=True, read_only=True)
    navigation = serializers.SerializerMethodField()

    class Meta:
        model = Station
        fields = [
            "id",
            "name",
            "brand",
            "brand_name",
            "area",
            "area_code",
            "area_name",
            "address",
            "lng",
            "lat",
            "host_kind",
            "host_name",
            "phone",
            "status",
            "always_open",
            "capacity",
            "description",
            "open_now",
            "facilities",
            "compliant",
            "last_inspected_on",
            "navigation",
        ]
        read_only_fields = ["compliant", "last_inspected_on"]

    def get_navigation(self, station) -> dict:
        return links.navigation_links(station)


class StationWriteSerializer(serializers.ModelSerializer):
    """Input: a station as staff create or edit it. Coordinates may be given in the
    system the user copied them from (Amap gives GCJ-02, Baidu BD-09)."""

    brand = serializers.SlugRelatedField(slug_field="code", queryset=Brand.objects.all())
    area = serializers.PrimaryKeyRelatedField(
        queryset=Area.objects.filter(level__in=[Area.Level.COMMUNITY, Area.Level.STREET])
    )
    lng = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    coord = serializers.ChoiceField(
        choices=[c.value for c in CoordSystem], default="wgs84", write_only=True
    )
    facilities = serializers.ListField(child=serializers.SlugField(), required=False)

    class Meta:
        model = Station
        fields = [
            "name",
            "brand",
            "area",
            "address",
            "lng",
            "lat",
            "coord",
            "host_kind",
            "host_name",
            "phone",
            "status",
            "always_open",
            "capacity",
            "description",
            "facilities",
        ]


def station_from_input(station: Station, data: dict) -> Station:
    """Set a StationWriteSerializer's validated data (without `facilities`) on `station`,
    the coordinates turned into WGS-84 from the system they were given in."""
    data = dict(data)
    coord = data.pop("coord", "wgs84")
    lng, lat = data.pop("lng", None), data.pop("lat", None)
    for field, value in data.items():
        setattr(station, field, value)
    if lng is not None and lat is not None:
        station.location = Point(*to_wgs84(lng, lat, coord), srid=4326)
    return station


class NearbyQuerySerializer(serializers.Serializer):
    """The nearby search's query string, with messages a worker's app can show as they are."""

    lat = serializers.FloatField(
        min_value=-90,
        max_value=90,
        error_messages={
            "required": _("Latitude (lat) is required."),
            "invalid": _("Latitude (lat) must be a number."),
            "min_value": _("Latitude must be between -90 and 90."),
            "max_value": _("Latitude must be between -90 and 90."),
        },
    )
    lng = serializers.FloatField(
        min_value=-180,
        max_value=180,
        error_messages={
            "required": _("Longitude (lng) is required."),
            "invalid": _("Longitude (lng) must be a number."),
            "min_value": _("Longitude must be between -180 and 180."),
            "max_value": _("Longitude must be between -180 and 180."),
        },
    )
    radius = serializers.IntegerField(
        required=False,
        min_value=1,
        error_messages={
            "invalid": _("The radius must be a whole number of metres."),
            "min_value": _("The radius must be at least 1 metre."),
        },
    )
    facility = serializers.CharField(required=False, allow_blank=True)
    open_now = serializers.BooleanField(required=False, default=False)
    coord = serializers.ChoiceField(
        choices=[c.value for c in CoordSystem],
        required=False,
        default="wgs84",
        error_messages={"invalid_choice": _("coord must be wgs84, gcj02 or bd09.")},
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=50, default=20)

    def validate_radius(self, value):
        if value > settings.NEARBY_MAX_RADIUS_M:
            raise serializers.ValidationError(
                _("The radius can be at most %(max)d metres.")
                % {"max": settings.NEARBY_MAX_RADIUS_M}
            )
        return value

    def validate_facility(self, value):
        from stations.selectors import known_facility_codes

        codes = [c.strip() for c in (value or "").split(",") if c.strip()]
        unknown = sorted(set(codes) - known_facility_codes())
        if unknown:
            raise serializers.ValidationError(
                _("Unknown facility: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        return codes


class NearbyFacilitySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    note = serializers.CharField()


class NearbyStationSerializer(serializers.Serializer):
    """The shape of one nearby result, for the OpenAPI schema. The endpoint builds it with
    nearby_result_payload() below (plain dicts: this is the hottest public endpoint, and
    DRF field machinery cost more than the database query); a test keeps the two equal."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    brand = serializers.CharField()
    address = serializers.CharField()
    lng = serializers.FloatField()
    lat = serializers.FloatField()
    open_now = serializers.BooleanField()
    status = serializers.CharField()
    state = serializers.ChoiceField(
        choices=OpeningStates.ALL,
        help_text="open, always_open (open 24 hours), opens_later (see opens_at), closed "
        "(no opening in the coming week), paused (temporarily closed).",
    )
    state_label = serializers.CharField(help_text="The state in words, e.g. 明天 08:00 开门.")
    opens_at = serializers.DateTimeField(
        allow_null=True, help_text="When a station not open now opens next (China time)."
    )
    distance_m = serializers.IntegerField()
    distance_text = serializers.CharField(help_text="The distance in words: 850 米, 1.2 公里.")
    walking_minutes = serializers.IntegerField()
    ebike_minutes = serializers.IntegerField()
    facilities = NearbyFacilitySerializer(many=True)
    url = serializers.CharField()
    navigation = serializers.DictField(child=serializers.CharField())


class NearbyOriginSerializer(serializers.Serializer):
    lng = serializers.FloatField()
    lat = serializers.FloatField()


class NearbyAnswerSerializer(serializers.Serializer):
    """The nearby answer, for the OpenAPI schema: how many, the point searched from (WGS-84,
    whatever `coord` the question used) and the stations, nearest first."""

    count = serializers.IntegerField()
    origin = NearbyOriginSerializer()
    results = NearbyStationSerializer(many=True)
    nearest_open = NearbyStationSerializer(
        allow_null=True,
        help_text="When no result is open: the nearest open station farther away (up to "
        "NEARBY_MAX_RADIUS_M, with the same facilities), or null.",
    )


def nearby_result_payload(result) -> dict:
    state = result.state
    return {
        "id": result.id,
        "name": result.name,
        "brand": result.brand,
        "address": result.address,
        "lng": result.lng,
        "lat": result.lat,
        "open_now": result.open_now,
        "status": result.status,
        "state": state.code,
        "state_label": state.label,
        "opens_at": (
            result.opens_at.replace(tzinfo=LOCAL_TZ).isoformat() if result.opens_at else None
        ),
        "distance_m": result.distance_m,
        "distance_text": distance_text(result.distance_m),
        "walking_minutes": result.walking_minutes,
        "ebike_minutes": result.ebike_minutes,
        "facilities": result.facilities,
        "url": reverse("mobile-station", args=[result.id]),
        "navigation": links.navigation_links(result),
    }


class CheckInSerializer(serializers.ModelSerializer):
    """Output: a check-in as staff see it (the worker masked)."""

    station_name = serializers.CharField(source="station.name", read_only=True)
    worker_masked = serializers.SerializerMethodField()

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "station",
            "station_name",
            "worker",
            "worker_masked",
            "visitors",
            "at",
            "services",
            "distance_m",
            "far_away",
            "source",
            "recorded_by",
        ]
        read_only_fields = fields

    def get_worker_masked(self, obj) -> str:
        return obj.worker.masked_label if obj.worker_id else ""


class VisitRecordSerializer(serializers.Serializer):
    """Input: the keeper records a visit (a worker by phone) or a count of visitors."""

    station = serializers.PrimaryKeyRelatedField(queryset=Station.objects.all())
    worker_phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    visitors = serializers.IntegerField(required=False, default=1)
    services = serializers.ListField(
        child=serializers.ChoiceField(choices=CheckIn.Service.choices), required=False, default=list
    )
    client_key = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text=_(
            "Made by the client for this submission: sending it again returns the same check-in."
        ),
    )
