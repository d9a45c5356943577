"""What scheduling asks of the apps above it when a booking moves, without importing them.

Scheduling cannot import infusions or insurance, yet moving a booked cycle day must keep its prior
authorization: the units it reserved move with it, and a day the authorization does not cover is
refused. An app above registers a check here in its `AppConfig.ready()` (infusions does,
`infusions.authorizations.cycle_day_rescheduled`); `scheduling.services.booking_reschedule` calls every
check inside its transaction, with the booking at its new time, before anything else sees the move.

A check refuses the move by raising `clinic.errors.Conflict` (409): the transaction rolls back and the
booking stays where it was. A check may also carry along what depends on the date (reserved units).
"""

from collections.abc import Callable
from datetime import datetime

RescheduleCheck = Callable[..., None]

_reschedule_checks: list[RescheduleCheck] = []


def register_reschedule_check(check: RescheduleCheck) -> None:
    """Register `check(*, booking, from_start)`; registering the same function twice keeps one."""
    if check not in _reschedule_checks:
        _reschedule_checks.append(check)


def reschedule_checks_run(*, booking, from_start: datetime) -> None:
    """Run every registered check for `booking`, moved from `from_start`. Raises what a check raises."""
    for check in _reschedule_checks:
        check(booking=booking, from_start=from_start)
