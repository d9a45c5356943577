"""Demo data, idempotent: run it as often as you like and the same records are there once.

Creates a site, one staff user per role, and patients with diagnoses, flags, weights, heights and labs.
Later issues extend it (products and orders, chairs and bookings, payers and authorizations).
"""

import os
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from clinic.roles import ADMIN_ROLES, Role, sync_roles
from demo.charting import seed_chairside
from demo.infusions import seed_infusions
from demo.insurance import seed_insurance
from demo.notifications import seed_notifications
from demo.scheduling import local_today, seed_scheduling
from demo.waitlist import seed_waitlist
from patients.models import Allergy, Diagnosis, LabResult, Measurement, Patient, RiskFlag
from scheduling.models import Site

DEMO_PASSWORD_ENV = "DEMO_PASSWORD"  # noqa: S105 - the variable name, not a password
DEFAULT_DEMO_PASSWORD = "infusion-demo"  # noqa: S105 - demo logins, printed on purpose; never in production

DEMO_USERS = (
    ("manager", Role.MANAGER, "Morgan", "Reyes"),
    ("scheduler", Role.SCHEDULER, "Sam", "Okafor"),
    ("nurse", Role.NURSE, "Nia", "Lindqvist"),
    ("insurer", Role.INSURER, "Ira", "Bauer"),
)

