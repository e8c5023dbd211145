import factory
from django.utils import timezone

from members.models import Worker
from members.tests.factories import WorkerFactory
from party.models import PartyMember, PartyOrg


class PartyOrgFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyOrg

    name = factory.Sequence(lambda n: f"第{n}党支部")
    kind = PartyOrg.Kind.BRANCH


class PartyMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyMember

    worker = factory.SubFactory(
        WorkerFactory,
        political_status=Worker.PoliticalStatus.CPC_MEMBER,
        sensitive_consent_at=factory.LazyFunction(timezone.now),
    )
    registration = PartyMember.Registration.FLOATING
    standing = PartyMember.Standing.FULL
    membership_org_name = "老家村党支部"
    membership_org_place = "河南省周口市"
    revealed_on = factory.LazyFunction(timezone.localdate)
