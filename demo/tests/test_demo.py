import pytest
from django.core.management import call_command

from activities.models import Activity, RoleAppointment, SignUp, VolunteerService
from areas.models import Area, StaffGrant
from members import selectors
from members.models import Invitation, InvitationCampaign, Worker
from points.models import PointsAccount, PointsRule, Redemption, Reward
from stations.models import CheckIn, OpeningPeriod, Station, StationFacility
from stations.selectors import stations_kept
from wishes.models import Claim, ClaimLine, Donor, Wish, WishStatusChange

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        "areas": list(Area.objects.order_by("code").values_list("code", "name", "updated_at")),
        "stations": list(Station.objects.order_by("pk").values_list("pk", "name", "updated_at")),
        "facilities": StationFacility.objects.count(),
        "periods": OpeningPeriod.objects.count(),
        "grants": StaffGrant.objects.count(),
        "workers": Worker.objects.count(),
        "invitations": list(Invitation.objects.values_list("code", "open_count")),
        "check_ins": CheckIn.objects.count(),
        "points": list(PointsAccount.objects.order_by("pk").values_list("pk", "balance")),
        "activities": list(Activity.objects.order_by("pk").values_list("pk", "status")),
        "signups": SignUp.objects.count(),
        "rewards": list(Reward.objects.order_by("pk").values_list("pk", "stock")),
        "redemptions": Redemption.objects.count(),
        "volunteering": (RoleAppointment.objects.count(), VolunteerService.objects.count()),
        "wishes": list(Wish.objects.order_by("pk").values_list("pk", "status", "updated_at")),
        "wish_history": WishStatusChange.objects.count(),
        "donors": list(Donor.objects.order_by("pk").values_list("pk", "verified_at")),
        "claims": list(Claim.objects.order_by("pk").values_list("pk", "status", "updated_at")),
        "claim_lines": ClaimLine.objects.count(),
    }


def test_demo_network_matches_the_seeds_and_a_second_run_changes_nothing():
    call_command("load_demo", verbosity=0)
    assert (
        Station.objects.filter(area__code__startswith="621002", brand__code="nuanfeng").count()
        == 19
    )
    assert (
        Station.objects.filter(area__code__startswith="370602001").count() == 21
    )  # 18 + 3 grid shops
    assert Station.objects.filter(name="旭升社区爱心驿站", brand__code="aixin").exists()
    keeper_grant = StaffGrant.objects.get(user__username="keeper_beidajie")
    assert list(stations_kept(grant=keeper_grant).values_list("name", flat=True)) == [
        "暖峰港湾·北大街社区"
    ]
    funnel = selectors.campaign_funnel(InvitationCampaign.objects.get(name="喊你回家 召集令"))
    total = selectors.funnel_totals(funnel)[0]
    assert (total.issued, total.sent, total.opened, total.registered) == (101, 61, 10, 2)
    # A week of visits by name, and the keepers' counts of visitors without names.
    assert CheckIn.objects.filter(worker__isnull=False).count() > 10
    kept = CheckIn.objects.get(station=stations_kept(grant=keeper_grant).get(), worker__isnull=True)
    assert kept.source == CheckIn.Source.KEEPER and kept.visitors > 1
    # Xifeng's points rules, and the paper ledger's points of its approved workers.
    assert PointsRule.objects.filter(area__code="621002000000").count() == 7
    # Upcoming activities at the stations, and last week's training with its attendance:
    # Xifeng's two approved workers came and earned its 5 training points on top of the 20.
    assert Activity.objects.filter(status="published").count() == 4
    assert SignUp.objects.filter(status="attended").count() == 2
    # One of them redeemed a 保温杯 (20) to pick up at 北大街, whose keeper sees it waiting;
    # the third approved worker (waiting to move to the next community) has the ledger's 20.
    # Three riders' reports were accepted (feedback's demo): 3 points each, by Xifeng's rule.
    assert sorted(PointsAccount.objects.values_list("balance", flat=True)) == [3, 8, 23, 25]
    waiting = Redemption.objects.get(status="reserved")
    assert waiting.station == stations_kept(grant=keeper_grant).get()
    # A grid worker, and an 爱心送考 waiting for verification.
    assert RoleAppointment.objects.filter(role="grid_worker").count() == 1
    assert VolunteerService.objects.get().status == "reported"
    before = snapshot()
    call_command("load_demo", verbosity=0)
    assert snapshot() == before
