"""Workers' figures for rollups and dashboards (core.facts; reports/ discovers them).

Records merged into another (Worker.Status.MERGED) are duplicates of a person counted on
the record kept, so no registration figure counts them. A record that has only checked in
(Worker.Status.UNREGISTERED) has no registration yet: registrations count by the moment
they were made (registered_at), not by when the record was created, and in the community
they were made with (registered_area): a worker who moves to another community later
(WorkerTransfer) stays in the old community's registration figures, and the receiving
community counts a transfer in.

The time from registration to review is the time to *approval*: a worker keeps when they
registered and when they were approved, while a returned registration's review time is in
WorkerStatusChange, another table a fact does not read. The backlog's age is the whole
days each waiting registration has waited, summed at each snapshot; both are shown as
averages (a Ratio over the matching count)."""

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.facts import Fact, HoursBetween, LocalDaysSince, Measure, Ratio

from .models import Worker

NOT_MERGED = ~Q(status=Worker.Status.MERGED)
# Registrations (报到) made, counted on the day they were made: a worker who has only
# checked in at a station has a record and no registration (issue 14 §2).
REGISTERED = NOT_MERGED & Q(registered_at__isnull=False)
CAME_BY_INVITATION = Q(invitation__isnull=False)

FACTS = [
    Fact(
        key="members.registrations",
        label=_("Registrations (报到)"),
        model="members.Worker",
        area_path="registered_area",
        date_field="registered_at",
        where=REGISTERED,
        breakdown="occupation",
    ),
    # The same registrations as above, by where they stand now and by how they came: one
    # fact per breakdown, all three sharing one total.
    Fact(
        key="members.registrations_by_status",
        label=_("Registrations by status"),
        model="members.Worker",
        area_path="registered_area",
        date_field="registered_at",
        where=REGISTERED,
        breakdown="status",
    ),
    Fact(
        key="members.registrations_by_source",
        label=_("Registrations by how they came"),
        model="members.Worker",
        area_path="registered_area",
        date_field="registered_at",
        where=REGISTERED,
        breakdown="source",
    ),
    Fact(
        key="members.approvals",
        label=_("Registrations approved"),
        model="members.Worker",
        area_path="registered_area",
        date_field="approved_at",
        where=Q(status=Worker.Status.APPROVED),
    ),
    Fact(
        key="members.hours_to_approval",
        label=_("Hours from registration to approval (all approvals)"),
        model="members.Worker",
        area_path="registered_area",
        measure=Measure.SUM,
        over=HoursBetween("registered_at", "approved_at"),
        date_field="approved_at",
        where=Q(status=Worker.Status.APPROVED),
    ),
    Fact(
        key="members.waiting_for_review",
        label=_("Registrations waiting for review"),
        model="members.Worker",
        area_path="registered_area",
        where=Q(status=Worker.Status.PENDING),
    ),
    Fact(
        key="members.days_waiting",
        label=_("Days waited by the registrations waiting for review (all of them)"),
        model="members.Worker",
        area_path="registered_area",
        measure=Measure.SUM,
        over=LocalDaysSince("registered_at", settings.TIME_ZONE),
        where=Q(status=Worker.Status.PENDING),
    ),
    Fact(
        key="members.contact_pairs",
        label=_("Active contact pairs (结对联系)"),
        model="members.ContactPair",
        area_path="worker__area",
        where=Q(ended_on__isnull=True),
    ),
    # The daily job (contact_pairs_mark_uncontacted) marks every active pair with no
    # contact logged this month, and logging a contact clears the mark: an active pair
    # without a mark has been contacted this month. (Until the job's first run in a new
    # month, last month's contacts still count.)
    Fact(
        key="members.contact_pairs_contacted_this_month",
        label=_("Contact pairs contacted this month"),
        model="members.ContactPair",
        area_path="worker__area",
        where=Q(ended_on__isnull=True, uncontacted_month__isnull=True),
    ),
    # Moves between communities (issue 14 §2), counted by the community that receives.
    Fact(
        key="members.transfers_in",
        label=_("Workers transferred in from another community"),
        model="members.WorkerTransfer",
        area_path="to_area",
        date_field="decided_at",
        where=Q(status="accepted"),
    ),
    Fact(
        key="members.transfers_waiting",
        label=_("Transfers waiting to be accepted"),
        model="members.WorkerTransfer",
        area_path="to_area",
        where=Q(status="pending"),
    ),
    # The invitation funnel: sent → opened → registered → approved. Invitations are placed
    # in the community they invite to, registrations in the community the worker chose,
    # which is nearly always the same one.
    Fact(
        key="members.invitations_sent",
        label=_("Invitations sent"),
        model="members.Invitation",
        area_path="batch__community",
        date_field="sent_at",
        where=Q(sent_at__isnull=False),
    ),
    Fact(
        key="members.invitations_opened",
        label=_("Invitations opened"),
        model="members.Invitation",
        area_path="batch__community",
        date_field="opened_at",
        where=Q(opened_at__isnull=False),
    ),
    Fact(
        key="members.registrations_by_invitation",
        label=_("Registrations that came by invitation"),
        model="members.Worker",
        area_path="registered_area",
        date_field="registered_at",
        where=REGISTERED & CAME_BY_INVITATION,
    ),
    Fact(
        key="members.approvals_by_invitation",
        label=_("Registrations by invitation approved"),
        model="members.Worker",
        area_path="registered_area",
        date_field="approved_at",
        where=Q(status=Worker.Status.APPROVED) & CAME_BY_INVITATION,
    ),
]

RATIOS = [
    Ratio(
        key="members.hours_per_approval",
        label=_("Hours from registration to approval, on average"),
        numerator="members.hours_to_approval",
        denominator="members.approvals",
        percent=False,
    ),
    Ratio(
        key="members.average_days_waiting",
        label=_("Days the waiting registrations have waited, on average"),
        numerator="members.days_waiting",
        denominator="members.waiting_for_review",
        percent=False,
    ),
    Ratio(
        key="members.contacted_this_month_share",
        label=_("Share of contact pairs contacted this month"),
        numerator="members.contact_pairs_contacted_this_month",
        denominator="members.contact_pairs",
    ),
]
