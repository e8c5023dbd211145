"""The import pages in the admin, with the engine's own test ledger: upload, review, import;
the errors file needs write access; another district's job does not exist."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ledgers.models import ImportJob

from .factories import NoticeChecker, xlsx

pytestmark = pytest.mark.django_db
UPLOAD = "/admin/ledgers/importjob/upload/"


def test_upload_review_and_import(client, trio):
    client.force_login(trio.staff_a)
    assert "驿站告示台账" in client.get(UPLOAD).content.decode()
    content = xlsx(["名称", "备注"], [["热水", "全天"]])
    response = client.post(
        UPLOAD,
        {
            "kind": "test-notices",
            "area": trio.tree.a["district"].pk,
            "file": SimpleUploadedFile("告示.xlsx", content),
        },
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{job.pk}/review/")
    review = f"/admin/ledgers/importjob/{job.pk}/review/"
    assert "热水" in client.get(review).content.decode()
    client.post(review, {"action": "commit"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and NoticeChecker.written == [("热水", "全天")]


def test_another_districts_job_does_not_exist_and_viewers_only_read(client, trio):
    from .factories import ImportJobFactory

    job = ImportJobFactory(area=trio.tree.a["district"], created_by=trio.staff_a)
    client.force_login(trio.staff_b)
    assert client.get(f"/admin/ledgers/importjob/{job.pk}/review/").status_code == 404
    client.force_login(trio.viewer_a)
    assert client.get(f"/admin/ledgers/importjob/{job.pk}/review/").status_code == 200
    assert client.get(f"/admin/ledgers/importjob/{job.pk}/errors/").status_code == 403
    assert client.get(UPLOAD).status_code == 403
