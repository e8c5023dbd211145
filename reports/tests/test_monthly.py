"""The monthly report (月报, issue 13 §3): the workbook in the government layout holds the
figures the rollups hold, a community's rows are its stations, the total counts a worker
once, party columns reach party-affairs staff only, no area name becomes a formula; a
district submits a finished month once and the city sees who and when, the submitted copy
kept as it was while the figures stay live; every refusal, in words, changing nothing;
the pages scoped by the area trio; a large area made by a real Celery worker."""

import datetime as dt
import hashlib
import io
import time

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.functional import empty
from openpyxl import load_workbook

from areas.models import StaffGrant
from areas.tests.factories import AreaFactory, UserFactory
from core import private_files
from core.exceptions import ApplicationError
from members.models import Worker
from members.tests.factories import WorkerFactory
from party.tests.factories import PartyMemberFactory
from reports import monthly, monthly_services, services
from reports.models import MonthlyReport
from reports.periods import Period, PeriodKind
from stations.models import CheckIn
from stations.tests.factories import StationFactory

LOCAL = timezone.get_default_timezone()
THIS_MONTH = Period.containing(PeriodKind.MONTH, timezone.localdate())
LAST_MONTH = THIS_MONTH.previous()
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path, monkeypatch):
    """Private files in the test's own folder (a worker started after this finds it too)."""
    folder = tmp_path / "private"
    settings.PRIVATE_MEDIA_ROOT = folder
    monkeypatch.setenv("PRIVATE_MEDIA_ROOT", str(folder))
    private_files.private_storage._wrapped = empty
    yield folder
    private_files.private_storage._wrapped = empty


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LOCAL)


def check_in(station, worker=None, *, when=None, visitors=1) -> CheckIn:
    return CheckIn.objects.create(
        station=station,
        worker=worker,
        at=when or timezone.now(),
        visitors=visitors,
        source=CheckIn.Source.KEEPER if worker is None else CheckIn.Source.PHONE,
    )


@pytest.fixture
def network(tree):
    """District A this month: community 甲 with stations 1 and 2, community 乙 with
    station 3. Worker w1 (甲) checks in at stations 1 and 2, w2 (甲) at station 3 with a
    keeper's count of 3 anonymous visitors there; w1 and w2 approved, w3 (乙) waiting."""
    c1, c2 = tree.a["community"], tree.a["community2"]
    s1, s2, s3 = (
        StationFactory(area=c1, name="一号站"),
        StationFactory(area=c1, name="二号站"),
        StationFactory(area=c2, name="三号站"),
    )
    now = timezone.now()
    w1 = WorkerFactory(area=c1, status=Worker.Status.APPROVED, approved_at=now)
    w2 = WorkerFactory(area=c1, status=Worker.Status.APPROVED, approved_at=now)
    WorkerFactory(area=c2, status=Worker.Status.PENDING)
    check_in(s1, w1)
    check_in(s2, w1)
    check_in(s3, w2)
    check_in(s3, visitors=3)
    services.roll_up_all()
    return {"stations": (s1, s2, s3), "workers": (w1, w2)}


def sheet_of(field_file):
    with field_file.open("rb") as stored:
        return load_workbook(io.BytesIO(stored.read())).active


def by_header(sheet, row: int) -> dict:
    headers = [cell.value for cell in sheet[3]]
    return dict(zip(headers, [cell.value for cell in sheet[row]], strict=True))


def generate(user, area, month=THIS_MONTH) -> MonthlyReport:
    return monthly_services.monthly_report_generate(actor=user, area=area, month=month)


def party_staff_of(area) -> object:
    user = UserFactory(username="party_a")
    StaffGrant.objects.create(
        user=user, area=area, role=StaffGrant.Role.DISTRICT_DEPARTMENT, party_affairs=True
    )
    return user


# The workbook -------------------------------------------------------------------------------


