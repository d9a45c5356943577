"""A small month whose Safety, Drug and Authorizations figures are worked out by hand in the tests.

North (New York) in March 2027, the month clocks go forward (Sunday 14 March: EST -05:00 before,
EDT -04:00 after). Infusions, by the booking's local day:

| who | product | local start | reactions | flagged | ended | grams ordered/planned/lots/given |
|---|---|---|---|---|---|---|
| A | Gammagard | Tue 2 Mar 09:00 | headache 1 | yes | in full | 70 / 70 / 2x30+1x10 / 70 |
| A | Gammagard | Tue 23 Mar 09:00 | - | no | in full | 68.6 / 70 / 2x30+1x10 / 70 |
| B | Privigen | Wed 10 Mar 09:00, day 1 of 2 | - | no | in full | 37.5 / 40 / 1x40 / 40 |
| B | Privigen | Thu 11 Mar 09:00, day 2 of 2 | hypotension 3, chills 1 | yes | reaction | 37.5/40/1x40/25 |
| C | Gammagard | Sun 14 Mar 23:30 EDT (UTC: 15th) | - | no | patient request | 51 / 50 / 1x30+1x20 / 35 |

(Reactions by kind and CTCAE grade; "ended": in full, or short of the dose and why.)

Not infusions of March at North: D's infusion on Sun 28 Feb 23:30 EST (04:30 UTC on 1 March), D's
on Thu 1 Apr 00:30 EDT, E's no-show, F's cancellation, G checked in but never started, and an
infusion with a reaction at South.

Billing: A's infusions used 140 units each of Acme's authorization, B's 80 and 50 of Beacon's
(and 80 more are reserved there for a booked day); C is self-pay.

Authorizations ("now" is Monday 5 April 2027, 09:00 EDT):

| # | patient, payer, urgency | events (local) | valid, units |
|---|---|---|---|
| 1 | A, Acme, standard | submitted 1 Mar 10:00 EST, approved 4 Mar 10:00 (72 h) | 4 Mar-31 Aug, 560 |
| 2 | B, Beacon, expedited | submitted 5 Mar 12:00 EST, approved 9 Mar 12:00 (96 h > 72) | 9 Mar-30 Sep, 300 |
| 3 | C, Acme, standard | submitted 10 Mar 09:00 EST, pended 12 Mar, resubmitted 15 Mar | - |
|   |                   | 09:00 EDT, denied 20 Mar 09:00 EDT | |
| 4 | D, Acme, standard | submitted 25 Mar 09:00 EDT, pended 26 Mar 09:00 EDT, still pended | - |
| 5 | A, Acme, standard | submitted 20 Feb, approved 22 Feb (not March's cohort) | 22 Feb-20 Apr, 280 |
| 6 | South's patient, Acme | submitted 2 Mar (in no North report) | - |
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

from charting.models import InfusionSession, LotRecord, Reaction, VitalsReading
from infusions.models import TreatmentOrder
from insurance import services as insurance
from insurance.models import AuthorizationUsage, PriorAuthorization
from reports.params import ReportParams
from scheduling.models import Booking
from tests.factories import DiagnosisFactory, PatientFactory, SiteFactory
from tests.infusions.factories import ProductFactory, ProtocolFactory, privigen
from tests.insurance.factories import CoverageFactory, PayerFactory
from tests.scheduling.factories import ChairFactory

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2027, 4, 5, 9, 0, tzinfo=NEW_YORK)


def at(day: str, clock: str = "09:00") -> datetime:
    hour, minute = map(int, clock.split(":"))
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), tzinfo=NEW_YORK).replace(
        hour=hour, minute=minute
    )


@dataclass
class Ledger:
    north: object
    south: object
    gammagard: object
    privigen: object
    patients: dict
    sessions: dict
    authorizations: dict

    def march(self, **changes) -> ReportParams:
        """The report's filters: North, 1-31 March 2027 (local days), every product."""
        return ReportParams(
            **{"sites": (self.north,), "start": date(2027, 3, 1), "end": date(2027, 3, 31)} | changes
        )


