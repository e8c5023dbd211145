"""The rules of a worker's record (members.rules) hold on every path: the phone and staff
through the service, the API, and an Excel import refuse the same references."""

import pytest

from core.exceptions import ApplicationError
from core.testing import client_for
from ledgers import services as ledgers
from members import selectors, services
from members.models import Worker

from .factories import EnterpriseFactory, OutletFactory, WorkerFactory
from .test_ledgers import WORKER_HEADERS, upload, worker_row, xlsx
from .test_services import register

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(tree):
    """An enterprise and an outlet kept by district B."""
    enterprise = EnterpriseFactory(name="庆城快递", area=tree.b["district"])
    return enterprise, OutletFactory(enterprise=enterprise, area=tree.b["community"])


def test_enterprises_offered_to_a_community_are_its_districts_and_those_above(tree):
    ours = EnterpriseFactory(name="西峰快递", area=tree.a["community2"])
    platform = EnterpriseFactory(name="美团", area=tree.city)
    theirs = EnterpriseFactory(name="庆城快递", area=tree.b["district"])
    offered = set(selectors.enterprises_offered_to(tree.a["community"]))
    assert {ours, platform} <= offered and theirs not in offered


def test_another_districts_employer_is_refused_on_the_phone_and_by_staff(trio, theirs):
    enterprise, outlet = theirs
    with pytest.raises(ApplicationError) as refused:
        register(trio.tree.a["community"], enterprise=enterprise)
    assert "enterprise" in refused.value.fields
    with pytest.raises(ApplicationError) as refused:
        register(trio.tree.a["community"], actor=trio.staff_a, outlet=outlet)
    assert "outlet" in refused.value.fields
    assert not Worker.objects.exists()


def test_residence_is_in_the_same_city(trio, tree):
    from areas.tests.factories import AreaFactory, build_tree

    guangzhou = AreaFactory(code="440100000000", name="广州市", level="city", parent=tree.province)
    elsewhere = build_tree("440103", "荔湾区", guangzhou)["community"]
    with pytest.raises(ApplicationError) as refused:
        register(tree.a["community"], residence_area=elsewhere)
    assert "residence_area" in refused.value.fields
    worker, _created = register(tree.a["community"], residence_area=tree.b["community"])
    assert worker.residence_area == tree.b["community"]  # same city: riders cross districts


def test_the_api_refuses_the_same_reference(trio, theirs, worker_a):
    enterprise, _outlet = theirs
    response = client_for(trio.staff_a).patch(
        f"/api/v1/workers/{worker_a.pk}/", {"enterprise": enterprise.pk}, format="json"
    )
    assert response.status_code == 400 and "enterprise" in response.json()
    worker_a.refresh_from_db()
    assert worker_a.enterprise is None


def test_an_import_refuses_the_same_reference_with_the_same_words(trio, theirs):
    enterprise, _outlet = theirs
    EnterpriseFactory(name=enterprise.name, area=trio.tree.b["community"])
    # Imported by the city department, whose file spans both districts.
    content = xlsx(WORKER_HEADERS, [worker_row(1, community="西峰区甲社区", 用工企业="庆城快递")])
    job = upload(trio.city, trio.tree.city, content)
    assert job.error_rows == 1
    assert "enterprises of your district" in " ".join(job.errors[0]["messages"])
    with pytest.raises(ApplicationError):
        ledgers.import_commit(actor=trio.city, job=job, skip_invalid=False)


def test_a_returned_registration_is_not_corrected_in_place(tree):
    worker = WorkerFactory(area=tree.a["community"], status=Worker.Status.REJECTED)
    with pytest.raises(ApplicationError, match="registering again"):
        services.worker_correct_own(
            worker=worker, details=services.WorkerDetails(name="王二"), given=["name"]
        )
    worker.refresh_from_db()
    assert worker.name != "王二"


def test_an_id_number_is_indexed_the_same_by_save_and_by_an_import(trio):
    worker = WorkerFactory(area=trio.tree.a["community"], id_number="11010519491231002X")
    assert worker.id_number_index == Worker.id_number_index_of("11010519491231002X")
    assert Worker.id_number_index_of("") is None
