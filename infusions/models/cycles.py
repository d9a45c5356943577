"""Which day of which cycle of which order a booking is: the one relation between an order and the
chair calendar.

Scheduling knows nothing of orders; a booking belongs to an order only through a `CycleDay` row, and
only `infusions.cycles` writes them (the cycle-booking service), so neither the calendar API nor the
admin can claim that a booking is another order's, or another patient's: a database trigger refuses a
row whose order and booking name different patients.
"""

from django.db import models
from django.db.models import Q

from clinic.audit import audit_register
from clinic.db import constraint_error
from infusions.models.orders import TreatmentOrder
from scheduling.models import Booking


class CycleDay(models.Model):
    """Booking `booking` is day `day` of cycle `cycle` of `order`.

    A cycle's number is held while its booking is live; cancelling the booking or marking it a no-show
    sets `released_at`, and the number may be booked again (a new booking, a new row; the released row
    stays as history). Cycle and day are empty only for sessions linked to an order outside its
    numbered cycles (the demo's chairside sessions, and bookings migrated from a plain "order:<id>").
    """

    order = models.ForeignKey(TreatmentOrder, on_delete=models.PROTECT, related_name="cycle_days")
    cycle = models.PositiveSmallIntegerField(null=True, blank=True)
    day = models.PositiveSmallIntegerField(null=True, blank=True)
    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="cycle_day")
    early_reason = models.CharField(
        max_length=300,
        blank=True,
        help_text="Why this cycle was booked earlier than the order's interval allows (empty: it was not).",
    )
    released_at = models.DateTimeField(
        null=True, blank=True, help_text="When its booking was cancelled or marked a no-show."
    )

    class Meta:
        ordering = ["order", "cycle", "day", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "cycle", "day"],
                condition=Q(released_at__isnull=True, cycle__isnull=False),
                name=constraint_error(
                    "cycle_day_once_live",
                    field="cycle",
                    code="cycle_taken",
                    message="This day of this cycle of the order is already booked.",
                ),
            ),
            models.CheckConstraint(
                condition=Q(cycle__isnull=True, day__isnull=True) | Q(cycle__gte=1, day__gte=1),
                name=constraint_error(
                    "cycle_day_numbered",
                    field="cycle",
                    code="cycle_invalid",
                    message="A cycle and its day are numbered from 1, or both left empty.",
                ),
            ),
        ]

    def __str__(self) -> str:
        if self.cycle is None:
            return f"Order {self.order_id}"
        return f"Order {self.order_id}, cycle {self.cycle}, day {self.day}"

    def get_additional_data(self) -> dict:
        return {"patient_id": self.booking.patient_id}


# Enforced by a trigger (migration 0004): the order and the booking are the same patient's.
constraint_error(
    "cycle_day_same_patient",
    field="booking",
    code="booking_not_patients",
    message="A booking can only be a cycle day of its own patient's order.",
)

audit_register(CycleDay)
