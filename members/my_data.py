"""Members' own entry in the personal-data registry (members.personal_data): the worker's
registration, its history, consents, contact pairing, invitations, login codes and
deletion requests — what the worker sees on /m/me/data, what an account deletion
anonymises, and how long each is kept."""

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import (
    ConsentEvent,
    ContactLog,
    ContactPair,
    DeletionRequest,
    Invitation,
    LoginCode,
    Message,
    MessagePreference,
    PhoneChange,
    Worker,
)
from .personal_data import Handler, Holding, Retention, show
from .phone_login import KEEP_CODES_FOR
from .services import privacy

COMMUNITY_STAFF = gettext_lazy(
    "Staff of your community, and of the street and district above it. They see your name "
    "and numbers masked (张*, 138****1234); showing them in full needs a permission and is "
    "recorded with the reason."
)
PARTY_STAFF = gettext_lazy("Only staff responsible for party affairs.")


def _registration(worker: Worker) -> Holding:
    values = [
        (_("Name"), worker.name),
        (_("Mobile phone"), worker.phone),
        (_("Resident ID number"), worker.id_number),
        (_("Gender"), worker.get_gender_display() if worker.gender else ""),
        (_("Birth year"), show(worker.birth_year)),
        (_("Occupation"), worker.get_occupation_display()),
        (_("Employer"), show(worker.enterprise)),
        (_("Outlet"), show(worker.outlet)),
        (_("Platform"), worker.platform),
        (_("Work community"), worker.area.full_name),
        (
            _("Residence community"),
            worker.residence_area.full_name if worker.residence_area else "",
        ),
        (_("Registration status"), worker.get_status_display()),
        (_("How you were registered"), worker.get_source_display()),
        (_("Tags"), show(worker.tags)),
        (_("Registered at"), show(worker.created_at)),
        (_("Last logged in"), show(worker.last_login_at)),
    ]
    holdings = [
        Holding(
            key="members.registration",
            title=_("Your registration"),
            seen_by=str(COMMUNITY_STAFF),
            records=[[(label, value) for label, value in values if value]],
        )
    ]
    if worker.political_status:
        holdings.append(
            Holding(
                key="members.sensitive",
                title=_("Sensitive data (kept with your separate consent)"),
                seen_by=str(PARTY_STAFF),
                records=[
                    [
                        (_("Political status"), worker.get_political_status_display()),
                        (_("Consent given at"), show(worker.sensitive_consent_at)),
                    ]
                ],
            )
        )
    return holdings


def _history(worker: Worker) -> list[Holding]:
    steps = [
        [
            (_("At"), show(step.at)),
            (_("Status"), step.get_to_status_display()),
            (_("Reason"), step.reason),
        ]
        for step in worker.status_changes.all()
    ]
    consents = [
        [
            (_("At"), show(event.at)),
            (_("What"), event.get_kind_display()),
            (_("Privacy notice version"), event.notice_version),
            (_("By"), _("You, on your phone") if event.actor_id is None else _("Staff")),
        ]
        for event in ConsentEvent.objects.filter(worker=worker)
    ]
    phones = [
        [
            (_("At"), show(change.at)),
            (_("Old number"), change.old_phone_masked),
            (_("New number"), change.new_phone_masked),
            (_("By"), _("You, on your phone") if change.actor_id is None else _("Staff")),
            (_("Reason"), change.reason),
        ]
        for change in PhoneChange.objects.filter(worker=worker)
    ]
    moves = [
        [
            (_("Asked at"), show(move.requested_at)),
            (_("From"), move.from_area.full_name),
            (_("To"), move.to_area.full_name),
            (_("Status"), move.get_status_display()),
            (_("Reason"), move.reason),
        ]
        for move in worker.transfers.select_related("from_area", "to_area")
    ]
    return [
        Holding("members.history", _("Registration history"), str(COMMUNITY_STAFF), steps),
        Holding(
            "members.transfers",
            _("Moves to another community"),
            str(_("Staff of both communities, and of the street and district above them.")),
            moves,
        ),
        Holding("members.consents", _("Your consents"), str(COMMUNITY_STAFF), consents),
        Holding("members.phone_changes", _("Changes of your number"), str(COMMUNITY_STAFF), phones),
    ]


def _contact(worker: Worker) -> list[Holding]:
    pairs = ContactPair.objects.filter(worker=worker).select_related("staff", "grid_worker")
    records = [
        [
            (_("Contact person"), _person(pair)),
            (_("Paired from"), show(pair.started_on)),
            (_("Paired until"), show(pair.ended_on)),
        ]
        for pair in pairs
    ]
    logs = [
        [
            (_("Date"), show(log.on)),
            (_("How"), log.get_kind_display()),
            (_("Note"), log.note),
        ]
        for log in ContactLog.objects.filter(pair__worker=worker).order_by("-on", "-pk")
    ]
    seen_by = _("Your contact person and staff of your community.")
    return [
        Holding("members.contact_pairs", _("Contact pairing (结对联系)"), seen_by, records),
        Holding("members.contact_logs", _("Contacts recorded with you"), seen_by, logs),
    ]


def _person(pair: ContactPair) -> str:
    if pair.staff_id:
        return pair.staff.get_full_name() or pair.staff.get_username()
    return pair.grid_worker.masked_name if pair.grid_worker_id else ""


