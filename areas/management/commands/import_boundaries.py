from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from areas.services import area_import_boundaries
from core.exceptions import ApplicationError


class Command(BaseCommand):
    help = "Import area boundaries from a GeoJSON FeatureCollection (features carry `code`)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        try:
            count = area_import_boundaries(data=path.read_bytes())
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"{count} boundaries imported.")
