import factory
from django.utils import timezone

from core.identifiers import id_number_check_char
from members.models import ConsentEvent, Enterprise, Occupation, Outlet, Worker
from members.phone_login import SESSION_PHONE
from members.services import PRIVACY_NOTICE_VERSION


def phone_logged_in(client, phone: str):
    """The test client as a phone that has logged in by SMS code with `phone` (the session
    the code login leaves), for the phone pages of every app."""
    session = client.session
    session[SESSION_PHONE] = phone
    session.save()
    return client


def valid_id_number(serial: int, born: str = "19900101", area: str = "621002") -> str:
    """A resident ID number with a correct check digit (GB 11643)."""
    first17 = f"{area}{born}{serial % 1000:03d}"
    return first17 + id_number_check_char(first17)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"顺达快递{n}")
    kind = Enterprise.Kind.EXPRESS


class OutletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outlet

    enterprise = factory.SubFactory(EnterpriseFactory, area=factory.SelfAttribute("..area"))
    name = factory.Sequence(lambda n: f"{n}号网点")
    kind = Outlet.Kind.EXPRESS_OUTLET
    worker_count = 10


SELF_REGISTERED = (Worker.Source.SELF, Worker.Source.INVITATION)


class WorkerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Worker
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"张{n}")
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    occupation = Occupation.COURIER
    source = Worker.Source.SELF
    privacy_notice_version = PRIVACY_NOTICE_VERSION
    consented_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def consent_history(obj, create, extracted, **kwargs):
        """A worker who registered themselves agreed to the notice on their phone, as
        services.worker_register_on_phone records; staff and imported registrations never
        did (they are asked at their first login)."""
        if create and obj.privacy_notice_version and obj.source in SELF_REGISTERED:
            ConsentEvent.objects.create(
                worker=obj,
                kind=ConsentEvent.Kind.NOTICE_ACCEPTED,
                notice_version=obj.privacy_notice_version,
                at=obj.consented_at,
            )
