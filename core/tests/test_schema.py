"""The OpenAPI schema documents what the server answers (issue 12 §2): every refusal in the
error shape, GeoJSON as a FeatureCollection, null where a field answers null. And the
answers keep to it: the GeoJSON renderer with no body, a refusal raised as a bare message."""

import json

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, renderers, routers, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError

from core.api import GeoJSONRenderer
from core.exceptions import api_exception_handler


class PlaceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    # A place without an outlet answers null here (the source is missing).
    outlet = serializers.CharField(source="outlet.name", default=None)
    lng = serializers.FloatField()
    lat = serializers.FloatField()


class PlaceList(generics.ListAPIView):
    serializer_class = PlaceSerializer
    renderer_classes = [renderers.JSONRenderer, GeoJSONRenderer]

    def get_queryset(self):
        return []


class PlaceDetail(generics.RetrieveAPIView):
    serializer_class = PlaceSerializer

    def get_queryset(self):
        return []


class PlaceViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = PlaceSerializer

    def get_queryset(self):
        return []

    @extend_schema(request=PlaceSerializer, responses=PlaceSerializer(many=True))
    @action(detail=True, methods=["post"])
    def visit(self, request, pk=None):
        """Answers every place visited, as a list: an action is never paged."""


@pytest.fixture
def schema():
    router = routers.SimpleRouter()
    router.register("visits", PlaceViewSet, basename="visit")
    patterns = [
        path("places/", PlaceList.as_view()),
        path("places/<int:pk>/", PlaceDetail.as_view()),
        *router.urls,
    ]
    return SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)


def test_every_operation_documents_its_refusals_in_the_error_shape(schema):
    listing = schema["paths"]["/places/"]["get"]["responses"]
    detail = schema["paths"]["/places/{id}/"]["get"]["responses"]
    for responses in (listing, detail):
        for code in ("400", "403"):
            body = responses[code]["content"]["application/json"]["schema"]
            assert body == {"$ref": "#/components/schemas/Error"}
        assert "401" in responses
    assert "404" in detail  # a row named in the path
    assert "404" in listing  # ?format= naming no format
    error = schema["components"]["schemas"]["Error"]
    assert error["type"] == "object" and error["properties"]["detail"] == {"type": "string"}


def test_geojson_is_documented_as_a_feature_collection_without_lng_and_lat(schema):
    content = schema["paths"]["/places/"]["get"]["responses"]["200"]["content"]
    ref = content["application/geo+json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    collection = schema["components"]["schemas"][ref]
    assert set(collection["properties"]) >= {"type", "features", "count", "next", "previous"}
    feature = collection["properties"]["features"]["items"]
    properties = feature["properties"]["properties"]["properties"]
    assert "name" in properties and "lng" not in properties and "lat" not in properties
    # The JSON answer is still the serializer's.
    assert content["application/json"]["schema"]["$ref"].endswith("PaginatedPlaceList")


def test_a_field_that_answers_null_when_its_source_is_missing_is_nullable(schema):
    place = schema["components"]["schemas"]["Place"]["properties"]
    assert place["outlet"].get("nullable") is True
    assert "nullable" not in place["name"]


def test_only_a_list_is_documented_as_a_page_an_action_answering_rows_is_a_list(schema):
    visit = schema["paths"]["/visits/{id}/visit/"]["post"]
    body = visit["responses"]["200"]["content"]["application/json"]["schema"]
    assert body == {"type": "array", "items": {"$ref": "#/components/schemas/Place"}}
    assert "limit" not in [parameter["name"] for parameter in visit.get("parameters", [])]
    listing = schema["paths"]["/visits/"]["get"]["responses"]["200"]["content"]
    assert listing["application/json"]["schema"]["$ref"].endswith("PaginatedPlaceList")


def test_an_operation_with_a_body_documents_the_415_for_a_body_it_does_not_read(schema):
    assert "415" in schema["paths"]["/visits/{id}/visit/"]["post"]["responses"]
    assert "415" not in schema["paths"]["/visits/"]["get"]["responses"]


def test_the_geojson_renderer_renders_no_body_as_no_body():
    # A delete asked for as ?format=geojson answers 204 with nothing to put on a map.
    assert GeoJSONRenderer().render(None) == b""


def test_the_geojson_renderer_leaves_what_is_not_rows_as_json():
    assert json.loads(GeoJSONRenderer().render(["a", "b"])) == ["a", "b"]
    assert json.loads(GeoJSONRenderer().render(3)) == 3


def test_a_refusal_raised_as_a_bare_message_has_the_error_shape():
    response = api_exception_handler(ValidationError("Choose a district."), {})
    assert response.status_code == 400
    assert response.data == {"detail": "Choose a district."}
    response = api_exception_handler(DjangoValidationError(["One.", "Two."]), {})
    assert response.data == {"detail": "One. Two."}
