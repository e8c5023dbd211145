"""The scoped API base every app's viewsets stand on: lists and details through areas.access,
writes through services.

The one API write path (DESIGN.md, "Every domain app has the same shape"):

    input serializer → service(actor=request.user, **validated_data) → output serializer

    class RoleAppointmentViewSet(ScopedServiceRecordViewSet):
        base_queryset = staticmethod(selectors.appointment_list)
        serializer_class = RoleAppointmentSerializer      # input and output, unless split
        create_service = staticmethod(services.role_appoint)

        @extend_schema(request=EndAppointmentSerializer, responses=RoleAppointmentSerializer)
        @action(detail=True, methods=["post"])
        def end(self, request, pk=None):
            return self.run_service(
                services.role_end,
                appointment=self.get_object(),
                **self.validated_input(EndAppointmentSerializer),
            )

A service whose signature does not take the validated data as they are (it wants a model
instance, say) gets a small adapter method under the same name instead of the function:

    def update_service(self, *, actor, instance, **data):
        return services.points_rule_save(actor=actor, rule=assign(instance, data))

The service makes every access decision about what it writes; the view only fetches the row
through the scoped get_object() (404 outside the reach, 403 for read-only roles). A refusal
(ApplicationError) becomes a 400 with field errors in core.exceptions.api_exception_handler.
"""

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from areas import access, references
from core.schema import AutoSchema

# The router's actions that read the input serializer (and answer with the output one).
BODY_ACTIONS = ("create", "update", "partial_update")


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

    def get_serializer(self, *args, **kwargs):
        # Related fields accept only rows the user may name (areas.references).
        serializer = super().get_serializer(*args, **kwargs)
        references.scope_serializer_fields(serializer, self.request.user)
        return serializer

    def get_object(self):
        obj = super().get_object()  # 404 outside the read scope
        if self.request.method not in ("GET", "HEAD", "OPTIONS") and not access.can_write(
            self.request.user, obj, self.write_purpose
        ):
            raise PermissionDenied
        return obj


def assign(instance, data: dict):
    """Set validated values on a model instance (for services that save an instance)."""
    for name, value in data.items():
        setattr(instance, name, value)
    return instance


class ServiceWriteSchema(AutoSchema):
    """OpenAPI: create and update take the input serializer and answer with the output one."""

    def get_request_serializer(self):
        if getattr(self.view, "action", None) in BODY_ACTIONS:
            return self.view.get_input_serializer_class()(context={"view": self.view})
        return super().get_request_serializer()

    def get_response_serializers(self):
        if getattr(self.view, "action", None) in BODY_ACTIONS:
            return self.view.get_output_serializer_class()(context={"view": self.view})
        return super().get_response_serializers()


class ServiceWriteMixin:
    """Validate input, call a service as the signed-in user, answer with the output
    serializer. The verbs are in ServiceCreateMixin, ServiceUpdateMixin and
    ServiceDestroyMixin; a write @action calls run_service() so it is shaped the same."""

    input_serializer_class = None  # what create and update read; falls back to serializer_class
    output_serializer_class = None  # what every write answers with; falls back likewise
    schema = ServiceWriteSchema()

    def get_input_serializer_class(self):
        return self.input_serializer_class or self.serializer_class

    def get_output_serializer_class(self):
        return self.output_serializer_class or self.serializer_class

    def get_serializer_class(self):
        if self.action in BODY_ACTIONS:
            return self.get_input_serializer_class()
        return self.get_output_serializer_class()

    def validated_input(self, serializer_class=None, *, instance=None, partial=False) -> dict:
        """The request body checked by `serializer_class` (the input serializer by
        default); a 400 with the serializer's field errors when it does not pass."""
        serializer_class = serializer_class or self.get_input_serializer_class()
        serializer = serializer_class(
            instance,
            data=self.request.data,
            partial=partial,
            context=self.get_serializer_context(),
        )
        references.scope_serializer_fields(serializer, self.request.user)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def run_service(
        self,
        service,
        /,
        *,
        status_code=status.HTTP_200_OK,
        output_serializer_class=None,
        many=False,
        **kwargs,
    ) -> Response:
        """Call `service(actor=request.user, **kwargs)` and answer with what it returns.

        A service may return `(obj, created)` as get_or_create does: a repeat of a request
        already carried out (created False) answers 200 instead of `status_code`."""
        result = service(actor=self.request.user, **kwargs)
        if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], bool):
            result, created = result
            if not created:
                status_code = status.HTTP_200_OK
        return self.respond(
            result, status_code, output_serializer_class=output_serializer_class, many=many
        )

    def respond(
        self, result, status_code=status.HTTP_200_OK, *, output_serializer_class=None, many=False
    ) -> Response:
        serializer_class = output_serializer_class or self.get_output_serializer_class()
        if not many:
            result = self.read_back(result)
        serializer = serializer_class(result, many=many, context=self.get_serializer_context())
        return Response(serializer.data, status=status_code)

    def read_back(self, obj):
        """A row of this viewset's model is read again through get_queryset(), so a write
        answers with what a GET shows (annotations such as open_now or places_taken)."""
        queryset = self.get_queryset()
        if isinstance(obj, queryset.model) and obj.pk is not None:
            return queryset.filter(pk=obj.pk).first() or obj
        return obj

    @classmethod
    def _require(cls, name):
        if getattr(cls, name, None) is None:
            raise ImproperlyConfigured(f"{cls.__qualname__} needs {name} for this action.")


class ServiceCreateMixin(ServiceWriteMixin):
    """POST to the list: `create_service(actor=, **validated_data)` → 201 (200 for a replay)."""

    create_service = None  # a service function (staticmethod) or an adapter method

    def create(self, request, *args, **kwargs):
        self._require("create_service")
        return self.run_service(
            self.create_service, status_code=status.HTTP_201_CREATED, **self.validated_input()
        )


class ServiceUpdateMixin(ServiceWriteMixin):
    """PUT/PATCH to a row reached through get_object():
    `update_service(actor=, instance=, **validated_data)` → 200."""

    update_service = None  # usually an adapter method: services name the instance by entity

    def update(self, request, *args, partial=False, **kwargs):
        self._require("update_service")
        instance = self.get_object()
        data = self.validated_input(instance=instance, partial=partial)
        return self.run_service(self.update_service, instance=instance, **data)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)


class ServiceDestroyMixin(ServiceWriteMixin):
    """DELETE of a row reached through get_object(): `destroy_service(actor=, instance=)`
    (records are closed or ended by it, rarely deleted) → 204."""

    destroy_service = None

    def destroy(self, request, *args, **kwargs):
        self._require("destroy_service")
        self.destroy_service(actor=request.user, instance=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# The composed viewsets carry no docstring of their own: the API docs of a viewset without
# one fall back to ScopedViewSetMixin's (what a caller should know), not to these notes.


class ScopedReadOnlyViewSet(ScopedViewSetMixin, ServiceWriteMixin, viewsets.ReadOnlyModelViewSet):
    # Listed and read; write @actions (cancel, revoke …) go through run_service().
    pass


class ScopedServiceViewSet(
    ScopedViewSetMixin,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    # Listed, read, created and changed through services; never deleted (add
    # ServiceDestroyMixin where a delete closes the row).
    pass


class ScopedServiceRecordViewSet(
    ScopedViewSetMixin,
    ServiceCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    # Records: listed, read and created through a service; never edited or deleted (a
    # wrong one is followed by a correcting one, or ended by an @action).
    pass