def test_the_workbook_holds_the_rollups_figures_in_the_government_layout(trio, network):
    district = trio.tree.a["district"]
    report = generate(trio.staff_a, district)
    assert report.generation == MonthlyReport.Generation.READY and report.version == 1
    sheet = sheet_of(report.file)

    assert sheet["A1"].value == "西峰区新就业群体暖心服务月报"
    assert "A1:" in str(sheet.merged_cells)  # the title spans the table
    unit_line = [cell.value for cell in sheet[2] if cell.value]
    assert unit_line[0] == "填报单位：西峰区"
    assert unit_line[1] == f"统计期间：{THIS_MONTH.start.year}年{THIS_MONTH.start.month}月"
    assert unit_line[2].startswith("填报日期：")
    headers = [cell.value for cell in sheet[3]]
    assert headers[:4] == ["序号", "街道（乡镇）", "驿站数（个）", "六有达标驿站（个）"]
    assert [c.header for c in monthly.COLUMNS if not monthly.is_party_column(c)] == headers[2:]
    assert "党员人数（人，月末）" not in headers  # the copy without party columns

    street = by_header(sheet, 4)
    assert street["序号"] == 1 and street["街道（乡镇）"] == "西峰区一街道"
    assert street["驿站数（个）"] == 3
    assert street["到访人次"] == 6  # 1 + 1 + 1 named, 3 counted by the keeper
    assert street["签到人数（人）"] == 2
    assert street["新增报到（人）"] == 3
    assert street["审核通过（人）"] == 2
    assert street["待审核（人，月末）"] == 1
    total = by_header(sheet, 5)
    assert total["序号"] is None and total["街道（乡镇）"] == "合计"
    assert total["到访人次"] == 6 and total["签到人数（人）"] == 2 and total["驿站数（个）"] == 3
    assert sheet["A5"].font.bold
    assert sheet["A7"].value.startswith("说明：合计为本单位的数字")
    assert sheet.freeze_panes == "A4"

    # The table the pages show is the same figures.
    table = report.table
    assert table["rows"][0]["values"]["stations.visits"] == 6
    assert table["total"]["stations.workers_checked_in"] == 2


def test_a_communitys_rows_are_its_stations_and_its_total_counts_a_worker_once(trio, network):
    report = generate(trio.staff_a, trio.tree.a["community"])
    sheet = sheet_of(report.file)
    assert sheet["B3"].value == "驿站"
    one, two, total = by_header(sheet, 4), by_header(sheet, 5), by_header(sheet, 6)
    assert (one["驿站"], two["驿站"], total["驿站"]) == ("一号站", "二号站", "合计")
    assert one["到访人次"] == 1 and one["签到人数（人）"] == 1 and one["驿站数（个）"] == 1
    # Not counted by station: said so, and counted in the community's total.
    assert one["新增报到（人）"] == monthly.NOT_COUNTED and total["新增报到（人）"] == 2
    # w1 checked in at both stations: one person in the total, not two.
    assert one["签到人数（人）"] + two["签到人数（人）"] == 2
    assert total["签到人数（人）"] == 1 and total["到访人次"] == 2


def test_party_columns_reach_party_affairs_staff_only(client, trio, network):
    district = trio.tree.a["district"]
    PartyMemberFactory(worker=network["workers"][0])
    services.roll_up_all()
    party = party_staff_of(district)
    report = generate(trio.staff_a, district)

    with_party = [cell.value for cell in sheet_of(report.party_file)[3]]
    assert "党员人数（人，月末）" in with_party and "三管覆盖率（%）" in with_party
    assert by_header(sheet_of(report.party_file), 5)["党员人数（人，月末）"] == 1

    month_page = f"/dashboard/{district.code}/monthly/{THIS_MONTH.code}/"
    client.force_login(trio.staff_a)
    assert "党员人数" not in client.get(month_page).content.decode()
    assert "党员人数" not in client.get(month_page + "print/").content.decode()
    download = client.get(month_page + "download/")
    headers = [c.value for c in load_workbook(io.BytesIO(b"".join(download))).active[3]]
    assert "党员人数（人，月末）" not in headers
    assert client.get(private_files.url_for(report.party_file.name)).status_code == 404
    assert client.get(private_files.url_for(report.file.name)).status_code == 200

    client.force_login(party)
    assert "党员人数" in client.get(month_page).content.decode()
    assert "党员人数" in client.get(month_page + "print/").content.decode()
    download = client.get(month_page + "download/")
    headers = [c.value for c in load_workbook(io.BytesIO(b"".join(download))).active[3]]
    assert "党员人数（人，月末）" in headers
    assert client.get(private_files.url_for(report.party_file.name)).status_code == 200


def test_no_area_name_becomes_a_formula(trio, network):
    evil = '=HYPERLINK("http://example.com/x","点我")'
    street = AreaFactory(
        code="621002002000", name=evil, level="street", parent=trio.tree.a["district"]
    )
    AreaFactory(code="621002002001", name="+1+1", level="community", parent=street)
    for area in (trio.tree.a["district"], street):
        report = generate(trio.staff_a, area)
        for field in (report.file, report.party_file):
            sheet = sheet_of(field)
            cells = [cell for line in sheet.iter_rows() for cell in line]
            assert not [c.coordinate for c in cells if c.data_type == "f"]
            texts = {c.value for c in cells}
            assert evil in texts or f"{evil}新就业群体暖心服务月报" in texts


