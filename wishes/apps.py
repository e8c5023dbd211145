from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WishesConfig(AppConfig):
    name = "wishes"
    verbose_name = _("Micro-wishes")

    def ready(self):
        from core import private_files, work_queue
        from members import inbox, me_panels, merge, personal_data

        from . import selectors, services
        from .ledgers import register_ledgers
        from .me_panels import links_panel
        from .personal_data import HANDLER
        from .work_queue import wishes_work

        work_queue.register(wishes_work)
        me_panels.register(links_panel)
        merge.register("wishes.Wish", services.wishes_merge)
        register_ledgers()
        # What wishes holds about a worker, erases and keeps for how long (PIPL).
        personal_data.register(HANDLER)
        inbox.register(
            inbox.MessageKind(
                code=services.WISH_MESSAGES,
                label=_("My micro-wishes: reviewed, claimed, ready to pick up"),
            )
        )
        inbox.register(
            inbox.MessageKind(
                code=services.DONOR_MESSAGES,
                label=_("My claims on micro-wishes: deadlines, handover, thanks"),
            )
        )
        # Handover photos: seen by staff of the wish's area only until a story publishes one.
        private_files.register(
            private_files.PrivateKind("wishes.photo", may_view=selectors.may_view_photo)
        )
        # A follow-up story's photo: public once the story is published.
        private_files.register(
            private_files.PrivateKind("wishes.story", may_view=selectors.may_view_story_photo)
        )
