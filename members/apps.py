from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Workers")

    def ready(self):
        from areas import handover, references
        from core import geocoder, work_queue

        from . import handover as staff_work
        from . import inbox, merge, personal_data, selectors, services
        from .ledgers import register_ledgers
        from .my_data import HANDLER
        from .places import outlet_places
        from .work_queue import members_work

        work_queue.register(members_work)
        # The admin's map search finds outlets by name (core.geocoder).
        geocoder.register_place_source("members.outlet", outlet_places)
        register_ledgers()
        merge.register("members.ContactPair", services.contact_pairs_merge)
        merge.register("members.ConsentEvent", services.consents_merge)
        merge.register("members.DeletionRequest", services.deletion_requests_merge)
        merge.register("members.Message", services.messages_merge)
        merge.register("members.MessagePreference", services.message_preferences_merge)
        inbox.register(
            inbox.MessageKind(
                code=inbox.REGISTRATION_REVIEWED,
                label=_("Your registration (报到) approved or returned"),
            )
        )
        inbox.register(
            inbox.MessageKind(
                code=inbox.ACCOUNT_CHANGED, label=_("Your phone number changed"), channels=()
            )
        )
        merge.register("members.PhoneChange", services.phone_changes_merge)
        merge.register("members.WorkerTransfer", services.transfers_merge)
        # What members holds about a worker, erases and keeps for how long (PIPL).
        personal_data.register(HANDLER)
        merge.rows_stay(
            "members.WorkerStatusChange",
            why="the history of a registration describes that record, merge included",
        )
        merge.rows_stay(
            "members.Worker", why="merged_into is the merge itself (services.worker_merge)"
        )
        # A worker's name, phone and ID number, searched through any admin (points,
        # party members…): whole values only unless the user may unmask, rate-limited.
        references.register_personal_search(
            "members.Worker",
            fields=["name", "phone", "id_number", "id_number_index"],
            search=selectors.worker_search,
        )
        # A staff member who leaves hands these to a colleague (areas.services.staff_deactivate).
        handover.register(
            "members.contact_pairs",
            label=_("contact pairs (结对联系)"),
            count=lambda user: staff_work.open_pairs(user).count(),
            move=staff_work.contact_pairs_hand_over,
        )
        handover.register(
            "members.instructed_enterprises",
            label=_("enterprises they instruct in party building (党建指导员)"),
            count=lambda user: staff_work.instructed_enterprises(user).count(),
            move=staff_work.instructed_enterprises_hand_over,
        )
