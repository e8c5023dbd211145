"""The rollup jobs (issue 13 §1): load by key, call a service, own the retries.

- `dispatch` (beat, every ROLLUP_INTERVAL seconds): applies changes of the area tree,
  copies new marks to the units above (a district's city and province), then sends one
  `roll_up_unit` task per unit with dirty marks it can act on: the districts, and their
  city and province, which count people once from the raw rows beside them. A city adds
  its sums up from its districts' figures, so the last district's task sends it again for
  those, and its task the province.
  A unit's task that finds another one running leaves: the marks wait for the next beat,
  nothing is lost.
- `snapshot_states` (beat, just after midnight and hourly): today's snapshot of the facts
  counted as they are now, in every unit, so each day has one even when nothing changed.
- `refresh_coverage` (beat, nightly): the 一刻钟服务圈 of every district and city with
  stations (reports/coverage.py), kept for the pages.
- `verify` (beat, nightly): a sample of buckets against the raw rows; differences are
  logged as errors (`manage.py rollups verify` prints them).
- `count_range_figures` (queued by a page that shows a distinct count over a custom
  range): counts it from the raw rows and keeps it (reports.ranges); the nightly
  `forget_old_range_figures` drops those counted a month ago.
- `generate_monthly_report` (queued through the outbox when someone asks for a large
  area's 月报): makes its table and workbooks, with progress (reports.monthly_services).
"""

from celery import shared_task

from . import ranges, services


@shared_task(name="reports.tasks.dispatch")
def dispatch() -> int:
    services.apply_tree_changes()
    services.pass_marks_up()
    units = services.units_ready(services.units_with_marks(slow=False))
    for unit in units:
        roll_up_unit.delay(unit)
    return len(units)


@shared_task(name="reports.tasks.roll_up_unit")
def roll_up_unit(unit: str) -> dict:
    """One unit's marks; then the units above it that it was holding back (a city waits
    for its districts' days) go at once rather than at the next beat."""
    run = services.roll_up_unit(unit)
    above = [] if run.skipped else services.units_ready(services.units_above(unit))
    for unit_above in above:
        roll_up_unit.delay(unit_above)
    return {
        "unit": run.unit,
        "marks": run.marks,
        "facts": run.facts,
        "skipped": run.skipped,
        "waiting": run.waiting,
        "sent_above": above,
    }


@shared_task(name="reports.tasks.count_range_figures")
def count_range_figures(fact_keys, area_ids, station_ids, spans) -> int:
    """Distinct counts over a custom range a page asked for (reports.ranges)."""
    return ranges.count(fact_keys, area_ids, station_ids, spans)


@shared_task(name="reports.tasks.forget_old_range_figures")
def forget_old_range_figures() -> int:
    return ranges.forget_old()


@shared_task(name="reports.tasks.snapshot_states")
def snapshot_states() -> int:
    return services.snapshot_states()


@shared_task(name="reports.tasks.verify")
def verify() -> dict:
    checked, differences = services.verify()
    return {"checked": checked, "differences": [str(d) for d in differences]}


@shared_task(name="reports.tasks.refresh_coverage")
def refresh_coverage() -> int:
    return services.coverage_refresh_all()


@shared_task(name="reports.tasks.generate_monthly_report")
def generate_monthly_report(report_id: int) -> None:
    """A monthly report too large to make during the request (reports.monthly_services)."""
    from .monthly_services import run_generation

    run_generation(report_id)
