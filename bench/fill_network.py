"""Fill a database with a network's year: 10 sites x 30 chairs, 52 weeks of weekdays (about 78,000
bookings), with infusion sessions, vitals, reactions, lots, cycle days, nurse shifts, authorizations
(their events and usage), cancellations and no-shows. The reports' benchmark (`bench/reports_bench.py`)
reads it.

    DATABASE_URL=postgres://.../clinic_network REDIS_URL=... .venv/bin/python bench/fill_network.py

The database is created if missing and migrated; a database that already holds bookings is refused
unless `--replace` (which empties the tables this script fills). Rows are written with bulk_create in
chunks (no signals, no audit rows: this is not the clinic's history, it is its volume). The figures
are deterministic (`--seed`).

The year: 5 January 2026 to 1 January 2027, Monday to Friday, each site open 07:00-19:00 local in its own
zone (New York, Chicago, Denver, Los Angeles, Phoenix). Each chair holds one infusion a day; each of
its weekdays is shared by four patients, one every fourth week (a 28-day interval), so a site has about
600 patients with 13 infusions each. Chairs 1-3 give Monday's and Tuesday's patient the same person: a
cycle split over two days. Before the run's day: 92% completed, 5% no-show, 3% cancelled; after: booked.
"""

import argparse
import json
import os
import random
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal as D
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django
import psycopg
from psycopg import sql

FIRST_MONDAY = date(2026, 1, 5)
ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Phoenix")
CHUNK = 5000


def _periods(year: int, month: int, count: int = 3) -> list[tuple[date, date]]:
    """`count` six-month periods, the first starting on the 1st of `month` of `year` (month may pass 12)."""
    out = []
    for k in range(count):
        y, m = divmod(month - 1 + 6 * k, 12)
        first = date(year + y, m + 1, 1)
        y2, m2 = divmod(month - 1 + 6 * (k + 1), 12)
        out.append((first, date(year + y2, m2 + 1, 1) - timedelta(days=1)))
    return out


def _copy(table: str, columns: str, rows: list[tuple]) -> None:
    """COPY rows into a table (columns space-separated, constants of this script)."""
    from django.db import connection

    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({', '.join(columns.split())}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _ensure_database() -> None:
    """Create the DATABASE_URL's database when it does not exist."""
    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=10)
    parser.add_argument("--chairs", type=int, default=30)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--replace", action="store_true", help="empty the filled tables first")
    args = parser.parse_args()
    _ensure_database()
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    Filler(args).run()
    print(f"filled in {time.perf_counter() - started:.0f} s")


