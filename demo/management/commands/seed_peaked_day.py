"""`python manage.py seed_peaked_day`: after `seed_demo`, book the optimiser's deliberately peaked day.

Opt-in, because its bookings are plain calendar bookings, not cycles of an order as every other demo
booking is (demo/proposals.py says what it books). Prints the day, to ask for a proposal for it.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from demo.proposals import NOTE, seed_peaked_day
from scheduling.models import Booking, Site


class Command(BaseCommand):
    help = "Book a deliberately peaked day on the demo site, for the schedule optimiser's demo."

    def handle(self, *args, **options):
        site = Site.objects.filter(name="Riverside Infusion Center").first()
        if site is None:
            raise CommandError("Run seed_demo first: the demo site does not exist.")
        scheduler = get_user_model().objects.filter(username="scheduler").first()
        day = seed_peaked_day(site=site, scheduler=scheduler)
        count = Booking.objects.filter(site=site, note=NOTE).count()
        self.stdout.write(
            f"{count} bookings start 09:30-10:15 on {day:%A %d %B %Y} at {site.name}. In the admin: "
            f"Proposals -> Add, that day."
        )
