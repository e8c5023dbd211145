from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_triggers(sender, using, **kwargs):
    """After every migrate (and every test flush), the marking triggers follow the facts."""
    from django.db import connections

    from .triggers import sync

    sync(connections[using])


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from core.facts import raw_rows_purged

        from .facts import discover
        from .services import seal_purged_periods
        from .start_page import remember_where_to_start

        discover()
        # District and city departments start on their dashboard after logging in.
        user_logged_in.connect(remember_where_to_start, dispatch_uid="reports.start_page")
        post_migrate.connect(_sync_triggers, sender=self, dispatch_uid="reports.sync_triggers")
        raw_rows_purged.connect(seal_purged_periods, dispatch_uid="reports.seal")

        # The monthly reports' workbooks are private files, fetched by those who reach
        # their area (reports.monthly_selectors.may_view_file).
        from core import private_files

        from .models import MONTHLY_REPORT_FILES
        from .monthly_selectors import may_view_file

        private_files.register(
            private_files.PrivateKind(MONTHLY_REPORT_FILES, may_view=may_view_file)
        )
