"""Open311 GeoReport v2 (issue 16 §5), driven as a client of the spec would: discover the
district's services and a definition, post a request with an API key, read it back by id,
by the spec's filters and in pages, in JSON and XML; refusals in the spec's error list."""

import xml.etree.ElementTree as ET

import pytest
from django.contrib.gis.geos import Point

from feedback import services
from feedback.models import Case
from members.models import Worker
from members.tests.factories import WorkerFactory
from stations.tests.factories import StationFactory

from .factories import give_boundary, report

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"


@pytest.fixture
def xifeng(trio):
    give_boundary(trio.tree.a["community"], 107.60, 35.70)
    return trio.tree.a


@pytest.fixture
def key(trio, xifeng):
    _partner, made = services.partner_create(
        actor=trio.staff_a, area=xifeng["district"], name="庆阳市12345热线"
    )
    return made


def _post(client, key, **overrides):
    body = {
        "api_key": key,
        "jurisdiction_id": "621002",
        "service_code": "blocked-lane",
        "lat": "35.705",
        "long": "107.605",
        "description": "解放路人行道被占用",
        "attribute[external_id]": "12345-0001",
        **overrides,
    }
    return client.post(f"{BASE}/requests.json", body)


def test_a_client_discovers_services_and_a_definition(client, xifeng):
    services_list = client.get(f"{BASE}/services.json?jurisdiction_id=621002").json()
    codes = {s["service_code"] for s in services_list}
    assert {"flying-wire", "blocked-lane", "rest"} <= codes
    first = services_list[0]
    assert set(first) >= {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }
    definition = client.get(f"{BASE}/services/blocked-lane.json?jurisdiction_id=621002").json()
    assert definition["service_code"] == "blocked-lane"
    assert {a["code"] for a in definition["attributes"]} == {"priority", "external_id"}
    root = ET.fromstring(client.get(f"{BASE}/services.xml?jurisdiction_id=621002").content)
    assert root.tag == "services" and root.find("service/service_code") is not None


def test_a_partner_posts_a_request_and_reads_it_back(client, key, xifeng):
    answer = _post(client, key)
    assert answer.status_code == 201, answer.content
    body = answer.json()[0]
    case = Case.objects.get(pk=body["service_request_id"])
    assert (case.source, case.area, case.responsible_area) == (
        "partner",
        xifeng["community"],
        xifeng["street"],
    )
    assert _post(client, key).status_code == 200 and Case.objects.count() == 1  # a retry
    one = client.get(f"{BASE}/requests/{case.pk}.json?api_key={key}").json()[0]
    assert (one["status"], one["service_code"], one["lat"]) == ("open", "blocked-lane", 35.705)
    assert one["status_notes"] and one["expected_datetime"]
    root = ET.fromstring(client.get(f"{BASE}/requests/{case.pk}.xml?api_key={key}").content)
    assert root.tag == "service_requests" and root.find("request/status").text == "open"


def test_statuses_map_to_open_and_closed_with_the_detail_in_the_notes(client, trio, key, xifeng):
    case = Case.objects.get(pk=_post(client, key).json()[0]["service_request_id"])
    services.case_accept(actor=trio.staff_a, case=case)
    services.case_resolve(actor=trio.staff_a, case=case, answer="已清理占道车辆")
    row = client.get(f"{BASE}/requests/{case.pk}.json?api_key={key}").json()[0]
    assert row["status"] == "closed" and "已清理占道车辆" in row["status_notes"]
    assert client.get(f"{BASE}/requests.json?api_key={key}&status=open").json() == []
    assert len(client.get(f"{BASE}/requests.json?api_key={key}&status=closed").json()) == 1


def test_the_list_filters_and_pages_as_the_spec_says(client, key, xifeng):
    for n in range(5):
        _post(client, key, **{"attribute[external_id]": f"n{n}", "description": f"第{n}起"})
    _post(client, key, service_code="flying-wire", **{"attribute[external_id]": "wire"})
    rows = client.get(f"{BASE}/requests.json?api_key={key}&service_code=blocked-lane").json()
    assert len(rows) == 5
    first = client.get(f"{BASE}/requests.json?api_key={key}&page_size=4&page=1").json()
    second = client.get(f"{BASE}/requests.json?api_key={key}&page_size=4&page=2").json()
    assert len(first) == 4 and len(second) == 2
    assert not {r["service_request_id"] for r in first} & {r["service_request_id"] for r in second}
    ids = ",".join(r["service_request_id"] for r in first[:2])
    assert (
        len(client.get(f"{BASE}/requests.json?api_key={key}&service_request_id={ids}").json()) == 2
    )
    assert (
        client.get(f"{BASE}/requests.json?api_key={key}&start_date=2099-01-01T00:00:00Z").json()
        == []
    )


def test_without_a_key_only_public_cases_show_masked(client, trio, key, xifeng):
    worker = WorkerFactory(area=xifeng["community"], status=Worker.Status.APPROVED, name="王小明")
    station = StationFactory(area=xifeng["community"], location=Point(107.605, 35.705, srid=4326))
    hidden = report(worker, station=station, text="楼道飞线")
    shown = report(worker, station=station, code="blocked-lane", text="路口占道", public=True)
    rows = client.get(f"{BASE}/requests.json").json()
    assert [r["service_request_id"] for r in rows] == [str(shown.pk)]
    assert "王小明" not in str(rows)
    assert client.get(f"{BASE}/requests/{hidden.pk}.json").status_code == 404
    partner_rows = client.get(f"{BASE}/requests.json?api_key={key}").json()
    assert {r["service_request_id"] for r in partner_rows} == {str(hidden.pk), str(shown.pk)}


@pytest.mark.parametrize(
    "overrides, status",
    [
        ({"api_key": ""}, 403),
        ({"api_key": "not-a-key"}, 403),
        ({"service_code": "nothing-like-it"}, 404),
        ({"jurisdiction_id": "999999"}, 404),
        ({"lat": "", "long": ""}, 400),
        ({"lat": "39.90", "long": "116.40"}, 400),  # Beijing: outside
        ({"description": ""}, 400),
        ({"attribute[priority]": "whenever"}, 400),
    ],
)
def test_refusals_are_the_specs_error_list_and_change_nothing(client, key, overrides, status):
    answer = _post(client, key, **overrides)
    assert answer.status_code == status, answer.content
    error = answer.json()[0]
    assert error["code"] == status and error["description"]
    assert not Case.objects.exists()


def test_a_partner_cannot_post_outside_its_area(client, trio, xifeng):
    _partner, other_key = services.partner_create(
        actor=trio.staff_b, area=trio.tree.b["district"], name="庆城县热线"
    )
    answer = _post(client, other_key, jurisdiction_id="621002")
    assert answer.status_code == 400 and not Case.objects.exists()


def test_a_turned_off_partners_key_stops_working(client, trio, key, xifeng):
    partner = services.partner_for_key(key)
    services.partner_turn_off(actor=trio.staff_a, partner=partner)
    assert _post(client, key).status_code == 403


def test_formats_other_than_json_and_xml_are_refused(client, xifeng):
    assert client.get(f"{BASE}/services.csv?jurisdiction_id=621002").status_code == 404
    assert client.get(f"{BASE}/services.json").status_code == 400  # no jurisdiction
