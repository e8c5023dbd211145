"""What every app's API shares: the scoped viewset base and the GeoJSON renderer."""

from django.core.exceptions import PermissionDenied
from rest_framework import mixins, renderers, viewsets

from areas import access


class ScopedViewSetMixin:
    """Lists and detail go through areas.access; writes to a row the user can see but not
    change are 403, rows outside their reach are 404 (they do not exist for them)."""

    base_queryset = None  # a callable(user) -> QuerySet, or a QuerySet
    read_purpose = access.Purpose.READ  # PARTY for party records
    write_purpose = access.Purpose.WRITE  # PARTY_WRITE for party records

    def get_queryset(self):
        base = self.base_queryset
        queryset = base(user=self.request.user) if callable(base) else base.all()
        return access.scope(queryset, self.request.user, self.read_purpose)

    def get_object(self):
        obj = super().get_object()  # 404 outside the read scope
        if self.request.method not in ("GET", "HEAD", "OPTIONS") and not access.can_write(
            self.request.user, obj, self.write_purpose
        ):
            raise PermissionDenied
        return obj


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    pass


class ScopedRecordViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Records: listed, read and created; never edited or deleted (a wrong one is followed
    by a correcting one, or ended)."""


class GeoJSONRenderer(renderers.JSONRenderer):
    """`?format=geojson`: each item with `lng`/`lat` becomes a Feature in a
    FeatureCollection (pagination fields are kept as foreign members)."""

    format = "geojson"
    media_type = "application/geo+json"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None and response.status_code >= 400:
            return super().render(data, accepted_media_type, renderer_context)
        items = data.get("results", data) if isinstance(data, dict) else data
        if isinstance(items, dict):
            items = [items]
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