# mrn, given, family, born, sex, phone, (kg, cm), diagnoses, flags, (creatinine, eGFR, platelets)
DEMO_PATIENTS = (
    (
        "MRN-100001",
        "Ada",
        "Whitfield",
        date(1961, 4, 12),
        "female",
        "+15555550101",
        ("100", "165"),
        ["G61.81"],
        ["diabetes"],
        ("0.9", "78", "240"),
    ),
    (
        "MRN-100002",
        "Bruno",
        "Castellanos",
        date(1979, 9, 3),
        "male",
        "+15555550102",
        ("70", "178"),
        ["G61.81"],
        [],
        ("1.0", "92", "210"),
    ),
    (
        "MRN-100003",
        "Chiara",
        "Novak",
        date(1990, 1, 27),
        "female",
        "+15555550103",
        ("58.5", "162"),
        ["D69.3"],
        [],
        ("0.7", "105", "18"),
    ),
    (
        "MRN-100004",
        "Dmitri",
        "Haldane",
        date(1952, 11, 8),
        "male",
        "+15555550104",
        ("84", "181"),
        ["D83.9"],
        ["renal_insufficiency", "heart_failure"],
        ("1.6", "41", "190"),
    ),
    (
        "MRN-100005",
        "Esi",
        "Mensah",
        date(1984, 6, 19),
        "female",
        "+15555550105",
        ("66", "170"),
        ["M33.10"],
        [],
        ("0.8", "97", "260"),
    ),
    (
        "MRN-100006",
        "Farid",
        "Qureshi",
        date(1971, 2, 2),
        "male",
        "+15555550106",
        ("92.4", "175"),
        ["G61.0"],
        ["thrombosis_history"],
        ("1.1", "74", "230"),
    ),
    (
        "MRN-100007",
        "Grace",
        "Oyelaran",
        date(1998, 12, 30),
        "female",
        "",
        ("61", "168"),
        ["D80.0"],
        ["iga_deficiency_antibodies"],
        ("0.8", "110", "280"),
    ),
    (
        "MRN-100008",
        "Hiro",
        "Tanabe",
        date(1946, 7, 14),
        "male",
        "+15555550108",
        ("77", "169"),
        ["G61.81"],
        ["nephrotoxic_drugs"],
        ("1.3", "55", "175"),
    ),
    # Children: the dose is by actual weight and the vitals flags by age band.
    (
        "MRN-100009",
        "Leo",
        "Brennan",
        date(2023, 6, 14),
        "male",
        "+15555550109",
        ("14", "95"),
        ["M30.3"],
        [],
        ("0.3", "118", "460"),
    ),
    (
        "MRN-100010",
        "Maya",
        "Okonkwo",
        date(2017, 9, 22),
        "female",
        "+15555550110",
        ("28", "132"),
        ["M33.00"],
        [],
        ("0.5", "112", "310"),
    ),
)


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print how to log in."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Do not print the logins.")

    def handle(self, *args, quiet=False, **options):
        if not settings.DEBUG and not os.environ.get(DEMO_PASSWORD_ENV):
            # Outside development the demo accounts must not have a password anybody can read here.
            raise CommandError(f"Set {DEMO_PASSWORD_ENV} to seed demo users when DEBUG is off.")
        password = os.environ.get(DEMO_PASSWORD_ENV, DEFAULT_DEMO_PASSWORD)
        with transaction.atomic():
            sync_roles()
            site = self._site()
            users = [
                self._user(username, role, given, family) for username, role, given, family in DEMO_USERS
            ]
            self._passwords(users, password)
            for row in DEMO_PATIENTS:
                self._patient(*row)
            seed_scheduling(site=site)
            today = local_today(site)  # the clinic's day: at 23:30 in New York, UTC is tomorrow
            seed_insurance(
                password=password, today=today, created_by=users[0], stdout=None if quiet else self.stdout
            )
            seed_infusions(site=site, today=today, created_by=users[0])
            seed_chairside(site=site)
            seed_notifications()
            seed_waitlist(today=today, created_by=users[0])
        if not quiet:
            self._print_logins(site, users, password)

    def _site(self) -> Site:
        site, _ = Site.objects.update_or_create(
            name="Riverside Infusion Center",
            defaults={
                "time_zone": "America/New_York",
                "address": "200 Riverside Drive, Suite 3, Springfield",
                "phone": "+15555550100",
            },
        )
        return site

    def _user(self, username, role, given, family):
        user, _ = get_user_model().objects.get_or_create(
            username=username,
            defaults={
                "first_name": given,
                "last_name": family,
                "email": f"{username}@clinic.example",
                "is_staff": role in ADMIN_ROLES,
            },
        )
        user.groups.set([Group.objects.get(name=role.value)])
        return user

    def _passwords(self, users, password):
        """Give the demo users the demo password with one hash, not one each: PBKDF2 is slow on purpose
        (most of a first seed's time on a busy machine), and the four share the printed password anyway.
        Checked once when they already share a hash, so running the demo again hashes nothing new."""
        hashes = {user.password for user in users}
        if len(hashes) == 1 and check_password(password, hashes.pop()):
            return
        hashed = make_password(password)
        for user in users:
            user.password = hashed
        get_user_model().objects.bulk_update(users, ["password"])

    def _patient(self, mrn, given, family, born, sex, phone, body, codes, flags, labs):
        patient, created = Patient.objects.get_or_create(
            mrn=mrn,
            defaults={
                "given_name": given,
                "family_name": family,
                "date_of_birth": born,
                "sex": sex,
                "phone": phone,
                "email": f"{given.lower()}.{family.lower()}@example.org",
                "reminder_channel": "sms" if phone else "email",
            },
        )
        if not created:
            return
        now = timezone.now()
        weight, height = body
        Measurement.objects.create(
            patient=patient, kind="height", value=Decimal(height), measured_at=now - timedelta(days=120)
        )
        for days_ago, delta in ((60, "0.8"), (9, "0")):
            Measurement.objects.create(
                patient=patient,
                kind="weight",
                value=Decimal(weight) + Decimal(delta),
                measured_at=now - timedelta(days=days_ago),
            )
        creatinine, egfr, platelets = labs
        collected = now - timedelta(days=12)
        LabResult.objects.create(
            patient=patient,
            test="creatinine",
            value=Decimal(creatinine),
            unit="mg/dL",
            collected_at=collected,
        )
        LabResult.objects.create(
            patient=patient, test="egfr", value=Decimal(egfr), unit="mL/min/{1.73_m2}", collected_at=collected
        )
        LabResult.objects.create(
            patient=patient, test="platelets", value=Decimal(platelets), unit="10*9/L", collected_at=collected
        )
        for index, code in enumerate(codes):
            diagnosis = Diagnosis(
                patient=patient, code=code, is_primary=index == 0, diagnosed_on=date(2024, 3, 1)
            )
            diagnosis.clean()
            diagnosis.save()
        for kind in flags:
            RiskFlag.objects.create(patient=patient, kind=kind)
        if mrn == "MRN-100005":
            Allergy.objects.create(
                patient=patient, substance="Penicillin", reaction="Hives", severity="moderate"
            )

    def _print_logins(self, site, users, password):
        port = os.environ.get("PORT", "8000")
        self.stdout.write(
            self.style.SUCCESS(f"\nDemo data ready: {site.name}, {Patient.objects.count()} patients.")
        )
        self.stdout.write(
            f"Open http://127.0.0.1:{port}/admin/  (API: /api/v1/, docs: /api/docs/, health: /healthz)"
        )
        self.stdout.write("Demo logins (username / password):")
        for user in users:
            role = user.groups.first().name
            where = {
                Role.NURSE: "tablet pages /chairside/ + API",
                Role.INSURER: "none: insurers use the API clients above",
            }.get(role, "admin + API" if user.is_staff else "API")
            self.stdout.write(f"  {user.username:<10} / {password:<16} {role:<15} {where}")
