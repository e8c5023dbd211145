from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import renderers
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from areas import access
from areas.api.base import (
    ScopedServiceRecordViewSet,
    ScopedServiceViewSet,
    ServiceDestroyMixin,
)
from areas.models import Area
from core.api import GeoJSONRenderer
from core.coords import to_wgs84
from core.exceptions import ApplicationError
from stations import exports, selectors, services
from stations.filters import CheckInFilter, StationFilter
from stations.models import Station

from .serializers import (
    CheckInSerializer,
    NearbyAnswerSerializer,
    NearbyQuerySerializer,
    StationSerializer,
    StationWriteSerializer,
    VisitRecordSerializer,
    nearby_result_payload,
    station_from_input,
)

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class StationViewSet(ServiceDestroyMixin, ScopedServiceViewSet):
    """Stations the signed-in staff member reaches. `?format=geojson` returns a
    FeatureCollection. Deleting one closes it (its history stays)."""

    base_queryset = staticmethod(selectors.station_list)
    input_serializer_class = StationWriteSerializer
    serializer_class = StationSerializer
    filterset_class = StationFilter
    renderer_classes = [renderers.JSONRenderer, renderers.BrowsableAPIRenderer, GeoJSONRenderer]

    def create_service(self, *, actor, **data):
        return self.update_service(actor=actor, instance=Station(), **data)

    def update_service(self, *, actor, instance, facilities=None, **data):
        return services.station_save(
            actor=actor, station=station_from_input(instance, data), facility_codes=facilities
        )

    def destroy_service(self, *, actor, instance):
        return services.station_close(actor=actor, station=instance)

    @extend_schema(
        parameters=[NearbyQuerySerializer],
        responses=NearbyAnswerSerializer,
        description="Nearest stations to a point, nearest first (public: no login needed).",
    )
    @action(
        detail=False,
        methods=["get"],
        permission_classes=[AllowAny],
        authentication_classes=[],
        renderer_classes=[renderers.JSONRenderer],
        filterset_class=None,
        pagination_class=None,
    )
    def nearby(self, request):
        query = NearbyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        lng, lat = to_wgs84(params["lng"], params["lat"], params["coord"])
        results = selectors.stations_nearby(
            lng=lng,
            lat=lat,
            radius_m=params.get("radius"),
            facility_codes=params.get("facility") or [],
            open_now=params["open_now"],
            limit=params["limit"],
        )
        nearest_open = selectors.nearest_open_beyond(
            results, lng=lng, lat=lat, facility_codes=params.get("facility") or []
        )
        return Response(
            {
                "count": len(results),
                "origin": {"lng": lng, "lat": lat},
                "results": [nearby_result_payload(result) for result in results],
                "nearest_open": nearby_result_payload(nearest_open) if nearest_open else None,
            }
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("district", str, description="District code (6 or 12 digits)"),
            OpenApiParameter("file", str, enum=["xlsx", "csv"]),
        ],
        responses={
            (200, XLSX_MEDIA_TYPE): OpenApiTypes.BINARY,
            (200, "text/csv"): OpenApiTypes.STR,
        },
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="poi-export",
        filterset_class=None,
        pagination_class=None,
    )
    def poi_export(self, request):
        """A district's stations with WGS-84, GCJ-02 and BD-09 columns for map platforms."""
        code = (request.query_params.get("district") or "").strip().ljust(12, "0")
        district = (
            access.areas_reached(request.user).filter(code=code, level=Area.Level.DISTRICT).first()
        )
        if district is None:
            raise ApplicationError(_("Choose a district you manage (its 6-digit code)."))
        stations = (
            self.get_queryset()
            .filter(area__code__startswith=district.prefix)
            .exclude(status=Station.Status.CLOSED)
            .prefetch_related("opening_periods")
            .order_by("area__code", "name")
        )
        kind = request.query_params.get("file", "xlsx")
        if kind == "csv":
            body, content_type = exports.poi_csv(stations), "text/csv; charset=utf-8"
        elif kind == "xlsx":
            body = exports.poi_xlsx(
                stations,
                title=_("%(name)s station POI list") % {"name": district.name},
                unit=district.full_name,
            )
            content_type = XLSX_MEDIA_TYPE
        else:
            raise ApplicationError(_("file must be xlsx or csv."))
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="poi-{district.code[:6]}.{kind}"'
        return response


class CheckInViewSet(ScopedServiceRecordViewSet):
    """Check-ins at the stations the user reaches (keepers: their stations), newest first.
    Creating one is the keeper recording a visit: `worker_phone` names the worker (the
    30-minute rule applies: the same visit is returned with 200), none records `visitors`
    without names."""

    base_queryset = staticmethod(selectors.check_in_list)
    input_serializer_class = VisitRecordSerializer
    serializer_class = CheckInSerializer
    filterset_class = CheckInFilter
    create_service = staticmethod(services.visit_record)
