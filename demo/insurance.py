"""Demo payers with API clients, coverages, and authorizations in every status (idempotent).

Runs before the infusions demo books its series, so that cycle is booked against (and reserves units
of) an approved authorization, as the rule requires. Client secrets are derived from the demo
password (never stored in the repository) and printed with the client ids.
"""

import hashlib
import hmac
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import Group
from django.utils import timezone
from oauth2_provider.models import Application

from clinic.roles import Role
from insurance import services
from insurance.models import AuthStatus, Coverage, Payer, PayerClient, PriorAuthorization
from patients.models import Patient

PAYERS = (
    ("acme-health", "Acme Health", "+15555550200", "+15555550201"),
    ("blue-harbor", "Blue Harbor Insurance", "+15555550300", "+15555550301"),
)
# mrn -> payer code, member id
COVERAGES = {
    "MRN-100001": ("acme-health", "ACM-204-118"),
    "MRN-100002": ("blue-harbor", "BHI-77120-01"),
    "MRN-100003": ("acme-health", "ACM-310-552"),
    "MRN-100004": ("blue-harbor", "BHI-80233-01"),
    "MRN-100005": ("acme-health", "ACM-412-907"),
    "MRN-100006": ("blue-harbor", "BHI-91002-02"),
    "MRN-100007": ("acme-health", "ACM-518-330"),
    "MRN-100008": ("blue-harbor", "BHI-93315-01"),
}
# key, mrn, hcpcs, icd10, units, urgency, status wanted. Units are 500 mg billing units.
AUTHORIZATIONS = (
    ("approved", "MRN-100002", "J1459", "G61.81", 840, "standard", AuthStatus.APPROVED),
    ("submitted", "MRN-100001", "J1569", "G61.81", 400, "expedited", AuthStatus.SUBMITTED),
    ("overdue", "MRN-100005", "J1568", "M33.10", 540, "standard", AuthStatus.SUBMITTED),
    ("pended", "MRN-100003", "J1459", "D69.3", 240, "expedited", AuthStatus.PENDED),
    ("partial", "MRN-100004", "J1561", "D83.9", 700, "standard", AuthStatus.PARTIALLY_APPROVED),
    ("denied", "MRN-100006", "J1459", "G61.0", 740, "expedited", AuthStatus.DENIED),
    ("appealed", "MRN-100008", "J1569", "G61.81", 620, "standard", AuthStatus.APPEALED),
    ("draft", "MRN-100008", "J1569", "G61.81", 620, "standard", AuthStatus.DRAFT),
    ("expired", "MRN-100001", "J1569", "G61.81", 400, "standard", AuthStatus.EXPIRED),
    ("cancelled", "MRN-100006", "J1459", "G61.0", 370, "expedited", AuthStatus.CANCELLED),
)


def demo_secret(password: str, code: str) -> str:
    """The demo client's secret: stable across runs, derived from the demo password."""
    return hmac.new(password.encode(), f"insurer-client:{code}".encode(), hashlib.sha256).hexdigest()[:40]


def _client(payer: Payer, password: str) -> tuple[str, str]:
    user, _ = get_user_model().objects.get_or_create(
        username=f"api-{payer.code}",
        defaults={"first_name": payer.name, "last_name": "API client", "is_staff": False},
    )
    if user.has_usable_password():
        user.set_unusable_password()
        user.save()
    user.groups.set([Group.objects.get(name=Role.INSURER.value)])
    client_id, secret = f"demo-{payer.code}", demo_secret(password, payer.code)
    app, created = Application.objects.get_or_create(
        client_id=client_id,
        defaults={
            "name": f"{payer.name} (demo)",
            "client_type": Application.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": Application.GRANT_CLIENT_CREDENTIALS,
            "user": user,
            "client_secret": secret,
        },
    )
    if not created and not check_password(secret, app.client_secret):
        app.client_secret = secret
        app.save()
    PayerClient.objects.get_or_create(application=app, defaults={"payer": payer})
    return client_id, secret


