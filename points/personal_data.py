"""Points' entry in the personal-data registry (members.personal_data): the worker's
account, its ledger and their redemptions. The ledger is append-only (a trigger refuses
UPDATE and DELETE): deleting an account never rewrites it. Reserved redemptions are
cancelled (the item goes back in stock) and what is left of the balance lapses, each as
new entries; the entries stay, linked to the anonymised record."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.personal_data import Handler, Holding, Retention, show

from . import services
from .models import PointsAccount, PointsEntry, Redemption

SEEN_BY = gettext_lazy(
    "Staff of your community, street and district; the keeper of the station where you "
    "pick up a reward sees that redemption."
)


def points_my_data(worker) -> list[Holding]:
    account = PointsAccount.objects.filter(worker=worker).first()
    entries = (
        PointsEntry.objects.filter(account=account).order_by("-created_at", "-pk")
        if account
        else PointsEntry.objects.none()
    )
    ledger = [
        [
            (_("At"), show(entry.created_at)),
            (_("Points"), f"{entry.amount:+d}"),
            (_("What"), entry.get_kind_display()),
            (_("Reason"), entry.reason),
            (_("Balance after"), str(entry.balance_after)),
        ]
        for entry in entries
    ]
    redemptions = [
        [
            (_("Reward"), redemption.reward.name),
            (_("Pickup station"), redemption.station.name),
            (_("Points"), str(redemption.points)),
            (_("Status"), redemption.get_status_display()),
            (_("Asked at"), show(redemption.created_at)),
            (_("Handed over at"), show(redemption.handed_over_at)),
        ]
        for redemption in Redemption.objects.filter(worker=worker)
        .select_related("reward", "station")
        .order_by("-created_at")
    ]
    balance = [[(_("Balance"), str(account.balance))]] if account else []
    return [
        Holding("points.balance", _("Your points balance"), str(SEEN_BY), balance),
        Holding("points.ledger", _("Your points ledger"), str(SEEN_BY), ledger),
        Holding("points.redemptions", _("Your reward redemptions"), str(SEEN_BY), redemptions),
    ]


def points_erase(*, worker, actor) -> None:
    for redemption in Redemption.objects.filter(
        worker=worker, status=Redemption.Status.RESERVED
    ).only("pk"):
        services.redemption_cancel(redemption=redemption)
    account = PointsAccount.objects.filter(worker=worker).first()
    if account is not None and account.balance > 0:
        services.points_expire(
            worker=worker,
            points=account.balance,
            period="account-deleted",
            reason=_("Account deleted"),
        )


HANDLER = Handler(
    name="points.ledger",
    models=("points.PointsAccount", "points.Redemption"),
    my_data=points_my_data,
    erase=points_erase,
    retention=(
        Retention(
            model="points.PointsEntry",
            what=gettext_lazy("Your points and redemptions"),
            rule=gettext_lazy(
                "Kept as the district's points ledger, which is never changed. When your "
                "account is deleted, the entries stay in the totals without your name and "
                "points you have not used lapse."
            ),
        ),
    ),
)
