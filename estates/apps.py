from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EstatesConfig(AppConfig):
    name = "estates"
    verbose_name = _("Estate quick pass (小区快速通行)")

    def ready(self):
        from areas import object_grants
        from areas.models import StaffGrant
        from core import work_queue
        from members import inbox, me_panels, merge, personal_data

        from . import services
        from .ledgers import register_ledgers
        from .me_panels import passes_panel
        from .personal_data import HANDLER
        from .work_queue import estates_work

        # A property company's manager: the estates named in the grant (and their gates,
        # passes and entries). A gate guard: the gates named in the grant, where they check
        # passes (estates.views.guard_*), nothing else.
        object_grants.register(
            object_grants.ObjectKind(
                key="estates.estate",
                label=_("estates managed"),
                roles=frozenset({StaffGrant.Role.PROPERTY_MANAGER}),
            )
        )
        object_grants.register(
            object_grants.ObjectKind(
                key="estates.gate",
                label=_("gates guarded"),
                roles=frozenset({StaffGrant.Role.GATE_GUARD}),
                area_path="estate__area",
            )
        )
        merge.register("estates.EstatePass", services.passes_merge)
        # What the estate pass holds about a worker, erases and keeps for how long (PIPL).
        personal_data.register(HANDLER)
        inbox.register(
            inbox.MessageKind(
                code=services.PASS_MESSAGES,
                label=_("My estate passes: suspended, working again"),
            )
        )
        work_queue.register(estates_work)
        # The 小区快速通行登记台账 (export only), and the worker's passes on /m/me.
        register_ledgers()
        me_panels.register(passes_panel)
