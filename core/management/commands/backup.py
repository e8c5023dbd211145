"""Back up the database, the personal-data keys and the media files into one directory.

    manage.py backup var/backups/2026-05-01     # a new or empty directory
    make backup                                  # into var/backups/<date-time>/

See core/backups.py for what the directory holds. It holds every worker's personal data
and the keys to read it: keep it where only the district's administrators reach.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.backups import BackupError, backup_create, default_backup_dir


class Command(BaseCommand):
    help = "Back up the database, the personal-data keys and the media files together."

    def add_arguments(self, parser):
        parser.add_argument(
            "directory",
            nargs="?",
            help="a new or empty directory (default: var/backups/<date-time>)",
        )
        parser.add_argument("--database", default="default", help="the DATABASES alias")

    def handle(self, *args, directory, database, **options):
        target = Path(directory) if directory else default_backup_dir()
        try:
            report = backup_create(target, using=database)
        except BackupError as error:
            raise CommandError(_("Backup refused: %(reason)s") % {"reason": error}) from None
        manifest = report.manifest
        rows = sum(manifest["database"]["row_counts"].values())
        self.stdout.write(
            self.style.SUCCESS(_("Backup written to %(dir)s") % {"dir": report.directory})
        )
        self.stdout.write(
            _(
                "  database %(name)s: %(tables)d tables, %(rows)d rows; keys %(keys)s; "
                "%(files)d media files"
            )
            % {
                "name": manifest["database"]["name"],
                "tables": len(manifest["database"]["row_counts"]),
                "rows": rows,
                "keys": ", ".join(k["id"] for k in manifest["keys"]["field_keys"]),
                "files": sum(m["files"] for m in manifest["media"].values()),
            }
        )
        self.stdout.write(
            _(
                "  It holds the personal data and the keys to read it: keep it where only "
                "the administrators reach."
            )
        )