# Submitting -----------------------------------------------------------------------------------


def test_a_district_submits_a_finished_month_and_the_city_sees_who_and_when(client, trio):
    district_a = trio.tree.a["district"]
    report = generate(trio.staff_a, district_a, LAST_MONTH)
    submitted = monthly_services.monthly_report_submit(
        actor=trio.staff_a, area=district_a, month=LAST_MONTH, version=report.version
    )
    assert submitted.is_submitted and submitted.submitted_by == trio.staff_a
    assert submitted.submitted_at and submitted.submitted_table == report.table

    client.force_login(trio.city)
    page = client.get(
        f"/dashboard/{trio.tree.city.code}/monthly/{LAST_MONTH.code}/areas/", **ENGLISH
    )
    assert page.status_code == 200
    text = page.content.decode()
    row_a = text[text.index("西峰区") : text.index("庆城县")]
    assert "Submitted" in row_a and "staff_a" in row_a
    assert timezone.localtime(submitted.submitted_at).strftime("%Y") in row_a
    row_b = text[text.index("庆城县") :]
    assert "Not made yet" in row_b and "staff_a" not in row_b
    assert "1 of 2 areas have submitted." in text
    copy = client.get(f"/dashboard/{district_a.code}/monthly/{LAST_MONTH.code}/submitted/download/")
    assert copy.status_code == 200 and copy["Content-Disposition"].startswith("attachment")


def test_the_submitted_copy_stays_as_it_was_while_the_figures_stay_live(client, trio, tree):
    district, community = trio.tree.a["district"], trio.tree.a["community"]
    station = StationFactory(area=community)
    check_in(station, visitors=2, when=at(LAST_MONTH.start + dt.timedelta(days=3)))
    services.roll_up_all()
    report = generate(trio.staff_a, district, LAST_MONTH)
    monthly_services.monthly_report_submit(
        actor=trio.staff_a, area=district, month=LAST_MONTH, version=report.version
    )
    report.refresh_from_db()
    with report.submitted_file.open("rb") as stored:
        kept = hashlib.sha256(stored.read()).hexdigest()
    assert report.submitted_table["total"]["stations.visits"] == 2

    # A late entry for that month, rolled up; the report made again shows it.
    check_in(station, visitors=5, when=at(LAST_MONTH.start + dt.timedelta(days=9)))
    services.roll_up_all()
    again = generate(trio.staff_a, district, LAST_MONTH)
    assert again.version == 2 and again.table["total"]["stations.visits"] == 7
    assert again.is_submitted and again.submitted_table["total"]["stations.visits"] == 2
    with again.submitted_file.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == kept
    assert by_header(sheet_of(again.submitted_file), 5)["到访人次"] == 2
    assert by_header(sheet_of(again.file), 5)["到访人次"] == 7

    client.force_login(trio.staff_a)
    base = f"/dashboard/{district.code}/monthly/{LAST_MONTH.code}/"
    downloaded = b"".join(client.get(base + "submitted/download/"))
    assert hashlib.sha256(downloaded).hexdigest() == kept
    assert ">2<" in client.get(base + "submitted/print/").content.decode()
    assert ">7<" in client.get(base + "print/").content.decode()


def _unchanged(report_before: MonthlyReport) -> None:
    after = MonthlyReport.objects.get(pk=report_before.pk)
    assert (after.status, after.submitted_by, after.submitted_file.name) == (
        report_before.status,
        report_before.submitted_by,
        report_before.submitted_file.name,
    )


