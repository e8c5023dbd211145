"""Reads of workers, enterprises, outlets, contact pairs and invitations, scoped by areas.access."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Count, Exists, Max, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy

from areas import access
from areas.models import Area
from core import ratelimit
from core.exceptions import ApplicationError
from core.identifiers import ID_RE, MOBILE_RE, normalize_id_number, normalize_mobile
from core.ratelimit import Limit

from .models import (
    COMMUNITY_LEVEL_VALUES,
    ConsentEvent,
    ContactLog,
    ContactPair,
    DeletionRequest,
    Enterprise,
    Invitation,
    InvitationBatch,
    InvitationCampaign,
    Message,
    Outlet,
    Worker,
    WorkerTransfer,
)


def worker_list(*, user) -> QuerySet:
    return access.scope(Worker.objects.all(), user).select_related(
        "area", "enterprise", "outlet", "residence_area"
    )


def review_queue(*, user) -> QuerySet:
    """Registrations waiting for the user's review, oldest first."""
    return (
        access.scope(
            Worker.objects.filter(status=Worker.Status.PENDING), user, access.Purpose.WRITE
        )
        .select_related("area", "enterprise")
        .order_by("created_at")
    )


def transfers_to_decide(*, user) -> QuerySet:
    """Workers asking to move to a community the user may write in, oldest first."""
    return (
        access.scope(
            WorkerTransfer.objects.filter(status=WorkerTransfer.Status.PENDING),
            user,
            access.Purpose.WRITE,
        )
        .select_related("worker", "from_area", "to_area")
        .order_by("requested_at")
    )


def inbox_of(*, worker, phone: str = "") -> QuerySet:
    """The messages someone signed in on the phone reads, newest first: their worker
    record's, and those sent to their phone before it had one (a donor's)."""
    shown = Q(worker__isnull=True, phone=phone) if phone else Q(pk__in=[])
    if worker is not None:
        shown |= Q(worker=worker)
    return Message.objects.filter(shown)


def worker_for_phone(phone: str, *, only: tuple[str, ...] = ()) -> Worker | None:
    """The record a phone number leads to (the kept record if it was merged), unscoped:
    for the person holding that phone — the worker logged in by SMS code, or standing at
    a station's counter telling the keeper their number. `only` loads just those fields
    (a hot path that needs the id, like a check-in)."""
    phone = normalize_mobile(phone or "")
    if not MOBILE_RE.match(phone):
        return None
    records = (
        Worker.objects.only("pk", "merged_into_id", *only)
        if only
        else Worker.objects.select_related("area", "enterprise")
    )
    worker = records.filter(phone=phone).first()
    if worker is not None and worker.merged_into_id:
        worker = records.get(pk=worker.merged_into_id)
    return worker


def worker_search_q(term: str, *, partial_names: bool = False) -> Q:
    """What staff type into a search box: a full phone number or ID number finds that
    person exactly (ID through its blind index); anything else matches a whole name, or
    part of one for staff who may see names unmasked (worker_search decides)."""
    term = (term or "").strip()
    phone, id_number = normalize_mobile(term), normalize_id_number(term)
    if MOBILE_RE.match(phone):
        return Q(phone=phone)
    if ID_RE.match(id_number):
        return Q(id_number_index=Worker.id_number_index_of(id_number))
    return Q(name__icontains=term) if partial_names else Q(name=term)


# Searching by personal data confirms a guess (a whole phone number tried against the
# masked 138****1234 on the screen): each staff member gets this many a window, then a plain
# refusal. System administrators are not limited.
PERSONAL_SEARCHES = Limit(
    count=60,
    seconds=600,
    message=gettext_lazy(
        "Too many searches by name, phone or ID number: wait ten minutes and try again."
    ),
)


def worker_search(queryset: QuerySet, term: str, *, user) -> QuerySet:
    """Workers matching a search box, rate-limited per staff member (ApplicationError when
    the limit is reached). Whole values only — a full name, phone or ID number — except that
    part of a name finds the workers of the areas where the user may see names unmasked:
    elsewhere the masked names on the screen cannot be recovered letter by letter."""
    if not access.reach_of(user).everything:
        try:
            ratelimit.take("worker-search", [f"user:{user.pk}"], [PERSONAL_SEARCHES])
        except ratelimit.LimitReached as reached:
            raise ApplicationError(str(reached.limit.message)) from None
    whole = worker_search_q(term)
    partial = worker_search_q(term, partial_names=True)
    if partial == whole:
        return queryset.filter(whole)
    unmasked = access.scope(Worker.objects.filter(partial), user, access.Purpose.UNMASK)
    return queryset.filter(whole | Q(pk__in=unmasked.values("pk")))


