"""Ledger imports through the API: upload a file, read the check, decide — per the area trio."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.testing import client_for
from ledgers.models import ImportJob

from .factories import NoticeChecker, xlsx

pytestmark = pytest.mark.django_db
URL = "/api/v1/ledger-imports/"


def form(area, rows):
    content = xlsx(["名称", "备注"], rows)
    return {
        "kind": "test-notices",
        "area": area.code,
        "file": SimpleUploadedFile("告示.xlsx", content),
    }


def test_upload_check_and_import_only_the_valid_rows(trio):
    district = trio.tree.a["district"]
    made = client_for(trio.staff_a).post(URL, form(district, [["热水", ""], [None, "无名"]]))
    assert made.status_code == 201, made.content
    job = made.json()
    assert (job["status"], job["valid_rows"], job["error_rows"]) == ("checked", 1, 1)
    assert job["errors"][0]["row"] == 5
    assert NoticeChecker.written == []  # the check writes nothing
    refused = client_for(trio.staff_a).post(f"{URL}{job['id']}/commit/", {}, format="json")
    assert refused.status_code == 400  # rows with errors: only explicitly the valid ones
    done = client_for(trio.staff_a).post(
        f"{URL}{job['id']}/commit/", {"skip_invalid": True}, format="json"
    )
    assert done.status_code == 200 and done.json()["written_rows"] == 1
    assert NoticeChecker.written == [("热水", "")]


def test_the_area_trio(trio):
    district = trio.tree.a["district"]
    assert client_for(trio.viewer_a).post(URL, form(district, [["热水", ""]])).status_code == 403
    # Another district's area is no area: the same 400 as a code that does not exist.
    assert client_for(trio.staff_b).post(URL, form(district, [["热水", ""]])).status_code == 400
    assert not ImportJob.objects.exists()
    job = client_for(trio.staff_a).post(URL, form(district, [["热水", ""]])).json()
    assert client_for(trio.staff_b).get(f"{URL}{job['id']}/").status_code == 404
    assert client_for(trio.viewer_a).get(f"{URL}{job['id']}/").status_code == 200
    assert client_for(trio.viewer_a).post(f"{URL}{job['id']}/cancel/").status_code == 403
    assert client_for(trio.staff_a).post(f"{URL}{job['id']}/cancel/").json()["status"] == (
        "cancelled"
    )


def test_what_is_not_a_ledger_is_refused_in_words(trio):
    bad = {
        "kind": "test-notices",
        "area": trio.tree.a["district"].code,
        "file": SimpleUploadedFile("告示.xlsx", b"just text"),
    }
    response = client_for(trio.staff_a).post(URL, bad)
    assert response.status_code == 400 and "xlsx" in str(response.json())
    assert client_for(trio.staff_a).post(URL, {**bad, "kind": "nope"}).status_code == 400
    assert not ImportJob.objects.exists()


def test_a_file_too_large_is_refused_before_it_is_read(trio, monkeypatch):
    from ledgers import services

    monkeypatch.setattr(services, "MAX_UPLOAD_BYTES", 100)
    response = client_for(trio.staff_a).post(URL, form(trio.tree.a["district"], [["热水", ""]]))
    assert response.status_code == 400 and "file" in response.json()
    assert not ImportJob.objects.exists()