def test_submitting_is_refused_in_words_and_changes_nothing(trio):
    district = trio.tree.a["district"]
    submit = monthly_services.monthly_report_submit

    # Nothing made yet.
    with pytest.raises(ApplicationError, match="Make the report first"):
        submit(actor=trio.staff_a, area=district, month=LAST_MONTH, version=0)
    assert not MonthlyReport.objects.exists()

    # A month not over yet.
    current = generate(trio.staff_a, district, THIS_MONTH)
    with pytest.raises(ApplicationError, match="is not over yet"):
        submit(actor=trio.staff_a, area=district, month=THIS_MONTH, version=current.version)
    _unchanged(current)

    report = generate(trio.staff_a, district, LAST_MONTH)
    # Someone who only reads there: 403 with the reason; an outsider: 404.
    with pytest.raises(PermissionDenied, match="not submit them"):
        submit(actor=trio.viewer_a, area=district, month=LAST_MONTH, version=report.version)
    with pytest.raises(Http404):
        submit(actor=trio.staff_b, area=district, month=LAST_MONTH, version=report.version)
    # A copy other than the one the submitter looked at.
    with pytest.raises(ApplicationError, match="made again after you opened"):
        submit(actor=trio.staff_a, area=district, month=LAST_MONTH, version=report.version + 1)
    # A copy made before the month was over.
    MonthlyReport.objects.filter(pk=report.pk).update(
        generated_at=at(LAST_MONTH.end - dt.timedelta(days=2))
    )
    with pytest.raises(ApplicationError, match="before the month was over"):
        submit(actor=trio.staff_a, area=district, month=LAST_MONTH, version=report.version)
    # A copy being made.
    MonthlyReport.objects.filter(pk=report.pk).update(
        generated_at=timezone.now(), generation=MonthlyReport.Generation.RUNNING
    )
    with pytest.raises(ApplicationError, match="being made again"):
        submit(actor=trio.staff_a, area=district, month=LAST_MONTH, version=report.version)
    _unchanged(report)
    MonthlyReport.objects.filter(pk=report.pk).update(generation=MonthlyReport.Generation.READY)

    # Submitted once; a second time is refused and names who did it.
    submit(actor=trio.staff_a, area=district, month=LAST_MONTH, version=report.version)
    report.refresh_from_db()
    with pytest.raises(ApplicationError, match="already submitted by staff_a"):
        submit(actor=trio.city, area=district, month=LAST_MONTH, version=report.version)
    _unchanged(report)


def test_making_a_report_is_refused_for_a_month_to_come_and_outside_reach(trio):
    district = trio.tree.a["district"]
    with pytest.raises(ApplicationError, match="has not begun yet"):
        generate(trio.staff_a, district, THIS_MONTH.next())
    with pytest.raises(Http404):
        generate(trio.staff_b, district, LAST_MONTH)
    assert not MonthlyReport.objects.exists()


def test_a_report_asked_for_twice_while_being_made_is_made_once(trio, monkeypatch):
    district = trio.tree.a["district"]
    monkeypatch.setattr(monthly_services, "INLINE_ROWS", -1)  # queue, with no worker
    first = generate(trio.staff_a, district, LAST_MONTH)
    second = generate(trio.viewer_a, district, LAST_MONTH)
    assert first.pk == second.pk and second.generation == MonthlyReport.Generation.QUEUED
    assert second.requested_by == trio.staff_a  # the second asking changed nothing
    from core.models import OutboxJob

    assert OutboxJob.objects.filter(task="reports.tasks.generate_monthly_report").count() == 1
    # The task's body, delivered twice: one copy.
    monthly_services.run_generation(first.pk)
    monthly_services.run_generation(first.pk)
    first.refresh_from_db()
    assert first.generation == MonthlyReport.Generation.READY and first.version == 1


def test_a_report_that_fails_to_be_made_says_so_and_keeps_the_copy_before(
    client, trio, monkeypatch
):
    district = trio.tree.a["district"]
    before = generate(trio.staff_a, district, LAST_MONTH)

    def disk_full(table, *, party):
        raise OSError("No space left on device")

    monkeypatch.setattr(monthly, "workbook", disk_full)
    failed = generate(trio.staff_a, district, LAST_MONTH)
    assert failed.generation == MonthlyReport.Generation.FAILED
    assert (failed.version, failed.file.name) == (before.version, before.file.name)
    client.force_login(trio.staff_a)
    page = client.get(f"/dashboard/{district.code}/monthly/{LAST_MONTH.code}/", **ENGLISH)
    assert page.status_code == 200 and "Making the report failed" in page.content.decode()


# Pages and the area trio ---------------------------------------------------------------------


def _pages(area) -> list[str]:
    base = f"/dashboard/{area.code}/monthly/"
    month = f"{base}{LAST_MONTH.code}/"
    return [
        base,
        month,
        month + "print/",
        month + "download/",
        month + "submitted/print/",
        month + "submitted/download/",
        month + "areas/",
    ]