def seed_insurance(*, password: str, today: date, created_by=None, stdout=None) -> None:
    """Payers, their API clients, coverages and authorizations from `today` (the site's local day, so
    the demo's infusions today are inside their dates whatever the hour in UTC); prints the client
    credentials."""
    payers = {}
    for code, name, phone, fax in PAYERS:
        payers[code], _ = Payer.objects.get_or_create(
            code=code, defaults={"name": name, "phone": phone, "fax": fax}
        )
    clients = [(payers[code], *_client(payers[code], password)) for code, *_ in PAYERS]
    coverages = {}
    for patient in Patient.objects.filter(mrn__in=COVERAGES):
        code, member = COVERAGES[patient.mrn]
        coverages[patient.mrn], _ = Coverage.objects.get_or_create(
            payer=payers[code],
            member_id=member,
            valid_from=today.replace(month=1, day=1),
            defaults={"patient": patient, "plan_name": "PPO Gold" if code == "acme-health" else "Choice HMO"},
        )
    for key, mrn, hcpcs, icd10, units, urgency, wanted in AUTHORIZATIONS:
        if mrn in coverages and not PriorAuthorization.objects.filter(notes=f"Demo: {key}").exists():
            _authorization(coverages[mrn], key, hcpcs, icd10, units, urgency, wanted, created_by, today)
    if stdout is not None:
        stdout.write("Insurer API clients (client id / secret), tokens at POST /api/v1/oauth/token/:")
        for payer, client_id, secret in clients:
            stdout.write(f"  {payer.name:<22} {client_id} / {secret}")


def _authorization(coverage, key, hcpcs, icd10, units, urgency, wanted, by, today):
    expired = wanted == AuthStatus.EXPIRED
    # Approved ones were decided weeks ago, before the demo's infusions (today or the last opening day).
    settled = wanted in (AuthStatus.APPROVED, AuthStatus.PARTIALLY_APPROVED)
    start = today - timedelta(days=200 if expired else 21 if settled else 0)
    auth = services.authorization_create(
        coverage=coverage,
        hcpcs_code=hcpcs,
        icd10_code=icd10,
        units_requested=units,
        requested_from=start,
        requested_to=start + timedelta(days=180),
        urgency=urgency,
        notes=f"Demo: {key}",
        created_by=by,
        via="system",
    )
    if wanted == AuthStatus.DRAFT:
        return
    now = timezone.now() - timedelta(days=18 if settled else 0)
    submitted = now - timedelta(days=9 if key == "overdue" else 2 if settled else 1)
    services.authorization_submit(authorization=auth, by=by, via="system", now=submitted)
    number = f"DEMO-{coverage.payer.code[:3].upper()}-{auth.pk:05d}"
    decide = {"authorization": auth, "via": "fax", "by": by, "now": now}
    if wanted in (AuthStatus.APPROVED, AuthStatus.EXPIRED):
        services.authorization_decide(outcome=AuthStatus.APPROVED, number=number, **decide)
        if expired:
            services.authorizations_expire(today=today)
    elif wanted == AuthStatus.PARTIALLY_APPROVED:
        services.authorization_decide(
            outcome=AuthStatus.PARTIALLY_APPROVED,
            number=number,
            units_approved=units // 2,
            valid_from=start,
            valid_to=today + timedelta(days=20),  # expiring within 30 days: on the worklist
            **decide,
        )
    elif wanted == AuthStatus.PENDED:
        services.authorization_decide(
            outcome=AuthStatus.PENDED,
            information_requested="Platelet counts from the last 3 months and the hematologist's note.",
            **decide,
        )
    elif wanted in (AuthStatus.DENIED, AuthStatus.APPEALED):
        services.authorization_decide(
            outcome=AuthStatus.DENIED,
            denial_code="MN01",
            denial_reason="Medical necessity not shown: no nerve conduction study on file.",
            **decide,
        )
        if wanted == AuthStatus.APPEALED:
            services.authorization_appeal(
                authorization=auth,
                reason="Nerve conduction study attached (faxed today).",
                by=by,
                via="system",
            )
    elif wanted == AuthStatus.CANCELLED:
        services.authorization_cancel(authorization=auth, reason="Order changed to SCIG at home.", by=by)