class _Builder:
    def __init__(self):
        self.north = SiteFactory(name="North", time_zone="America/New_York")
        self.south = SiteFactory(name="South", time_zone="America/New_York")
        self.chairs = {
            site.pk: [ChairFactory(site=site, name=f"R{n}") for n in (1, 2)]
            for site in (self.north, self.south)
        }
        self.gammagard = ProductFactory()
        self.privigen = privigen()
        self.protocol = ProtocolFactory()
        self.orders: dict = {}

    def order(self, patient, product) -> TreatmentOrder:
        key = (patient.pk, product.pk)
        if key not in self.orders:
            self.orders[key] = TreatmentOrder.objects.create(
                patient=patient,
                indication=DiagnosisFactory(patient=patient),
                product=product,
                protocol=self.protocol,
                fixed_grams=D("70"),
                prescriber="Dr. Test",
                start_date=date(2027, 1, 1),
            )
        return self.orders[key]

    def booking(self, patient, start: datetime, *, site=None, status="completed", chair=0) -> Booking:
        site = site or self.north
        return Booking.objects.create(
            site=site,
            chair=self.chairs[site.pk][chair],
            patient=patient,
            start=start,
            end=start + timedelta(hours=4),
            status=status,
        )

    def infusion(self, patient, product, start, *, ordered, planned, lots, given, site=None, short="", **kw):
        booking = self.booking(patient, start, site=site)
        session = InfusionSession.objects.create(
            booking=booking,
            order=self.order(patient, product),
            patient=patient,
            status="discharged",
            checked_in_at=start - timedelta(minutes=10),
            started_at=start,
            ended_at=start + timedelta(hours=3),
            discharged_at=start + timedelta(hours=3, minutes=30),
            ordered_grams=D(ordered),
            planned_grams=D(planned),
            planned_volume_ml=D(planned) * 10,
            grams_given=D(given),
            volume_given_ml=D(given) * 10,
            end_reason=short,
            **kw,
        )
        for size, vials in lots:
            LotRecord.objects.create(
                session=session,
                client_id=uuid.uuid4(),
                lot_number=f"L{session.pk}-{size}",
                vial_size_g=D(size),
                vials=vials,
                expiry=date(2028, 1, 1),
            )
        return session

    def vitals(self, session, *, flagged: bool):
        flags = [{"code": "systolic_low", "message": "Systolic 84 mmHg is under 90."}] if flagged else []
        for minutes, sets_flags in ((0, []), (60, flags)):
            VitalsReading.objects.create(
                session=session,
                client_id=uuid.uuid4(),
                phase="infusion",
                taken_at=session.started_at + timedelta(minutes=minutes),
                systolic=84 if sets_flags else 122,
                diastolic=60,
                heart_rate=80,
                spo2=98,
                flags=sets_flags,
            )

    def reaction(self, session, kind: str, grade: int):
        Reaction.objects.create(
            session=session,
            client_id=uuid.uuid4(),
            kind=kind,
            grade=grade,
            action="paused" if grade > 1 else "none",
            outcome="resolved",
            noted_at=session.started_at + timedelta(minutes=70),
        )


def _authorization(coverage, *, urgency="standard", events, units=560, valid=None):
    """Walk a request through the insurance services at the given local times."""
    auth = insurance.authorization_create(
        coverage=coverage,
        hcpcs_code="J1569",
        icd10_code="G61.81",
        units_requested=units,
        requested_from=date(2027, 3, 1),
        requested_to=date(2027, 8, 31),
        urgency=urgency,
    )
    for what, when in events:
        if what == "submitted":
            insurance.authorization_submit(authorization=auth, now=when)
        elif what == "approved":
            insurance.authorization_decide(
                authorization=auth,
                outcome="approved",
                via="fax",
                number=f"PA-{auth.pk}",
                units_approved=units,
                valid_from=valid[0],
                valid_to=valid[1],
                now=when,
            )
        elif what == "denied":
            insurance.authorization_decide(
                authorization=auth,
                outcome="denied",
                via="fax",
                denial_code="MN01",
                denial_reason="No.",
                now=when,
            )
        elif what == "pended":
            insurance.authorization_decide(
                authorization=auth, outcome="pended", via="fax", information_requested="INCAT.", now=when
            )
    return PriorAuthorization.objects.get(pk=auth.pk)


