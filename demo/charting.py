"""Demo chairside sessions for `seed_demo`: today, one infusion completed and one in progress.

Idempotent: nothing is made when the demo site already has a session today. The bookings are made in
the past of today (the booking services refuse that, rightly, for a desk), then everything else goes
through the chairside services as a nurse would chart it. Times are spread over what is left of today,
so the demo works whenever it is run.
"""

import uuid
from datetime import datetime, time, timedelta
from decimal import Decimal as D

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from charting import services as chart
from charting.models import InfusionSession
from clinic.errors import Conflict
from infusions.cycles import order_session_link
from infusions.models import OrderStatus, TreatmentOrder
from scheduling.models import Booking, Site

# (patient MRN, chair, how long ago the session began, finished?)
DEMO_SESSIONS = (
    ("MRN-100003", "Chair 12", timedelta(hours=5), True),
    ("MRN-100005", "Chair 11", timedelta(hours=1, minutes=30), False),
)
VITALS = {
    "systolic": 124,
    "diastolic": 78,
    "heart_rate": 72,
    "spo2": 98,
    "temperature_c": D("36.7"),
    "respiratory_rate": 14,
}


def seed_chairside(*, site: Site) -> None:
    nurse = get_user_model().objects.filter(username="nurse").first()
    now = timezone.now()
    midnight = datetime.combine(now.astimezone(site.zone).date(), time.min, tzinfo=site.zone)
    if (
        nurse is None
        or InfusionSession.objects.filter(booking__site=site, checked_in_at__gte=midnight).exists()
    ):
        return
    for mrn, chair_name, ago, finished in DEMO_SESSIONS:
        order = TreatmentOrder.objects.filter(patient__mrn=mrn, status=OrderStatus.ACTIVE).first()
        chair = site.chairs.filter(name=chair_name).first()
        if order is None or chair is None:
            continue
        begin = max(now - ago, midnight + timedelta(minutes=1))
        try:
            with transaction.atomic():
                booking = Booking.objects.create(
                    site=site,
                    chair=chair,
                    patient=order.patient,
                    start=begin.replace(second=0, microsecond=0),
                    end=begin.replace(second=0, microsecond=0) + timedelta(hours=5),
                    note="Demo chairside session",
                )
                # Linked to the order outside its numbered cycles: the demo's cycles (and the units
                # their authorizations hold) stay as the other demos made them.
                order_session_link(order=order, booking=booking)
                _chart(booking, nurse, begin, now, finished)
        except (IntegrityError, Conflict):
            continue  # the chair or the patient is taken today: the demo leaves that day as it is


def _chart(booking: Booking, nurse, begin: datetime, now: datetime, finished: bool) -> None:
    span = now - begin - timedelta(minutes=1)

    def at(fraction: float) -> datetime:
        return begin + span * fraction

    def vitals(fraction: float, **changes) -> None:
        chart.vitals_record(
            session=session, by=nurse, client_id=uuid.uuid4(), taken_at=at(fraction), **(VITALS | changes)
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
        expiry=now.date() + timedelta(days=300),
    )
    steps = (0.15, 0.25, 0.35) if finished else (0.45,)
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
    chart.session_end(session=session, by=nurse, client_id=uuid.uuid4(), at=at(0.85))
    vitals(0.86)
    vitals(0.97)
    chart.session_discharge(session=session, by=nurse, client_id=uuid.uuid4(), at=at(1.0))
