"""Print a fresh visit link for a booking (to try the patient's page, or to read one out on the phone):

    python manage.py visit_link 42

The link works until the visit starts, like the reminders' links; only its hash is stored.
"""

from django.core.management.base import BaseCommand, CommandError

from scheduling.models import Booking
from selfservice import tokens


class Command(BaseCommand):
    help = "Print a new link to a booking's visit page."

    def add_arguments(self, parser):
        parser.add_argument("booking_id", type=int)

    def handle(self, *args, booking_id: int, **options):
        booking = Booking.objects.select_related("site").filter(pk=booking_id).first()
        if booking is None:
            raise CommandError(f"No booking #{booking_id}.")
        url = tokens.visit_link_now(booking)
        if not url:
            raise CommandError(f"Booking #{booking_id} is not booked for a time still to come.")
        self.stdout.write(url)
