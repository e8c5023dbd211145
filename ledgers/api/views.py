from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from areas.api.base import ScopedServiceRecordViewSet

from .. import selectors, services
from .serializers import CommitSerializer, ImportJobSerializer, UploadSerializer

# The upload is a multipart form; the decisions after it are small JSON (or form) bodies.
DECISION_PARSERS = [JSONParser, FormParser, MultiPartParser]


class ImportJobViewSet(ScopedServiceRecordViewSet):
    """Ledger imports of the user's areas. POST a multipart form (kind, area, file): the
    file is checked at once (large ones by the worker: poll the job's status and progress);
    then `commit` (all rows, or `skip_invalid` for only the valid ones) or `cancel`. Nothing
    is written before the commit; a job is never edited or deleted."""

    base_queryset = staticmethod(selectors.import_job_list)
    serializer_class = ImportJobSerializer
    input_serializer_class = UploadSerializer
    parser_classes = [MultiPartParser, FormParser]
    filterset_fields = ["status", "kind"]

    @staticmethod
    def create_service(*, actor, kind, area, file):
        services.check_upload_size(file.size)  # before the file is read into memory
        return services.import_upload(
            actor=actor, kind=kind, area=area, filename=file.name, content=file.read()
        )

    @extend_schema(request=CommitSerializer, responses=ImportJobSerializer)
    @action(detail=True, methods=["post"], parser_classes=DECISION_PARSERS)
    def commit(self, request, pk=None):
        return self.run_service(
            services.import_commit,
            job=self.get_object(),
            **self.validated_input(CommitSerializer),
        )

    @extend_schema(request=None, responses=ImportJobSerializer)
    @action(detail=True, methods=["post"], parser_classes=DECISION_PARSERS)
    def cancel(self, request, pk=None):
        return self.run_service(services.import_cancel, job=self.get_object())
