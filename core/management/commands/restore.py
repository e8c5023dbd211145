"""Restore a backup made by `manage.py backup`: the database, the keys and the media files.

    manage.py restore var/backups/2026-05-01              # into an empty database
    manage.py restore DIR --force                         # replace what is there
    manage.py restore DIR --database-name drill_0501      # a drill: into another database

Checks everything before it changes anything, loads the database in one transaction, then
proves the result (the backup's row counts, encrypted values that decrypt). Afterwards run
`manage.py migrate` if this code is newer than the backup (`make restore` does).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore the database, the personal-data keys and the media files from a backup."
    requires_system_checks = []  # the keys may not be installed until this has run

    def add_arguments(self, parser):
        parser.add_argument("directory", help="a directory written by `manage.py backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a database that is not empty, keys that differ, and media files",
        )
        parser.add_argument(
            "--database-name",
            help="restore into this database on the same server instead (a restore drill)",
        )
        parser.add_argument("--database", default="default", help="the DATABASES alias")

    def handle(self, *args, directory, force, database_name, database, **options):
        try:
            report = backup_restore(
                Path(directory), force=force, database_name=database_name, using=database
            )
        except BackupError as error:
            raise CommandError(_("Restore refused: %(reason)s") % {"reason": error}) from None
        manifest = report.manifest
        self.stdout.write(
            self.style.SUCCESS(
                _("Restored the backup of %(date)s from %(dir)s.")
                % {"date": manifest["created_at"], "dir": report.directory}
            )
        )
        for note in report.notes:
            self.stdout.write("  " + note)
