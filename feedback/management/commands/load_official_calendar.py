"""Load a year's national holidays and make-up working days from `chinesecalendar`.

The State Council publishes next year's arrangement each November; upgrade the package
(requirements.lock) once it has the year, then run this. A district's own days are kept
in the admin and are not touched."""

from django.core.management.base import BaseCommand, CommandError

from feedback import working_days


class Command(BaseCommand):
    help = "Load the national calendar (holidays, 调休 working days) of the given years."

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="+", type=int)

    def handle(self, *args, years, **options):
        written = working_days.load_official_calendar(years)
        for year, days in written.items():
            self.stdout.write(f"{year}: {days} days written.")
        unknown = sorted(set(years) - set(written))
        if unknown:
            raise CommandError(
                f"chinesecalendar does not know {', '.join(map(str, unknown))} yet: upgrade it."
            )
