from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartyConfig(AppConfig):
    """Party work (党建): organisations, the party members among workers, three-management
    (三管), coverage, lost contact. Its own permission boundary: every record here needs a
    grant's party-affairs flag (areas.access Purpose.PARTY / PARTY_WRITE)."""

    name = "party"
    verbose_name = _("Party work")

    def ready(self):
        from core import work_queue
        from members import me_panels, merge, personal_data

        from . import services
        from .ledgers import register_ledgers
        from .me_panels import party_link_panel
        from .personal_data import HANDLER as personal_data_handler
        from .work_queue import party_work

        work_queue.register(party_work)
        register_ledgers()
        merge.register("party.PartyMember", services.party_membership_merge)
        # What party holds about a worker, erases and keeps for how long (PIPL).
        personal_data.register(personal_data_handler)
        me_panels.register(party_link_panel)
