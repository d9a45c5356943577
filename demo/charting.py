"""Demo chairside sessions for `seed_demo`: what a clinic's tablet shows at the hour the demo is seeded,
always on the site's local today and inside its opening hours.

- **Open, with a whole session behind it** (from 12:00 at the demo site): one infusion completed this
  morning and one in progress, started up to 90 minutes ago, whose booking ends by closing.
- **Open, earlier in the day** (from 30 minutes after opening): both infusions in progress, the first
  since opening; none can have finished yet.
- **After closing**: both of today's infusions completed (nobody is infused in a closed clinic).
- **Before opening**: both booked for today, to be checked in when the day starts (the charting
  services check patients in on the day of their booking only, so the last opening day cannot be
  charted after the fact). On a closed day (the weekend) there is nothing.

Both patients' authorizations are approved (`demo.insurance`) and each booking is linked to the
patient's order (`infusions.cycles.order_session_link`). Idempotent: nothing is made when the demo
already made today's. The bookings are made directly (the booking services refuse the past, rightly,
for a desk), then everything else goes through the chairside services as a nurse would chart it.
"""

import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal as D

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from charting import services as chart
from clinic.errors import Conflict
from infusions.cycles import order_session_link
from infusions.models import OrderStatus, TreatmentOrder
from scheduling.models import Booking, Site

NOTE = "Demo chairside session"
SESSION = timedelta(hours=5)  # each demo session's booking
# (patient MRN, chair): the one completed, the one in progress while the site is open.
COMPLETED = ("MRN-100002", "Chair 12")
RUNNING = ("MRN-100004", "Chair 11")
VITALS = {
    "systolic": 124,
    "diastolic": 78,
    "heart_rate": 72,
    "spo2": 98,
    "temperature_c": D("36.7"),
    "respiratory_rate": 14,
}


def _hours(site: Site, day: date) -> tuple[datetime, datetime] | None:
    hours = next((h for h in site.opening_hours.all() if h.weekday == day.weekday()), None)
    if hours is None:
        return None
    zone = site.zone
    return datetime.combine(day, hours.opens, tzinfo=zone), datetime.combine(day, hours.closes, tzinfo=zone)


def _on_grid(moment: datetime) -> datetime:
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


COMPLETED_STATE, RUNNING_STATE, BOOKED_STATE = "completed", "running", "booked"


def demo_sessions(site: Site, now: datetime) -> list[tuple[tuple[str, str], datetime, datetime, str]]:
    """((mrn, chair), begins, charted until, state) of today's demo sessions (module docstring)."""
    hours = _hours(site, now.astimezone(site.zone).date())
    if hours is None:
        return []
    opens, closes = hours
    first, second = opens + timedelta(minutes=30), opens + timedelta(hours=2)
    if now < opens + timedelta(minutes=30):
        return [(COMPLETED, first, first, BOOKED_STATE), (RUNNING, second, second, BOOKED_STATE)]
    if now >= closes:
        return [
            (COMPLETED, first, first + SESSION, COMPLETED_STATE),
            (RUNNING, second, second + SESSION, COMPLETED_STATE),
        ]
    latest = now - timedelta(minutes=1)
    begins = _on_grid(max(opens + timedelta(minutes=15), min(now - timedelta(minutes=90), closes - SESSION)))
    # The first patient came at opening: completed once a whole session has passed, running until then.
    if now >= opens + SESSION:
        return [
            (COMPLETED, opens, opens + SESSION, COMPLETED_STATE),
            (RUNNING, begins, latest, RUNNING_STATE),
        ]
    return [(COMPLETED, opens, latest, RUNNING_STATE), (RUNNING, begins, latest, RUNNING_STATE)]


