"""OpenAPI (drf-spectacular): the schema documents every answer the server gives, not only
the happy one, so a client (and the API fuzzer in tests/test_api_fuzz.py) can rely on it.

One schema class for every view (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]) adds, once:
- the refusals every operation can answer, in the error shape of
  core.exceptions.api_exception_handler: 400 (input refused, with the fields), 401 (the
  session ended), 403 (not allowed; read-only roles on writes), 404 (a row out of reach or
  missing), 415 (a body of a type not read), 429 (too many requests) where they apply;
- the GeoJSON answer of views that offer `?format=geojson` (core.api.GeoJSONRenderer): a
  FeatureCollection of the item's fields without lng/lat, not the JSON list.
A view documents only what is its own (its serializers, an envelope, a file).
"""

import copy

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent, is_list_serializer, is_serializer
from rest_framework.fields import empty

from core.api import GeoJSONRenderer

ERROR_COMPONENT = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "What was refused, in words for people. `detail` says it in one sentence; a field "
        "that was refused has its messages under its own name (a list of messages, or an "
        "object of messages for a nested field)."
    ),
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {
        "anyOf": [{"type": "array"}, {"type": "object"}, {"type": "string"}],
    },
}

# Status code → what it means; which operations answer it is decided in error_codes().
ERRORS = {
    "400": "The input was refused: `detail` and the refused fields say why.",
    "401": "The session ended (idle or too long): log in again.",
    "403": "Not allowed: not signed in, a read-only role, or a step missing (second factor, "
    "a new password).",
    "404": "Not found, or out of your reach (the same answer for both).",
    "415": "The body's Content-Type is missing, or not one this operation reads.",
    "429": "Too many requests in a minute: wait and try again.",
}


def _literal(value: str) -> dict:
    # A one-value string as a pattern, not an enum: drf-spectacular would lift every
    # {"type": …} enum into one shared "TypeEnum" component.
    return {"type": "string", "pattern": f"^{value}$"}


POINT_SCHEMA = {
    "type": "object",
    "required": ["type", "coordinates"],
    "properties": {
        "type": _literal("Point"),
        "coordinates": {
            "type": "array",
            "description": "[lng, lat], WGS-84.",
            "minItems": 2,
            "maxItems": 2,
            "items": {"type": "number", "nullable": True},
        },
    },
}


class AutoSchema(SpectacularAutoSchema):
    def _get_paginator(self):
        # Only a viewset's list answers a page (ListModelMixin.list); an @action answering
        # many rows (the roll call's sign-ups) answers them all, as a plain list.
        action = getattr(self.view, "action", None)
        if action is not None and action != "list":
            return None
        return super()._get_paginator()

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "response" and getattr(field, "default", empty) is None:
            # `default=None` is what a field answers when its source is missing (a worker
            # without an outlet: source="outlet.name"): null is part of the answer.
            schema["nullable"] = True
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self.error_codes():
            if code in responses:
                continue  # the view documents it itself
            response = self._get_response_for_code(self._error_component().ref, code)
            response["description"] = ERRORS[code]
            responses[code] = response
        return responses

    def error_codes(self) -> list[str]:
        codes = ["400"]  # any parameter or body may be refused (a NUL byte, a huge number…)
        # 401 and 403 even where anyone may call: a staff session that ended, or one
        # without its second factor, is stopped before any view.
        codes += ["401", "403"]
        if self._may_answer_404():
            codes.append("404")
        if self.method in ("POST", "PUT", "PATCH") and self._get_request_body() is not None:
            codes.append("415")  # a body without a Content-Type, or of a type not read here
        if self.view.get_throttles():
            codes.append("429")
        return codes

    def _may_answer_404(self) -> bool:
        if "{" in self.path:
            return True  # a row named in the path
        if self.method != "GET":
            return True  # a write into an area (named in the body) out of reach
        if len(self.map_renderers("format")) > 1:
            return True  # ?format= naming no format
        # A plain APIView answers for an area or campaign named in its query: out of reach
        # is 404. (A list's filters refuse such a row with a 400.)
        return not hasattr(self.view, "get_queryset")

    def _error_component(self) -> ResolvedComponent:
        component = ResolvedComponent(
            name=ERROR_COMPONENT,
            type=ResolvedComponent.SCHEMA,
            object="core.schema.Error",
            schema=ERROR_SCHEMA,
        )
        self.registry.register_on_missing(component)
        return component

    def _get_response_for_code(
        self, serializer, status_code, media_types=None, direction="response"
    ):
        response = super()._get_response_for_code(serializer, status_code, media_types, direction)
        content = response.get("content") or {}
        if GeoJSONRenderer.media_type in content and str(status_code).startswith("2"):
            collection = self._feature_collection(serializer, direction)
            if collection is not None:
                content[GeoJSONRenderer.media_type] = {"schema": collection.ref}
        return response

    def _feature_collection(self, serializer, direction) -> ResolvedComponent | None:
        """What GeoJSONRenderer makes of the JSON answer: every item (one, or a page of them)
        becomes a Feature whose properties are the item's fields without lng/lat."""
        item = serializer.child if is_list_serializer(serializer) else serializer
        if not is_serializer(item):
            return None
        component = self.resolve_serializer(item, direction)
        if not component:
            return None
        properties = copy.deepcopy(component.schema)
        for name in ("lng", "lat"):
            properties.get("properties", {}).pop(name, None)
            if name in properties.get("required", []):
                properties["required"].remove(name)
        feature = {
            "type": "object",
            "required": ["type", "id", "geometry", "properties"],
            "properties": {
                "type": _literal("Feature"),
                "id": {"nullable": True},
                "geometry": POINT_SCHEMA,
                "properties": properties,
            },
        }
        collection = {
            "type": "object",
            "description": "GeoJSON: the answer's items as Point features (`?format=geojson`).",
            "required": ["type", "features"],
            "properties": {
                "type": _literal("FeatureCollection"),
                "features": {"type": "array", "items": feature},
            },
        }
        paginator = self._get_paginator() if self._is_list_view(serializer) else None
        if paginator is not None:
            # The page's count and links stay beside the features (foreign members).
            page = paginator.get_paginated_response_schema({"type": "array"})
            for name, schema in page.get("properties", {}).items():
                if name != "results":
                    collection["properties"][name] = schema
        resolved = ResolvedComponent(
            name=f"{'Paginated' if paginator else ''}{component.name}FeatureCollection",
            type=ResolvedComponent.SCHEMA,
            object=f"core.schema.FeatureCollection.{component.name}.{bool(paginator)}",
            schema=collection,
        )
        self.registry.register_on_missing(resolved)
        return resolved
