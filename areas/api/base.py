"""The scoped API base every app's viewsets stand on: lists and details through areas.access."""

from django.core.exceptions import PermissionDenied
from rest_framework import mixins, viewsets

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
