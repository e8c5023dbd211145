"""Stations' entry in the personal-data registry (members.personal_data): the worker's
check-ins. No position is ever stored (only the distance, rounded to 100 m), so when an
account is deleted the check-ins have nothing left to anonymise: they stay in the
station's counts, linked to the anonymised record (the worker's name, phone and ID are
gone from it)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.personal_data import Handler, Holding, Retention, show

from .models import CheckIn

SEEN_BY = gettext_lazy(
    "The station's keeper, and staff of the station's community, street and district."
)


def check_ins_my_data(worker) -> list[Holding]:
    services = dict(CheckIn.Service.choices)
    check_ins = CheckIn.objects.filter(worker=worker).select_related("station").order_by("-at")
    records = [
        [
            (_("Station"), check_in.station.name),
            (_("Checked in at"), show(check_in.at)),
            (_("Services used"), ", ".join(str(services.get(s, s)) for s in check_in.services)),
            (
                _("Distance from the station"),
                f"{check_in.distance_m} m" if check_in.distance_m is not None else "",
            ),
            (_("How"), check_in.get_source_display()),
        ]
        for check_in in check_ins
    ]
    return [Holding("stations.check_ins", _("Check-ins at stations"), str(SEEN_BY), records)]


def check_ins_erase(*, worker, actor) -> None:
    """Nothing to blank: a check-in holds a station, a time, the services used and a
    rounded distance. It stays for the station's figures (visits, distinct workers),
    linked to the record members has just anonymised."""


HANDLER = Handler(
    name="stations.check_ins",
    models=("stations.CheckIn",),
    my_data=check_ins_my_data,
    erase=check_ins_erase,
    retention=(
        Retention(
            model="stations.CheckIn",
            what=gettext_lazy("Check-ins at stations"),
            rule=gettext_lazy(
                "Kept for the stations' figures. No position is kept, only the distance "
                "rounded to 100 m. When your account is deleted they stay in the counts "
                "without your name."
            ),
        ),
    ),
)