def possible_duplicates(queryset: QuerySet) -> QuerySet:
    """Records that may be the same person registered twice: another live (not merged)
    record with the same name in the same work community. The review queue's filter;
    staff compare the two and merge (services.worker_merge) or leave them."""
    twin = (
        Worker.objects.filter(name=OuterRef("name"), area=OuterRef("area"))
        .exclude(pk=OuterRef("pk"))
        .exclude(status=Worker.Status.MERGED)
    )
    return queryset.exclude(status=Worker.Status.MERGED).filter(Exists(twin))


def merge_partners(*, user, worker: Worker) -> QuerySet:
    """The records `user` may fold into `worker` or keep instead of it (worker_merge's own
    rule, as a list): live records, not merged nor deleted, that the user may write to."""
    return (
        access.scope(Worker.objects.all(), user, access.Purpose.WRITE)
        .exclude(pk=worker.pk)
        .exclude(status=Worker.Status.MERGED)
        .filter(erased_at__isnull=True)
        .select_related("area", "enterprise")
    )


def merge_candidates(*, user, worker: Worker, limit: int = 20) -> list[Worker]:
    """Likely other records of the same person, for the worker's page: the same name among
    the merge partners, those of the same work community first."""
    elsewhere = Case(When(area_id=worker.area_id, then=Value(0)), default=Value(1))
    same_name = merge_partners(user=user, worker=worker).filter(name=worker.name)
    return list(same_name.order_by(elsewhere, "created_at")[:limit])


# What a worker of an area may name (members.rules asks these for every path) --------------

DISTRICT_CODE_DIGITS = Area.PREFIX_LENGTH[Area.Level.DISTRICT]
CITY_CODE_DIGITS = Area.PREFIX_LENGTH[Area.Level.CITY]


def enterprises_offered_to(area: Area) -> QuerySet:
    """The employers a worker of `area` may name: those kept by the area's district or any
    area in it, and those kept by an area above it (a city or the province keeps the
    platforms: 美团, 饿了么…). Never another district's."""
    above = [node.pk for node in area.lineage()]
    return Enterprise.objects.filter(
        Q(area_id__in=above) | Q(area__code__startswith=area.code[:DISTRICT_CODE_DIGITS])
    )


def outlets_offered_to(area: Area) -> QuerySet:
    """The outlets (网点) a worker of `area` may name: those in the area's district."""
    return Outlet.objects.filter(area__code__startswith=area.code[:DISTRICT_CODE_DIGITS])


def residence_areas_offered_to(area: Area) -> QuerySet:
    """Where a worker of `area` may live: a community or street of the same city (riders
    cross district lines on their way home, not city lines)."""
    return Area.objects.filter(
        code__startswith=area.code[:CITY_CODE_DIGITS], level__in=COMMUNITY_LEVEL_VALUES
    )


def enterprise_list(*, user) -> QuerySet:
    return access.scope(Enterprise.objects.all(), user).select_related("area", "instructor")


def outlet_list(*, user) -> QuerySet:
    return access.scope(Outlet.objects.all(), user).select_related("enterprise", "area")


# Contact pairing --------------------------------------------------------------------------


def contact_pair_list(*, user) -> QuerySet:
    """Pairs in the user's reach (a contact person always reaches their pairs' community:
    contact_pair_start checks it)."""
    return (
        access.scope(ContactPair.objects.all(), user)
        .select_related("worker__area", "staff", "grid_worker")
        .annotate(last_contact_on=Max("logs__on"))
    )


def uncontacted_this_month(*, user, today: dt.date | None = None) -> QuerySet:
    """The user's own pairs with no contact this month (as marked by the daily job)."""
    month = (today or timezone.localdate()).replace(day=1)
    return contact_pair_list(user=user).filter(
        staff=user, ended_on__isnull=True, uncontacted_month=month
    )


def contact_log_list(*, user) -> QuerySet:
    pairs = contact_pair_list(user=user).values("pk")
    return ContactLog.objects.filter(pair__in=pairs).select_related("pair__worker", "recorded_by")


# Invitations ------------------------------------------------------------------------------


def campaign_list(*, user) -> QuerySet:
    return access.scope(InvitationCampaign.objects.all(), user).select_related("area")


def batch_list(*, user) -> QuerySet:
    return access.scope(InvitationBatch.objects.all(), user).select_related("campaign", "community")


