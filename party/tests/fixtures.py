"""Party fixtures, registered from the root conftest."""

from types import SimpleNamespace

import pytest

from areas.models import StaffGrant
from party.models import PartyOrg

from .factories import PartyMemberFactory, PartyOrgFactory


@pytest.fixture
def party_trio(trio):
    """The area trio with the party-affairs flag on each grant: party staff of A, a
    read-only party viewer of A, party staff of B. (trio.city has no party flag.)"""
    StaffGrant.objects.filter(user__in=[trio.staff_a, trio.viewer_a, trio.staff_b]).update(
        party_affairs=True
    )
    for user in (trio.staff_a, trio.viewer_a, trio.staff_b):
        user.__dict__.pop("_area_reach", None)
    return trio


@pytest.fixture
def party_a(party_trio):
    """Party work in district A's first community: its community branch (a fallback org),
    an express company's branch, and a member who revealed their membership."""
    tree = party_trio.tree
    community_branch = PartyOrgFactory(
        name="甲社区党支部", area=tree.a["community"], kind=PartyOrg.Kind.BRANCH
    )
    industry = PartyOrgFactory(
        name="快递行业党委", area=tree.a["district"], kind=PartyOrg.Kind.INDUSTRY_COMMITTEE
    )
    member = PartyMemberFactory(worker__area=tree.a["community"], worker__name="党员甲")
    return SimpleNamespace(community_branch=community_branch, industry=industry, member=member)


@pytest.fixture
def party_b(party_trio):
    tree = party_trio.tree
    branch = PartyOrgFactory(name="庆城甲社区党支部", area=tree.b["community"])
    member = PartyMemberFactory(worker__area=tree.b["community"], worker__name="党员乙")
    return SimpleNamespace(community_branch=branch, member=member)
