"""What every app's API shares and is not about areas: the GeoJSON renderer. (The scoped
viewset bases live in areas.api.base, beside the access rules they apply.)"""

from rest_framework import renderers


class GeoJSONRenderer(renderers.JSONRenderer):
    """`?format=geojson`: each item with `lng`/`lat` becomes a Feature in a
    FeatureCollection (pagination fields are kept as foreign members)."""

    format = "geojson"
    media_type = "application/geo+json"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if data is None or (response is not None and response.status_code >= 400):
            # No body (a 204 after a delete), or an error: as JSON renders it.
            return super().render(data, accepted_media_type, renderer_context)
        items = data.get("results", data) if isinstance(data, dict) else data
        if isinstance(items, dict):
            items = [items]
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            # Not rows with a place (a count, a message): nothing to put on a map.
            return super().render(data, accepted_media_type, renderer_context)
        collection = {
            "type": "FeatureCollection",
            "features": [self._feature(item) for item in items],
        }
        if isinstance(data, dict) and "results" in data:
            collection.update({k: v for k, v in data.items() if k != "results"})
        return super().render(collection, accepted_media_type, renderer_context)

    @staticmethod
    def _feature(item: dict) -> dict:
        properties = {k: v for k, v in item.items() if k not in ("lng", "lat")}
        return {
            "type": "Feature",
            "id": item.get("id"),
            "geometry": {"type": "Point", "coordinates": [item.get("lng"), item.get("lat")]},
            "properties": properties,
        }