def _invitations(worker: Worker) -> list[Holding]:
    invitations = Invitation.objects.filter(
        Q(recipient_phone=worker.phone) | Q(registrations=worker)
    ).select_related("batch__campaign", "batch__community")
    records = [
        [
            (_("Campaign"), invitation.batch.campaign.name),
            (_("Community"), invitation.batch.community.name),
            (
                _("Addressed to"),
                " ".join(p for p in (invitation.recipient_name, invitation.recipient_phone) if p),
            ),
            (_("Sent at"), show(invitation.sent_at)),
            (_("First opened at"), show(invitation.opened_at)),
        ]
        for invitation in invitations.distinct()
    ]
    return [
        Holding(
            "members.invitations",
            _("Invitations sent to you"),
            _("Staff of the community that invited you."),
            records,
        )
    ]


def _login_codes(worker: Worker) -> list[Holding]:
    codes = LoginCode.objects.filter(phone=worker.phone).order_by("-created_at")
    records = [
        [
            (_("Sent at"), show(code.created_at)),
            (_("Asked from address"), show(code.requested_from)),
            (_("Used at"), show(code.used_at)),
        ]
        for code in codes
    ]
    return [
        Holding(
            "members.login_codes",
            _("Login codes sent to your phone"),
            _("Nobody reads the codes: only a scrambled form is kept, and only for 7 days."),
            records,
        )
    ]


def _deletion_requests(worker: Worker) -> list[Holding]:
    records = [
        [
            (_("Asked at"), show(request.created_at)),
            (_("Status"), request.get_status_display()),
            (_("To be handled by"), show(request.due_on)),
            (_("Your note"), request.note),
            (_("Reason given"), request.refusal_reason),
        ]
        for request in DeletionRequest.objects.filter(worker=worker).order_by("-created_at")
    ]
    return [
        Holding(
            "members.deletion_requests",
            _("Your requests to delete your account"),
            str(COMMUNITY_STAFF),
            records,
        )
    ]


def _messages(worker: Worker) -> list[Holding]:
    messages = [
        [
            (_("Sent at"), show(message.created_at)),
            (_("Title"), message.title),
            (_("Message"), message.body),
            (_("Read at"), show(message.read_at)),
            (
                _("Also sent by"),
                "、".join(
                    f"{d.get_channel_display()}（{d.get_status_display()}）"
                    for d in message.deliveries.all()
                ),
            ),
        ]
        for message in Message.objects.filter(worker=worker).prefetch_related("deliveries")
    ]
    choices = [
        [
            (_("Kind"), preference.kind),
            (_("Channel"), preference.get_channel_display()),
            (_("On"), _("yes") if preference.enabled else _("no")),
            (_("Changed at"), show(preference.updated_at)),
        ]
        for preference in MessagePreference.objects.filter(worker=worker)
    ]
    seen_by = _("Only you. Staff do not read your messages.")
    return [
        Holding("members.messages", _("Your messages"), seen_by, messages),
        Holding("members.message_preferences", _("How you chose to be told"), seen_by, choices),
    ]


def members_my_data(worker: Worker) -> list[Holding]:
    return [
        *_registration(worker),
        *_history(worker),
        *_contact(worker),
        *_invitations(worker),
        *_login_codes(worker),
        *_deletion_requests(worker),
        *_messages(worker),
    ]


HANDLER = Handler(
    name="members.workers",
    models=(
        "members.Worker",
        "members.WorkerStatusChange",
        "members.ContactPair",
        "members.ConsentEvent",
        "members.DeletionRequest",
        "members.Message",
        "members.MessagePreference",
        "members.PhoneChange",
        "members.WorkerTransfer",
    ),
    my_data=members_my_data,
    erase=privacy.members_erase,
    retention=(
        Retention(
            model="members.Worker",
            setting="members.Worker.unused",
            what=gettext_lazy("Your registration"),
            rule=gettext_lazy(
                "Kept while you use the platform. A record nobody has used for %(days)d days "
                "(no login, no change) is anonymised, as when you delete your account."
            ),
            default_days=3 * 365,
            enforce=privacy.inactive_workers_erase,
        ),
        Retention(
            model="members.Worker",
            setting="members.Worker.returned",
            what=gettext_lazy("A registration returned to you"),
            rule=gettext_lazy("Anonymised if it is not corrected within %(days)d days."),
            default_days=180,
            enforce=privacy.returned_registrations_erase,
        ),
        Retention(
            model="members.WorkerStatusChange",
            what=gettext_lazy(
                "Registration history, your consents, changes of number and moves between "
                "communities"
            ),
            rule=gettext_lazy(
                "Kept as long as your registration; when your account is deleted, the dates "
                "stay without any reasons or values."
            ),
        ),
        Retention(
            model="members.ContactLog",
            what=gettext_lazy("Notes of contacts with you (结对联系)"),
            rule=gettext_lazy(
                "Notes are blanked after %(days)d days; the date and the way of contact stay."
            ),
            default_days=3 * 365,
            enforce=privacy.contact_notes_blank,
        ),
        Retention(
            model="members.Invitation",
            what=gettext_lazy("Invitations addressed to you"),
            rule=gettext_lazy("Your name and number on them are removed after %(days)d days."),
            default_days=365,
            enforce=privacy.invitation_recipients_blank,
        ),
        Retention(
            model="members.LoginCode",
            what=gettext_lazy("Login codes sent to your phone"),
            rule=gettext_lazy("Deleted after %(days)d days."),
            default_days=KEEP_CODES_FOR.days,
            enforce=privacy.login_codes_delete,
        ),
        Retention(
            model="members.Message",
            what=gettext_lazy("Your messages"),
            rule=gettext_lazy("Deleted %(days)d days after they were sent."),
            default_days=365,
            enforce=privacy.messages_delete,
        ),
        Retention(
            model="members.DeletionRequest",
            what=gettext_lazy("Your requests to delete your account"),
            rule=gettext_lazy("Deleted %(days)d days after they were answered."),
            default_days=3 * 365,
            enforce=privacy.deletion_requests_delete,
        ),
    ),
)
