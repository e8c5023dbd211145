from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Suggestions and reports (双征集, 随手拍)")

    def ready(self):
        from core import private_files, work_queue
        from members import inbox, me_panels, merge, personal_data

        from . import selectors, services
        from .ledgers import register_ledgers
        from .me_panels import links_panel
        from .personal_data import HANDLER
        from .work_queue import feedback_work

        work_queue.register(feedback_work)
        me_panels.register(links_panel)
        register_ledgers()
        merge.register("feedback.Case", services.cases_merge)
        merge.register("feedback.CaseFollower", services.followers_merge)
        # What feedback holds about a worker, erases and keeps for how long (PIPL).
        personal_data.register(HANDLER)
        inbox.register(
            inbox.MessageKind(
                code=services.CASE_MESSAGES,
                label=_("My suggestions and reports: accepted, answered, messages"),
            )
        )
        # Photos of the problem and of the fix: the case's staff and its reporter.
        private_files.register(
            private_files.PrivateKind("feedback.photo", may_view=selectors.may_view_photo)
        )
