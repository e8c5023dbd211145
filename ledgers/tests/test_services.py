"""The ledger engine itself, with a ledger of its own (no app's rules): whole files refused
with a reason and nothing kept, the header row found under a title, aliases and our own
export columns understood, the dry run writing nothing, the decision to import all rows or
explicitly only the valid ones, the area trio. Each app's own ledgers are tested with the
app (members/tests/test_ledgers.py)."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from openpyxl import load_workbook

from core.exceptions import ApplicationError
from ledgers import services
from ledgers.models import ImportJob

from .factories import NoticeChecker, xlsx

pytestmark = pytest.mark.django_db


def upload(actor, area, content, filename="告示.xlsx"):
    return services.import_upload(
        actor=actor, kind="test-notices", area=area, filename=filename, content=content
    )


@pytest.mark.parametrize(
    "filename, content, message",
    [
        ("告示.csv", b"a,b\n", "Only .xlsx"),
        ("告示.xlsx", b"", "empty"),
        ("告示.xlsx", b"PK\x03\x04 not really a zip", "not an .xlsx"),
        ("告示.xlsx", b"just text", "not an .xlsx"),
    ],
)
def test_what_is_not_an_xlsx_file_is_refused_and_nothing_kept(trio, filename, content, message):
    with pytest.raises(ApplicationError, match=message):
        upload(trio.staff_a, trio.tree.a["district"], content, filename=filename)
    assert not ImportJob.objects.exists()


def test_unknown_and_missing_columns_are_named(trio):
    with pytest.raises(ApplicationError) as refused:
        upload(trio.staff_a, trio.tree.a["district"], xlsx(["说明", "车牌号"], [["x", "y"]]))
    assert "车牌号" in refused.value.message and "名称" in refused.value.message
    assert not ImportJob.objects.exists()


def test_a_file_without_rows_or_headers_is_refused(trio):
    district = trio.tree.a["district"]
    with pytest.raises(ApplicationError, match="no rows"):
        upload(trio.staff_a, district, xlsx(["名称"], [[], []]))
    with pytest.raises(ApplicationError, match="No column headers"):
        upload(trio.staff_a, district, xlsx(["a", "b"], [[1, 2]], title=False))


def test_only_staff_who_write_in_the_area_upload(trio):
    content = xlsx(["名称"], [["热水"]])
    with pytest.raises(PermissionDenied):
        upload(trio.viewer_a, trio.tree.a["district"], content)
    with pytest.raises(Http404):
        upload(trio.staff_b, trio.tree.a["district"], content)
    assert not ImportJob.objects.exists()


def test_the_dry_run_writes_nothing_then_the_valid_rows_go_in_only_when_asked(trio):
    rows = [[1, "热水", "全天"], [2, "", "无名"], [3, "热水", "重复"], [4, "充电", ""]]
    job = upload(trio.staff_a, trio.tree.a["district"], xlsx(["序号", "名称", "说明"], rows))
    job.refresh_from_db()
    assert (job.status, job.valid_rows, job.error_rows) == (ImportJob.Status.CHECKED, 2, 2)
    assert [e["row"] for e in job.errors] == [5, 6]  # the file's own row numbers
    assert "与第4行重复" in job.errors[1]["messages"]
    assert NoticeChecker.written == []
    with pytest.raises(ApplicationError):
        services.import_commit(actor=trio.staff_a, job=job, skip_invalid=False)
    with pytest.raises(PermissionDenied):
        services.import_commit(actor=trio.viewer_a, job=job, skip_invalid=True)
    assert NoticeChecker.written == []
    services.import_commit(actor=trio.staff_a, job=job, skip_invalid=True)
    job.refresh_from_db()
    assert (job.status, job.written_rows) == (ImportJob.Status.DONE, 2)
    assert NoticeChecker.written == [("热水", "全天"), ("充电", "")]


def test_the_error_rows_come_back_with_their_reasons(trio):
    content = xlsx(["名称", "备注"], [["热水", ""], [None, "没写名称"]])
    job = upload(trio.staff_a, trio.tree.a["district"], content)
    sheet = load_workbook(io.BytesIO(services.error_rows_xlsx(job))).active
    rows = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert [1, "没写名称", "名称不能为空"] in rows  # 序号, the row as typed, the reason