def seed_chairside(*, site: Site) -> None:
    nurse = get_user_model().objects.filter(username="nurse").first()
    now = timezone.now()
    sessions = demo_sessions(site, now)
    midnight = datetime.combine(now.astimezone(site.zone).date(), time.min, tzinfo=site.zone)
    if nurse is None or Booking.objects.filter(site=site, note=NOTE, start__gte=midnight).exists():
        return
    for (mrn, chair_name), begins, until, state in sessions:
        order = TreatmentOrder.objects.filter(patient__mrn=mrn, status=OrderStatus.ACTIVE).first()
        chair = site.chairs.filter(name=chair_name).first()
        if order is None or chair is None:
            continue
        try:
            with transaction.atomic():
                booking = Booking.objects.create(
                    site=site,
                    chair=chair,
                    patient=order.patient,
                    start=begins,
                    end=begins + SESSION,
                    note=NOTE,
                )
                # Linked to the order outside its numbered cycles: the demo's cycles (and the units
                # their authorizations hold) stay as the other demos made them.
                order_session_link(order=order, booking=booking)
                if state != BOOKED_STATE:
                    _chart(booking, nurse, begins, until, state == COMPLETED_STATE)
        except (IntegrityError, Conflict):
            continue  # the chair or the patient is taken then: the demo leaves that day as it is


def _chart(booking: Booking, nurse, begin: datetime, end: datetime, finished: bool) -> None:
    span = end - begin

    def at(fraction: float) -> datetime:
        return begin + span * fraction

    def vitals(fraction: float, **changes) -> None:
        chart.vitals_record(
            session=session,
            by=nurse,
            client_id=uuid.uuid4(),
            taken_at=at(fraction),
            confirm_repeat=True,  # each is a set of its own, even when its numbers repeat
            **(VITALS | changes),
        )

    session, _ = chart.session_check_in(booking=booking, by=nurse, client_id=uuid.uuid4(), at=at(0))
    weight = session.order_weight_kg or D("70")
    chart.checklist_record(
        session=session,
        by=nurse,
        client_id=uuid.uuid4(),
        identity_confirmed=True,
        weight_kg=weight,
        hydration="oral",
        egfr_reviewed=True,
        checks_acknowledged=True,
    )
    chart.premedication_record(
        session=session,
        by=nurse,
        client_id=uuid.uuid4(),
        drug="Acetaminophen",
        dose="650 mg",
        given_at=at(0.02),
    )
    vitals(0.03)
    chart.session_start(session=session, by=nurse, client_id=uuid.uuid4(), at=at(0.05))
    chart.lot_record(
        session=session,
        by=nurse,
        client_id=uuid.uuid4(),
        lot_number="DEMO-LOT-1",
        vial_size_g=session.order.product.vial_sizes_g[-1],
        vials=1,
        expiry=begin.date() + timedelta(days=300),
    )
    # As many step-ups as the plan has steps above the first (a capped protocol has fewer).
    steps = ((0.15, 0.25, 0.35) if finished else (0.45,))[
        : len({s["rate_ml_per_hour"] for s in session.plan_steps}) - 1
    ]
    for fraction in steps:
        chart.rate_change_record(
            session=session, by=nurse, client_id=uuid.uuid4(), kind="step_up", at=at(fraction)
        )
        vitals(fraction + 0.01, heart_rate=76)
    if not finished:
        vitals(0.8, systolic=184, heart_rate=96)
        return
    chart.reaction_record(
        session=session,
        by=nurse,
        client_id=uuid.uuid4(),
        kind="headache",
        grade=1,
        action="medication",
        medication="Acetaminophen 650 mg PO",
        outcome="resolved",
        noted_at=at(0.3),
    )
    vitals(0.6)
    # Seeded early in the day, the demo's infusion is shorter than its bag: it ended at the patient's
    # request, and she left before the observation time was over (the reasons are asked only then).
    chart.session_end(
        session=session, by=nurse, client_id=uuid.uuid4(), at=at(0.85), end_reason="patient_request"
    )
    vitals(0.86)
    vitals(0.97)
    chart.session_discharge(
        session=session,
        by=nurse,
        client_id=uuid.uuid4(),
        at=at(1.0),
        reason="Felt well; observed with a companion in the waiting room",
    )