def invitation_list(*, user) -> QuerySet:
    return access.scope(Invitation.objects.all(), user).select_related(
        "batch__campaign", "batch__community"
    )


@dataclass
class FunnelRow:
    """One line of an invitation funnel: a campaign in one community, or a total."""

    campaign: InvitationCampaign | None
    community: Area | None
    issued: int = 0
    sent: int = 0
    opened: int = 0
    registered: int = 0
    approved: int = 0

    @staticmethod
    def _percent(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def opened_percent(self) -> float | None:
        return self._percent(self.opened, self.sent)

    @property
    def registered_percent(self) -> float | None:
        """Registrations per hundred invitations sent (Xifeng: 238 of 13,000 = 1.8)."""
        return self._percent(self.registered, self.sent)

    def add(self, other: "FunnelRow") -> None:
        for name in ("issued", "sent", "opened", "registered", "approved"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def invitation_funnel(
    *, user, campaign: InvitationCampaign | int | None = None, area: Area | None = None
) -> list[FunnelRow]:
    """The funnel per campaign and community, over the invitations the user reaches (so
    community staff see their own community's line of a district's campaign)."""
    invitations = access.scope(Invitation.objects.all(), user)
    if campaign is not None:
        invitations = invitations.filter(batch__campaign=campaign)
    if area is not None:
        invitations = invitations.filter(batch__community__code__startswith=area.prefix)
    return _funnel(invitations)


def campaign_funnel(campaign: InvitationCampaign) -> list[FunnelRow]:
    """One campaign's funnel per community, for a user who has already reached the
    campaign: its batches all lie within its area, so they reach every invitation."""
    return _funnel(Invitation.objects.filter(batch__campaign=campaign))


def _funnel(invitations: QuerySet) -> list[FunnelRow]:
    """Issued, sent, opened, the registrations brought and how many of those were
    approved, per (campaign, community). Two grouped queries and two lookups."""
    key = ("batch__campaign", "batch__community")
    rows: dict[tuple[int, int], FunnelRow] = {}
    for row in (
        invitations.order_by()
        .values(*key)
        .annotate(
            issued=Count("pk"),
            sent=Count("pk", filter=Q(sent_at__isnull=False)),
            opened=Count("pk", filter=Q(opened_at__isnull=False)),
        )
    ):
        rows[(row["batch__campaign"], row["batch__community"])] = FunnelRow(
            None, None, row["issued"], row["sent"], row["opened"]
        )
    for row in (
        Worker.objects.filter(invitation__in=invitations.values("pk"))
        .order_by()
        .values(*(f"invitation__{k}" for k in key))
        .annotate(
            registered=Count("pk"),
            approved=Count("pk", filter=Q(status=Worker.Status.APPROVED)),
        )
    ):
        line = rows[(row["invitation__batch__campaign"], row["invitation__batch__community"])]
        line.registered, line.approved = row["registered"], row["approved"]
    campaigns = InvitationCampaign.objects.in_bulk({c for c, _ in rows})
    communities = Area.objects.in_bulk({a for _, a in rows})
    for (campaign_id, community_id), line in rows.items():
        line.campaign, line.community = campaigns[campaign_id], communities[community_id]
    return sorted(
        rows.values(), key=lambda line: (-line.campaign.starts_on.toordinal(), line.community.code)
    )


def funnel_totals(rows: list[FunnelRow]) -> list[FunnelRow]:
    """One total line per campaign, in the order the rows came."""
    totals: dict[int, FunnelRow] = {}
    for line in rows:
        total = totals.setdefault(line.campaign.pk, FunnelRow(line.campaign, None))
        total.add(line)
    return list(totals.values())


# A worker's rights over their data (services.privacy) -------------------------------------


def notice_accepted_by_worker(worker_id: int, version: str) -> bool:
    """Has the worker agreed to this version of the privacy notice themselves, on their
    phone? A registration by staff or from a ledger is not the worker's own agreement."""
    return ConsentEvent.objects.filter(
        worker_id=worker_id,
        kind=ConsentEvent.Kind.NOTICE_ACCEPTED,
        notice_version=version,
        actor__isnull=True,
    ).exists()


def deletion_queue(*, user) -> QuerySet:
    """Account deletion requests waiting for the user (staff who write in the worker's
    community), the nearest deadline first."""
    return (
        access.scope(
            DeletionRequest.objects.filter(status=DeletionRequest.Status.PENDING),
            user,
            access.Purpose.WRITE,
        )
        .select_related("worker__area")
        .order_by("due_on", "pk")
    )