class Filler:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)

    def run(self) -> None:
        from django.db import connection, transaction

        from scheduling.models import Booking

        if Booking.objects.exists():
            if not self.args.replace:
                sys.exit("This database already holds bookings; give --replace to empty and refill it.")
            self._empty()
        with transaction.atomic():
            self._catalogue()
            for n in range(self.args.sites):
                t0 = time.perf_counter()
                counts = self._site(n)
                print(f"site {n + 1}: {counts} ({time.perf_counter() - t0:.1f} s)", flush=True)
            # Through the services an authorization is created before it is submitted.
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE insurance_priorauthorization a SET created_at = e.first, updated_at = e.last "
                    "FROM (SELECT authorization_id, min(at) AS first, max(at) AS last "
                    "      FROM insurance_authorizationevent GROUP BY authorization_id) e "
                    "WHERE e.authorization_id = a.id"
                )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def _empty(self) -> None:
        from django.db import connection

        tables = [
            "infusions_lotrecord",
            "infusions_reaction_vitals",
            "infusions_reaction",
            "infusions_vitalsreading",
            "infusions_sessionevent",
            "infusions_infusionsession",
            "infusions_cycleday",
            "insurance_authorizationusage",
            "insurance_authorizationevent",
            "insurance_priorauthorization",
            "insurance_coverage",
            "insurance_payer",
            "scheduling_bookingevent",
            "scheduling_booking",
            "scheduling_nurseshift",
            "scheduling_openinghours",
            "scheduling_chair",
            "infusions_treatmentorder",
            "patients_diagnosis",
            "patients_measurement",
            "patients_patient",
            "scheduling_site",
        ]
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")

    def _catalogue(self) -> None:
        from demo.infusions import _products, _protocols
        from insurance.models import Payer

        products = _products()
        self.products = [p for p in products.values() if p.route == "iv"]
        self.protocol = next(iter(_protocols().values()))
        self.payers = [
            Payer.objects.create(name=name, code=code)
            for code, name in (
                ("acme-health", "Acme Health"),
                ("blue-harbor", "Blue Harbor"),
                ("cedar", "Cedar"),
            )
        ]
        self.now = datetime.now(UTC)
        self._plans: dict = {}

    def _plan(self, product, grams: D):
        """The ordered day dose rounded to the product's vials, by the plan's own arithmetic."""
        from infusions import plan

        key = (product.pk, grams)
        if key not in self._plans:
            self._plans[key] = plan.round_to_vials(dose_g=grams, vial_sizes_g=product.vial_sizes_g)
        return self._plans[key]

    def _site(self, n: int) -> dict:
        from charting.models import InfusionSession
        from infusions.models import CycleDay, TreatmentOrder
        from patients.models import Diagnosis, Patient
        from scheduling.models import Booking, Chair, NurseShift, OpeningHours, Site

        rng, weeks = self.rng, self.args.weeks
        zone = ZoneInfo(ZONES[n % len(ZONES)])
        site = Site.objects.create(
            name=f"Network site {n + 1:02d}", time_zone=zone.key, address=f"{n + 1} Main St"
        )
        OpeningHours.objects.bulk_create(
            OpeningHours(site=site, weekday=w, opens=clock(7), closes=clock(19)) for w in range(5)
        )
        chairs = Chair.objects.bulk_create(
            Chair(
                site=site, name=f"Chair {c + 1:02d}", kind="bed" if c >= self.args.chairs - 3 else "recliner"
            )
            for c in range(self.args.chairs)
        )
        days = [FIRST_MONDAY + timedelta(days=7 * wk + w) for wk in range(weeks) for w in range(5)]
        NurseShift.objects.bulk_create(
            (
                NurseShift(
                    site=site,
                    name=f"Nurse {k + 1}",
                    start=datetime.combine(day, clock(7), tzinfo=zone),
                    end=datetime.combine(day, clock(19), tzinfo=zone),
                )
                for day in days
                for k in range(6)
            ),
            batch_size=CHUNK,
        )
        # One patient per (chair, weekday, phase); chairs 1-3 share Monday's patient with Tuesday.
        slots = {}
        for c in range(self.args.chairs):
            for w in range(5):
                for k in range(4):
                    slots[(c, w, k)] = slots[(c, 0, k)] if (w == 1 and c < 3) else len(set(slots.values()))
        count = len(set(slots.values()))
        patients = Patient.objects.bulk_create(
            Patient(
                mrn=f"N{n + 1:02d}-{i:05d}",
                given_name="Pat",
                family_name=f"Network{n + 1}-{i}",
                date_of_birth=date(1940 + i % 60, 1 + i % 12, 1 + i % 28),
                sex="female" if i % 2 else "male",
            )
            for i in range(count)
        )
        diagnoses = Diagnosis.objects.bulk_create(
            Diagnosis(patient=p, code="G61.81", description="CIDP", is_primary=True) for p in patients
        )
        split = {slots[(c, 0, k)] for c in range(3) for k in range(4)}
        weights = [D(45 + rng.randrange(0, 700) / 10).quantize(D("0.1")) for _ in patients]
        orders = TreatmentOrder.objects.bulk_create(
            TreatmentOrder(
                patient=p,
                indication=diagnoses[i],
                product=self.products[i % len(self.products)],
                protocol=self.protocol,
                dose_grams_per_kg=D("1") if i % 3 else D("0.4"),
                weight_policy="actual",
                split_days=2 if i in split else 1,
                interval_days=28,
                cycles=None,
                prescriber="Dr. Network",
                start_date=FIRST_MONDAY,
            )
            for i, p in enumerate(patients)
        )
        today = self.now.astimezone(zone).date()
        bookings, plans = [], []
        cycles = [0] * count
        for wk in range(weeks):
            for w in range(5):
                day = FIRST_MONDAY + timedelta(days=7 * wk + w)
                for c, chair in enumerate(chairs):
                    i = slots[(c, w, wk % 4)]
                    order = orders[i]
                    if w != 1 or c >= 3:
                        cycles[i] += 1
                    grams = (order.dose_grams_per_kg * weights[i] / order.split_days).quantize(D("0.01"))
                    rounding = self._plan(order.product, grams)
                    minutes = int(grams * 3) + 60  # about 3 min a gram, then the hour around it
                    minutes = min(max(15 * round(minutes / 15), 150), 360)
                    start = datetime.combine(day, clock(7), tzinfo=zone) + timedelta(
                        minutes=15 * ((c * 7 + w * 3 + wk) % 12)
                    )
                    if day < today:
                        roll = rng.random()
                        status = "completed" if roll < 0.92 else "no_show" if roll < 0.97 else "cancelled"
                    else:
                        status = "booked"
                    bookings.append(
                        Booking(
                            site=site,
                            chair=chair,
                            patient=patients[i],
                            start=start.astimezone(UTC),
                            end=(start + timedelta(minutes=minutes)).astimezone(UTC),
                            status=status,
                            cancel_reason="Patient unwell" if status == "cancelled" else "",
                        )
                    )
                    plans.append((i, cycles[i], 2 if (w == 1 and c < 3) else 1, grams, rounding, minutes))
        bookings = Booking.objects.bulk_create(bookings, batch_size=CHUNK)
        CycleDay.objects.bulk_create(
            (
                CycleDay(
                    order=orders[i],
                    cycle=cycle,
                    day=day_no,
                    booking=b,
                    released_at=b.end if b.status in ("cancelled", "no_show") else None,
                )
                for b, (i, cycle, day_no, *_rest) in zip(bookings, plans, strict=True)
            ),
            batch_size=CHUNK,
        )
        sessions = []
        for b, (i, cycle, day_no, grams, rounding, minutes) in zip(bookings, plans, strict=True):
            if b.status != "completed":
                continue
            started = b.start + timedelta(minutes=rng.randrange(10, 40))
            infusing = timedelta(minutes=minutes - 60 + rng.randrange(-15, 30))
            short = rng.random() < 0.03
            given = rounding.grams if not short else (rounding.grams * D(rng.randrange(40, 90)) / 100)
            given = given.quantize(D("0.01"))
            sessions.append(
                InfusionSession(
                    booking=b,
                    order=orders[i],
                    patient_id=b.patient_id,
                    cycle=cycle,
                    day=day_no,
                    status="discharged",
                    checked_in_at=b.start - timedelta(minutes=rng.randrange(0, 20)),
                    started_at=started,
                    ended_at=started + infusing,
                    discharged_at=started + infusing + timedelta(minutes=30),
                    order_weight_kg=weights[i],
                    weight_kg=weights[i],
                    protocol_name=self.protocol.name,
                    ordered_grams=grams,
                    planned_grams=rounding.grams,
                    planned_volume_ml=rounding.grams * 10,
                    rate_cap_ml_per_hour=D("300"),
                    plan_steps=[{"minutes": str(minutes - 60), "rate_ml_per_hour": "300", "capped": False}],
                    volume_given_ml=given * 10,
                    grams_given=given,
                    end_reason=rng.choice(["reaction", "patient_request", "iv_access_lost"]) if short else "",
                )
            )
        sessions = InfusionSession.objects.bulk_create(sessions, batch_size=CHUNK)
        charted = self._charting(sessions)
        authorized = self._insurance(site, patients, orders, bookings, plans, sessions)
        return (
            {"patients": count, "bookings": len(bookings), "sessions": len(sessions)} | charted | authorized
        )

    def _charting(self, sessions) -> dict:
        """Vitals (five sets, a few flagged), reactions and lots, by COPY: the bulk of the rows."""
        rng = self.rng
        vitals, reactions, lots = [], [], []
        flag = json.dumps([{"code": "systolic_high", "message": "Systolic 186 mmHg is over 180."}])
        kinds = ["headache", "chills", "fever", "flushing", "nausea", "hypotension"]
        for s in sessions:
            times = [("baseline", s.checked_in_at + timedelta(minutes=5))]
            span = (s.ended_at - s.started_at) / 4
            times += [("infusion", s.started_at + span * k) for k in (1, 2, 3)] + [("end", s.ended_at)]
            for phase, taken in times:
                flagged = rng.random() < 0.015
                systolic = 186 if flagged else 110 + rng.randrange(0, 30)
                vitals.append(
                    (
                        s.pk,
                        uuid.uuid4(),
                        taken,
                        phase,
                        taken,
                        systolic,
                        70 + rng.randrange(0, 15),
                        60 + rng.randrange(0, 30),
                        D("36.8"),
                        14,
                        97,
                        "",
                        flag if flagged else "[]",
                        "",
                        "",
                    )
                )
            if rng.random() < 0.06 or s.end_reason == "reaction":
                grade = rng.choices([1, 2, 3, 4], weights=[60, 30, 8, 2])[0]
                noted = s.started_at + (s.ended_at - s.started_at) / 2
                reactions.append(
                    (
                        s.pk,
                        uuid.uuid4(),
                        noted,
                        rng.choice(kinds),
                        "during",
                        grade,
                        "none" if grade == 1 else "paused",
                        "",
                        "resolved",
                        noted,
                        "",
                    )
                )
            for size, vials in self._plan(s.order.product, s.ordered_grams).vials:
                lots.append(
                    (
                        s.pk,
                        uuid.uuid4(),
                        s.started_at,
                        f"LOT{s.order.product_id}{size}",
                        size,
                        vials,
                        date(2028, 6, 30),
                        "",
                    )
                )
        _copy(
            "infusions_vitalsreading",
            "session_id client_id recorded_at phase taken_at systolic diastolic heart_rate temperature_c "
            "respiratory_rate spo2 symptoms flags flag_answer flag_answer_reason",
            vitals,
        )
        _copy(
            "infusions_reaction",
            "session_id client_id recorded_at kind onset grade action medication outcome noted_at note",
            reactions,
        )
        _copy(
            "infusions_lotrecord",
            "session_id client_id recorded_at lot_number vial_size_g vials expiry gtin",
            lots,
        )
        return {"vitals": len(vitals), "reactions": len(reactions), "lots": len(lots)}

    def _insurance(self, site, patients, orders, bookings, plans, sessions) -> dict:
        """Four patients in five covered; a request for each six months, the patients' periods
        staggered by month (one starts its periods in July, the next in August, ...), so requests are
        submitted, decided and expire in every month of the year."""
        from infusions import plan
        from insurance.models import (
            DECISION_WINDOWS,
            AuthorizationEvent,
            AuthorizationUsage,
            Coverage,
            PriorAuthorization,
        )

        rng, zone = self.rng, site.zone
        covered = {i: p for i, p in enumerate(patients) if i % 5}
        coverages = dict(
            zip(
                covered,
                Coverage.objects.bulk_create(
                    Coverage(
                        patient=p,
                        payer=self.payers[i % 3],
                        member_id=f"{site.pk}-{p.pk}",
                        valid_from=date(2025, 1, 1),
                    )
                    for i, p in covered.items()
                ),
                strict=True,
            )
        )
        auths, events = [], []
        for i, coverage in coverages.items():
            for half, (first, last) in enumerate(_periods(2025, 7 + i % 6)):
                urgency = "expedited" if rng.random() < 0.2 else "standard"
                submitted = datetime.combine(
                    first - timedelta(days=rng.randrange(5, 25)), clock(10), tzinfo=zone
                )
                units = 14 * int(orders[i].dose_grams_per_kg * 70 / D("0.5"))
                auth = PriorAuthorization(
                    coverage=coverage,
                    payer_id=coverage.payer_id,
                    patient_id=coverage.patient_id,
                    order_id=orders[i].pk,
                    urgency=urgency,
                    hcpcs_code=orders[i].product.hcpcs_code,
                    icd10_code="G61.81",
                    units_requested=units,
                    requested_from=first,
                    requested_to=last,
                    units_per_cycle=units // 7,
                    submitted_at=submitted,
                )
                trail = [("draft", "", submitted - timedelta(hours=2)), ("submitted", "draft", submitted)]
                window = DECISION_WINDOWS[urgency]
                roll = rng.random()
                delay = window * rng.uniform(0.1, 1.3)
                at = submitted + delay
                if at > self.now:
                    auth.status, auth.due_at = "submitted", submitted + window
                else:
                    if roll < 0.15:  # pended first
                        trail.append(("pended", "submitted", at))
                        auth.information_requested = "Latest INCAT score."
                        resubmitted = at + timedelta(days=rng.randrange(1, 6))
                        if resubmitted > self.now:
                            auth.status, auth.decided_at = "pended", at
                            auths.append((auth, trail))
                            continue
                        trail.append(("submitted", "pended", resubmitted))
                        auth.submitted_at = resubmitted
                        at = resubmitted + window * rng.uniform(0.1, 1.1)
                    outcome = "denied" if roll > 0.95 else "partially_approved" if roll > 0.9 else "approved"
                    trail.append((outcome, trail[-1][0], at))
                    auth.status, auth.decided_at = outcome, at
                    if outcome == "denied":
                        auth.denial_code, auth.denial_reason = "MN01", "Not medically necessary."
                    else:
                        auth.number = f"PA-{site.pk}-{i}-{half}"
                        auth.units_approved = units if outcome == "approved" else units * 3 // 4
                        auth.valid_from, auth.valid_to = first, last
                        if last < self.now.astimezone(zone).date():
                            trail.append(
                                (
                                    "expired",
                                    outcome,
                                    datetime.combine(last + timedelta(days=1), clock(1), tzinfo=zone),
                                )
                            )
                            auth.status = "expired"
                auths.append((auth, trail))
        saved = PriorAuthorization.objects.bulk_create([a for a, _ in auths], batch_size=CHUNK)
        for auth, (_, trail) in zip(saved, auths, strict=True):
            for to, frm, at in trail:
                events.append(
                    AuthorizationEvent(
                        authorization=auth,
                        payer_id=auth.payer_id,
                        kind="transition",
                        from_status=frm,
                        to_status=to,
                        at=at,
                        via="fax",
                    )
                )
        AuthorizationEvent.objects.bulk_create(events, batch_size=CHUNK)
        # Each booked or given day of a granted authorization holds its units.
        granted: dict[int, list] = {}
        for auth in saved:
            if auth.units_approved:
                granted.setdefault(auth.patient_id, []).append(auth)
        given = {s.booking_id: s for s in sessions}
        usage = []
        for b, (i, *_rest, rounding, _m) in zip(bookings, plans, strict=True):
            day = b.start.astimezone(zone).date()
            auth = next((a for a in granted.get(b.patient_id, ()) if a.valid_from <= day <= a.valid_to), None)
            if (
                auth is None
                or not (auth.valid_from <= day <= auth.valid_to)
                or b.status in ("cancelled", "no_show")
            ):
                continue
            session = given.get(b.pk)
            grams_used = session.grams_given if session is not None else rounding.grams
            usage.append(
                AuthorizationUsage(
                    authorization=auth,
                    booking_id=b.pk,
                    status="used" if session is not None else "reserved",
                    units=plan.billing_units(
                        grams=grams_used, grams_per_unit=orders[i].product.grams_per_billing_unit
                    ),
                    service_date=day,
                )
            )
        AuthorizationUsage.objects.bulk_create(usage, batch_size=CHUNK)
        return {"authorizations": len(saved), "events": len(events), "usage": len(usage)}


if __name__ == "__main__":
    main()