def test_the_area_trio_on_the_pages(client, trio):
    district_a, district_b = trio.tree.a["district"], trio.tree.b["district"]
    base = f"/dashboard/{district_a.code}/monthly/{LAST_MONTH.code}/"

    client.force_login(trio.staff_a)
    assert client.get(base).status_code == 200
    made = client.post(base + "generate/")
    assert made.status_code == 302 and made["Location"] == base
    report = MonthlyReport.objects.get(area=district_a)
    page = client.get(base, **ENGLISH).content.decode()
    assert 'name="version"' in page and "Submit this copy" in page

    client.force_login(trio.viewer_a)
    page = client.get(base, **ENGLISH).content.decode()
    assert 'name="version"' not in page and "may read this area" in page
    assert client.get(base + "download/").status_code == 200
    assert client.get(base + "print/").status_code == 200
    refused = client.post(base + "submit/", {"version": report.version}, **ENGLISH)
    assert refused.status_code == 403 and "not submit them" in refused.content.decode()
    report.refresh_from_db()
    assert not report.is_submitted

    client.force_login(trio.staff_b)
    for url in _pages(district_a):
        assert client.get(url).status_code == 404, url
    assert client.post(base + "generate/").status_code == 404
    assert client.post(base + "submit/", {"version": report.version}).status_code == 404
    assert client.get(private_files.url_for(report.file.name)).status_code == 404
    assert client.get(f"/dashboard/{district_b.code}/monthly/").status_code == 200

    client.force_login(trio.staff_a)
    done = client.post(base + "submit/", {"version": report.version})
    assert done.status_code == 302
    assert client.get(private_files.url_for(report.file.name)).status_code == 200

    client.force_login(trio.city)
    for url in _pages(district_a) + _pages(district_b)[:2]:
        assert client.get(url).status_code == 200, url
    city_view = client.get(f"/dashboard/{trio.tree.city.code}/monthly/{LAST_MONTH.code}/areas/")
    assert city_view.status_code == 200
    assert [c.report.is_submitted if c.report else None for c in city_view.context["children"]] == [
        True,
        None,
    ]


def test_signed_out_goes_to_sign_in_and_non_staff_get_404(client, trio, django_user_model):
    url = f"/dashboard/{trio.tree.a['district'].code}/monthly/"
    signed_out = client.get(url)
    assert signed_out.status_code == 302 and "/login/" in signed_out["Location"]
    client.force_login(django_user_model.objects.create(username="not-staff", is_staff=False))
    assert client.get(url).status_code == 404


def test_a_bad_month_or_area_in_the_address_is_404_and_a_refusal_is_shown(client, trio):
    client.force_login(trio.staff_a)
    district = trio.tree.a["district"]
    for month in ("2026-13", "2026-1", "abc", "2026-W01", "9999-01"):
        assert client.get(f"/dashboard/{district.code}/monthly/{month}/").status_code == 404
    assert client.get("/dashboard/999999999999/monthly/").status_code == 404
    future = client.post(
        f"/dashboard/{district.code}/monthly/{THIS_MONTH.next().code}/generate/", **ENGLISH
    )
    assert future.status_code == 400 and "has not begun yet" in future.content.decode()
    not_over = client.post(
        f"/dashboard/{district.code}/monthly/{THIS_MONTH.code}/submit/", {"version": "x"}, **ENGLISH
    )
    assert not_over.status_code == 400 and "is not over yet" in not_over.content.decode()
    assert not MonthlyReport.objects.exists()


def test_the_page_shows_progress_while_a_report_is_being_made(client, trio):
    district = trio.tree.a["district"]
    MonthlyReport.objects.create(
        area=district,
        month=LAST_MONTH.start,
        generation=MonthlyReport.Generation.RUNNING,
        progress=40,
        requested_at=timezone.now(),
    )
    client.force_login(trio.viewer_a)
    page = client.get(f"/dashboard/{district.code}/monthly/{LAST_MONTH.code}/").content.decode()
    assert '<progress max="100" value="40">' in page and 'http-equiv="refresh"' in page
    assert "/generate/" not in page  # no second asking while it is being made


# A real Celery worker ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_large_area_is_made_by_a_worker_with_progress(
    trio, private_root, monkeypatch, celery_worker_process
):
    monkeypatch.setattr(monthly_services, "INLINE_ROWS", 0)  # every area is "large"
    district = trio.tree.a["district"]
    station = StationFactory(area=trio.tree.a["community"])
    check_in(station, visitors=4)
    services.roll_up_all()

    report = generate(trio.staff_a, district, THIS_MONTH)
    assert report.generation == MonthlyReport.Generation.QUEUED
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.generation in (MonthlyReport.Generation.READY, MonthlyReport.Generation.FAILED):
            break
        time.sleep(0.3)
    assert report.generation == MonthlyReport.Generation.READY
    assert report.progress == 100 and report.version == 1
    assert (private_root / report.file.name).exists()
    assert by_header(sheet_of(report.file), 5)["到访人次"] == 4
