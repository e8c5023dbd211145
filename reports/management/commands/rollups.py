"""manage.py rollups run | verify | rebuild [--area CODE] [--since DATE] | triggers

- run: roll up every pending dirty mark now (what the beat job does, in one process);
- verify: compare a sample of buckets with the raw rows; exits 1 on any difference;
- rebuild: recompute from scratch, everywhere or under one area, from a date on, with a
  progress bar (sealed periods are left as they are);
- triggers: put the marking triggers in step with the facts (migrate does this too).
"""

import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError

from areas.models import Area
from reports import services, triggers


class Command(BaseCommand):
    help = "Roll up, verify or rebuild the dashboards' figures."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["run", "verify", "rebuild", "triggers"])
        parser.add_argument("--area", help="12-digit division code (rebuild, verify)")
        parser.add_argument("--since", help="YYYY-MM-DD (rebuild)")
        parser.add_argument("--sample", type=int, default=500, help="buckets to compare")

    def handle(self, *args, action, area=None, since=None, sample=500, **options):
        area_obj = None
        if area:
            area_obj = Area.objects.filter(code=area).first()
            if area_obj is None:
                raise CommandError(f"No area has the division code {area}.")
        since_day = None
        if since:
            try:
                since_day = dt.date.fromisoformat(since)
            except ValueError:
                raise CommandError(f"{since} is not a date: write it as 2026-01-31.") from None
        if action == "triggers":
            triggers.sync()
            self.stdout.write("The marking triggers follow the facts.")
        elif action == "run":
            runs = services.roll_up_all()
            marks = sum(run.marks for run in runs)
            self.stdout.write(f"Rolled up {marks} marks in {len(runs)} units.")
        elif action == "rebuild":
            models = services.rebuild(area=area_obj, since=since_day, progress=self._progress)
            self.stdout.write(f"\nRebuilt the figures of {models} kinds of record.")
        else:
            checked, differences = services.verify(sample=sample, area=area_obj)
            for difference in differences:
                self.stdout.write(str(difference))
            self.stdout.write(f"Compared {checked} buckets: {len(differences)} differ.")
            if differences:
                sys.exit(1)

    def _progress(self, done: int, total: int, source: str) -> None:
        width = 30
        filled = width * done // total
        bar = "#" * filled + "-" * (width - filled)
        self.stdout.write(f"\r[{bar}] {done}/{total} {source:<28}", ending="")
        self.stdout.flush()