def make_ledger() -> Ledger:
    b = _Builder()
    people = {name: PatientFactory(given_name=name, family_name=f"Patient{name}") for name in "ABCDEFGS"}
    A, B, C, D_, E, F, G, S = (people[n] for n in "ABCDEFGS")
    gam, pri = b.gammagard, b.privigen

    s = {}
    s["A1"] = b.infusion(
        A, gam, at("2027-03-02"), ordered="70", planned="70", lots=[("30", 2), ("10", 1)], given="70"
    )
    b.vitals(s["A1"], flagged=True)
    b.reaction(s["A1"], "headache", 1)
    s["A2"] = b.infusion(
        A, gam, at("2027-03-23"), ordered="68.6", planned="70", lots=[("30", 2), ("10", 1)], given="70"
    )
    b.vitals(s["A2"], flagged=False)
    s["B1"] = b.infusion(
        B, pri, at("2027-03-10"), ordered="37.5", planned="40", lots=[("40", 1)], given="40", cycle=1, day=1
    )
    s["B2"] = b.infusion(
        B,
        pri,
        at("2027-03-11"),
        ordered="37.5",
        planned="40",
        lots=[("40", 1)],
        given="25",
        short="reaction",
        cycle=1,
        day=2,
    )
    b.vitals(s["B2"], flagged=True)
    b.reaction(s["B2"], "hypotension", 3)
    b.reaction(s["B2"], "chills", 1)
    s["C"] = b.infusion(
        C,
        gam,
        at("2027-03-14", "23:30"),
        ordered="51",
        planned="50",
        lots=[("30", 1), ("20", 1)],
        given="35",
        short="patient_request",
    )
    # Outside March at North, or no infusion at all.
    s["D_feb"] = b.infusion(
        D_,
        gam,
        at("2027-02-28", "23:30"),
        ordered="70",
        planned="70",
        lots=[("30", 2), ("10", 1)],
        given="70",
    )
    b.reaction(s["D_feb"], "fever", 2)
    s["D_apr"] = b.infusion(
        D_,
        gam,
        at("2027-04-01", "00:30"),
        ordered="70",
        planned="70",
        lots=[("30", 2), ("10", 1)],
        given="70",
    )
    b.booking(E, at("2027-03-03"), status="no_show")
    b.booking(F, at("2027-03-04"), status="cancelled")
    g_booking = b.booking(G, at("2027-03-05"), status="checked_in")
    InfusionSession.objects.create(
        booking=g_booking,
        order=b.order(G, gam),
        patient=G,
        status="checked_in",
        checked_in_at=at("2027-03-05", "08:50"),
    )
    s["S"] = b.infusion(
        S, gam, at("2027-03-02"), site=b.south, ordered="70", planned="70", lots=[], given="70"
    )
    b.reaction(s["S"], "headache", 1)

    acme, beacon = (
        PayerFactory(code="acme", name="Acme Health"),
        PayerFactory(code="beacon", name="Beacon Care"),
    )
    cover = {p.pk: CoverageFactory(patient=p, payer=beacon if p is B else acme) for p in (A, B, C, D_, S)}
    auths = {
        1: _authorization(
            cover[A.pk],
            events=[("submitted", at("2027-03-01", "10:00")), ("approved", at("2027-03-04", "10:00"))],
            valid=(date(2027, 3, 4), date(2027, 8, 31)),
        ),
        2: _authorization(
            cover[B.pk],
            urgency="expedited",
            units=300,
            events=[("submitted", at("2027-03-05", "12:00")), ("approved", at("2027-03-09", "12:00"))],
            valid=(date(2027, 3, 9), date(2027, 9, 30)),
        ),
        3: _authorization(
            cover[C.pk],
            events=[
                ("submitted", at("2027-03-10")),
                ("pended", at("2027-03-12")),
                ("submitted", at("2027-03-15")),
                ("denied", at("2027-03-20")),
            ],
        ),
        4: _authorization(
            cover[D_.pk], events=[("submitted", at("2027-03-25")), ("pended", at("2027-03-26"))]
        ),
        5: _authorization(
            cover[A.pk],
            units=280,
            events=[("submitted", at("2027-02-20")), ("approved", at("2027-02-22"))],
            valid=(date(2027, 2, 22), date(2027, 4, 20)),
        ),
        6: _authorization(cover[S.pk], events=[("submitted", at("2027-03-02"))]),
    }
    for key, auth, units, status in (
        ("A1", auths[1], 140, "used"),
        ("A2", auths[1], 140, "used"),
        ("B1", auths[2], 80, "used"),
        ("B2", auths[2], 50, "used"),
    ):
        AuthorizationUsage.objects.create(
            authorization=auth,
            booking_id=s[key].booking_id,
            status=status,
            units=units,
            service_date=s[key].booking.start.astimezone(NEW_YORK).date(),
        )
    future = b.booking(B, at("2027-04-07"), status="booked")
    AuthorizationUsage.objects.create(
        authorization=auths[2],
        booking_id=future.pk,
        status="reserved",
        units=80,
        service_date=date(2027, 4, 7),
    )
    return Ledger(b.north, b.south, gam, pri, people, s, auths)
