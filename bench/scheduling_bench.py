"""Chair-calendar figures: availability and booking creation against a full calendar.

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/scheduling_bench.py [--chairs 30] [--days 90]

Without the URLs: `.venv/bin/python -m config.devservers -- .venv/bin/python bench/scheduling_bench.py`.
Builds a scratch test database with one site (open 07:00-19:00 every day, 8 nurses on shift), N chairs
and D days of bookings at about 80% utilisation (each chair-day between 60% and 100%), then calls the API
in-process through Django's test client (no network): availability for a 4-hour session, and booking
creation of 4-hour sessions into free mornings. Prints median, p95 and queries per call; drops the database.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"

import django

django.setup()

from benchlib import QueryCounter
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client
from django.test.utils import setup_databases, teardown_databases
from django.utils import timezone

from patients.models import Patient
from scheduling.models import Booking, Chair, NurseShift, OpeningHours, Site

OPEN_MINUTES = 12 * 60
GRID = 15
NURSES = 8  # for 30 chairs; more chairs get proportionally more (nurses_for)


def nurses_for(chairs: int) -> int:
    """Enough nurses (4 patients each) for every chair at once, as a clinic staffs its chairs."""
    return max(NURSES, -(-chairs * NURSES // 30))


def fill(
    chairs: int,
    days: int,
    rng: random.Random,
    *,
    name: str = "Bench Infusion Center",
    free: int = 200,
    prefix: str = "BP",
):
    """Return (site, first day, [(chair, day)] whose 07:00-11:00 is kept free for the creation bench).

    At most 6 free mornings a day: 8 nurses may start 8 infusions in one slot, and every one of them
    is booked at 07:00. Nurses: `nurses_for(chairs)`."""
    site = Site.objects.create(name=name, time_zone="America/New_York", address="1 Bench Rd")
    zone = site.zone
    OpeningHours.objects.bulk_create(
        OpeningHours(site=site, weekday=w, opens=clock(7, 0), closes=clock(19, 0)) for w in range(7)
    )
    chair_rows = Chair.objects.bulk_create(
        Chair(site=site, name=f"C{n:02d}", kind="bed" if n % 6 == 0 else "recliner") for n in range(chairs)
    )
    patients = Patient.objects.bulk_create(
        Patient(
            mrn=f"{prefix}{n:06d}",
            given_name=f"Given{n}",
            family_name=f"Family{n}",
            date_of_birth=date(1960, 1, 1) + timedelta(days=n),
            sex="female" if n % 2 else "male",
            phone=f"+1555{n:07d}",
        )
        for n in range(max(200, chairs * 4))
    )
    first_day = timezone.now().astimezone(zone).date() + timedelta(days=1)
    free_mornings: set[tuple[int, int]] = set()
    per_day: dict[int, int] = {}
    while len(free_mornings) < min(free, days * 6, chairs * days):
        c, d = rng.randrange(chairs), rng.randrange(days)
        if (c, d) not in free_mornings and per_day.get(d, 0) < min(6, chairs):
            free_mornings.add((c, d))
            per_day[d] = per_day.get(d, 0) + 1
    shifts, bookings = [], []
    for d in range(days):
        day = first_day + timedelta(days=d)
        opens = datetime.combine(day, clock(7, 0), tzinfo=zone)
        shifts += [
            NurseShift(site=site, name=f"N{n}", start=opens, end=opens + timedelta(hours=12))
            for n in range(nurses_for(chairs))
        ]
        patient_turn = 0
        for c, chair in enumerate(chair_rows):
            target = rng.randint(int(OPEN_MINUTES * 0.7) // GRID, OPEN_MINUTES // GRID) * GRID
            lengths = []
            while target - sum(lengths) >= 180:
                lengths.append(min(rng.randrange(180, 361, GRID), target - sum(lengths)))
            for n in range(len(lengths)):  # spread what is left over the sessions, up to 6 h each
                lengths[n] += min(360 - lengths[n], target - sum(lengths))
            # Never start at 07:00 (the creation bench books there) and keep 200 mornings wholly free.
            cursor = 240 if (c, d) in free_mornings else GRID
            slack = OPEN_MINUTES - cursor - sum(lengths)
            for length in lengths:
                gap = rng.randrange(0, slack + 1, GRID) if slack > 0 else 0
                if rng.random() < 0.7:  # mostly small gaps, sometimes one long one
                    gap = max(0, min(gap, slack // 2 // GRID * GRID))
                slack -= gap
                cursor += gap
                if cursor + length > OPEN_MINUTES:
                    break
                start = opens + timedelta(minutes=cursor)
                patient = patients[(d * 131 + patient_turn) % len(patients)]
                patient_turn += 1
                bookings.append(
                    Booking(
                        site=site,
                        chair=chair,
                        patient=patient,
                        start=start,
                        end=start + timedelta(minutes=length),
                    )
                )
                cursor += length
    NurseShift.objects.bulk_create(shifts)
    Booking.objects.bulk_create(bookings, batch_size=2000)
    booked = sum((b.end - b.start).total_seconds() / 60 for b in bookings)
    utilisation = booked / (OPEN_MINUTES * chairs * days)
    targets = sorted(free_mornings, key=lambda pair: (pair[1], pair[0]))
    return (
        site,
        first_day,
        [(chair_rows[c], first_day + timedelta(days=d)) for c, d in targets],
        len(bookings),
        utilisation,
    )


def timed(calls):
    timings = []
    for call in calls:
        t0 = time.perf_counter()
        call()
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    return statistics.median(timings), timings[max(0, int(len(timings) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chairs", type=int, default=30)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    old = setup_databases(verbosity=0, interactive=False)
    try:
        site, first_day, free, count, utilisation = fill(args.chairs, args.days, rng)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        user = User.objects.create_user("bench", is_staff=True)
        user.groups.add(Group.objects.get(name="scheduler"))
        client = Client()
        client.force_login(user)
        print(
            f"{args.chairs} chairs, {args.days} days, {count} bookings, utilisation {utilisation:.0%}, "
            f"{nurses_for(args.chairs)} nurses; in-process (no network)"
        )
        print(f"{'call':64} {'median':>8} {'p95':>8} {'queries':>7} {'slots':>5}")

        for span in (14, 30, 90):
            path = (
                f"/api/v1/availability/?site={site.pk}&duration_minutes=240&date_from={first_day}"
                f"&date_to={first_day + timedelta(days=span - 1)}&limit=10"
            )
            client.get(path)  # warm caches
            with QueryCounter() as queries:
                response = client.get(path)
            assert response.status_code == 200, response.content[:300]
            found = response.json()["count"]
            median, p95 = timed([lambda path=path: client.get(path)] * args.calls)
            label = f"GET availability 4 h, {span} days, limit 10"
            print(f"{label:64} {median:6.1f}ms {p95:6.1f}ms {len(queries):7d} {found:5d}")

        # Patients with nothing booked yet, so only the calendar rules decide.
        patients = Patient.objects.bulk_create(
            Patient(
                mrn=f"NEW{n:06d}",
                given_name="New",
                family_name=f"Patient{n}",
                date_of_birth=date(1970, 1, 1),
                sex="female",
                phone=f"+1666{n:07d}",
            )
            for n in range(args.calls)
        )
        payloads = [
            {
                "chair": chair.pk,
                "patient": patients[n % len(patients)].pk,
                "start": datetime.combine(day, clock(7, 0), tzinfo=site.zone).isoformat(),
                "duration_minutes": 240,
            }
            for n, (chair, day) in enumerate(free[: args.calls])
        ]
        statuses = []

        def post(payload):
            statuses.append(client.post("/api/v1/bookings/", payload, content_type="application/json"))

        with QueryCounter() as queries:
            post(payloads[0])
        median, p95 = timed([lambda p=p: post(p) for p in payloads[1:]])
        created = sum(r.status_code == 201 for r in statuses)
        refused = {r.json()["code"] for r in statuses if r.status_code != 201}
        label = f"POST bookings 4 h ({created} created, refused: {','.join(sorted(refused)) or 'none'})"
        print(f"{label:64} {median:6.1f}ms {p95:6.1f}ms {len(queries):7d}")
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
