"""Payers, coverage, prior authorizations, their usage, and the insurer API's own records.

Insurance knows nothing of infusions or scheduling: an authorization names its treatment order by the
order's id (`order_id`, a plain number infusions gives), and usage is keyed by the id of the booking
that reserved or used it (`booking_id`). Rules that touch several rows live in `insurance.services`.
"""

from datetime import timedelta

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models import F, Q

from clinic.db import constraint_error
from insurance.remaining import remaining
from patients.models import Patient, PatientOwned

# CMS-0057-F: a decision within 72 hours for expedited requests, 7 calendar days for standard ones.
DECISION_WINDOWS = {"expedited": timedelta(hours=72), "standard": timedelta(days=7)}


class Payer(models.Model):
    name = models.CharField(max_length=120)
    code = models.SlugField(max_length=40, help_text="Short name used in the API, e.g. acme-health.")
    requires_authorization = models.BooleanField(
        default=True, help_text="Cycles of its members need an approved prior authorization."
    )
    phone = models.CharField(max_length=20, blank=True)
    fax = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                name=constraint_error(
                    "payer_code_unique", field="code", code="code_taken", message="This payer code is taken."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Coverage(PatientOwned):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="coverages")
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="coverages")
    member_id = models.CharField(max_length=40)
    plan_name = models.CharField(max_length=120, blank=True)
    priority = models.PositiveSmallIntegerField(default=1, help_text="1 primary, 2 secondary, ...")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True, help_text="Empty: open-ended.")

    class Meta:
        ordering = ["patient", "priority", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["payer", "member_id", "valid_from"],
                name=constraint_error(
                    "coverage_member_once",
                    field="member_id",
                    code="coverage_exists",
                    message="This payer's member already has a coverage from this date.",
                ),
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name=constraint_error(
                    "coverage_dates_ordered",
                    field="valid_to",
                    code="dates_invalid",
                    message="Coverage ends on or after it starts.",
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payer} {self.member_id}"

    def covers(self, day) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class AuthStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    PENDED = "pended", "Pended (information requested)"
    APPROVED = "approved", "Approved"
    PARTIALLY_APPROVED = "partially_approved", "Partially approved"
    DENIED = "denied", "Denied"
    APPEALED = "appealed", "Appealed"
    EXPIRED = "expired", "Expired"
    CANCELLED = "cancelled", "Cancelled"


GRANTED = (AuthStatus.APPROVED, AuthStatus.PARTIALLY_APPROVED)
# Waiting on the payer: the due time runs.
AWAITING_PAYER = (AuthStatus.SUBMITTED, AuthStatus.APPEALED)


class Urgency(models.TextChoices):
    EXPEDITED = "expedited", "Expedited (72 hours)"
    STANDARD = "standard", "Standard (7 days)"


class PriorAuthorization(PatientOwned):
    # payer and patient repeat the coverage's, so the insurer API filters one indexed column.
    coverage = models.ForeignKey(Coverage, on_delete=models.PROTECT, related_name="authorizations")
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="authorizations")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="authorizations")
    order_id = models.PositiveBigIntegerField(
        "treatment order id",
        null=True,
        blank=True,
        help_text="The treatment order it is for (set when a cycle is booked against it).",
    )
    status = models.CharField(max_length=20, choices=AuthStatus.choices, default=AuthStatus.DRAFT)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.STANDARD)
    number = models.CharField("authorization number", max_length=40, blank=True)
    hcpcs_code = models.CharField("HCPCS code", max_length=5)
    icd10_code = models.CharField("ICD-10-CM code", max_length=10)
    units_requested = models.PositiveIntegerField(help_text="Billing units (500 mg for IVIG).")
    infusions_requested = models.PositiveSmallIntegerField(null=True, blank=True)
    requested_from = models.DateField()
    requested_to = models.DateField()
    units_approved = models.PositiveIntegerField(null=True, blank=True)
    infusions_approved = models.PositiveSmallIntegerField(null=True, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    units_per_cycle = models.PositiveIntegerField(
        null=True, blank=True, help_text="Units one cycle of the order needs (set when a cycle is booked)."
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True, help_text="When the payer's decision is due.")
    decided_at = models.DateTimeField(null=True, blank=True)
    denial_code = models.CharField(max_length=20, blank=True)
    denial_reason = models.TextField(blank=True)
    information_requested = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [
            models.Index(fields=["payer", "-updated_at", "-id"], name="auth_payer_updated"),
            # The insurer list's other orderings and its status filter walk an index and stop at the page.
            models.Index(fields=["payer", "due_at", "id"], name="auth_payer_due"),
            models.Index(fields=["payer", "status", "-updated_at", "-id"], name="auth_payer_status"),
            models.Index(fields=["patient", "status"], name="auth_patient_status"),
            models.Index(fields=["order_id"], name="auth_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(requested_to__gte=F("requested_from")),
                name=constraint_error(
                    "auth_requested_dates_ordered",
                    field="requested_to",
                    code="dates_invalid",
                    message="The requested period ends on or after it starts.",
                ),
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name=constraint_error(
                    "auth_valid_dates_ordered",
                    field="valid_to",
                    code="dates_invalid",
                    message="The authorization ends on or after it starts.",
                ),
            ),
            models.CheckConstraint(
                condition=Q(units_requested__gt=0),
                name=constraint_error(
                    "auth_units_requested_positive",
                    field="units_requested",
                    code="units_invalid",
                    message="Request at least one unit.",
                ),
            ),
            # A granted authorization says what and when; a denial says why (CMS-0057-F).
            models.CheckConstraint(
                condition=~Q(status__in=GRANTED)
                | (
                    (Q(units_approved__isnull=False) | Q(infusions_approved__isnull=False))
                    & Q(valid_from__isnull=False, valid_to__isnull=False)
                ),
                name=constraint_error(
                    "auth_granted_has_terms",
                    field="units_approved",
                    code="terms_required",
                    message="An approval gives units or infusions and its valid dates.",
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status=AuthStatus.DENIED) | (~Q(denial_code="") & ~Q(denial_reason="")),
                name=constraint_error(
                    "auth_denial_has_reason",
                    field="denial_reason",
                    code="reason_required",
                    message="A denial gives a reason code and text.",
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"Authorization {self.number or f'#{self.pk}'} ({self.hcpcs_code})"

    # The figures below read the annotations of `insurance.selectors.with_usage()`.
    @property
    def remaining_units(self) -> int | None:
        """Units approved less those used and those reserved by booked sessions (None: not in units)."""
        return remaining(self.units_approved, self.units_used, self.units_reserved)

    @property
    def remaining_infusions(self) -> int | None:
        return remaining(self.infusions_approved, self.sessions_used, self.sessions_reserved)


class AuthorizationEvent(models.Model):
    """One change of an authorization: a transition, a usage change, a document. The insurer's
    changes feed reads these; the clinic's history too. Who is a staff user or an insurer client."""

    class Kind(models.TextChoices):
        TRANSITION = "transition", "Status changed"
        USAGE = "usage", "Usage changed"
        DOCUMENT = "document", "Document added"

    authorization = models.ForeignKey(PriorAuthorization, on_delete=models.CASCADE, related_name="events")
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    from_status = models.CharField(max_length=20, blank=True, choices=AuthStatus.choices)
    to_status = models.CharField(max_length=20, blank=True, choices=AuthStatus.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    via = models.CharField(max_length=12, help_text="admin, api, insurer_api, phone, fax, system")
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["payer", "at", "id"], name="auth_event_feed")]

    def __str__(self) -> str:
        if self.kind == self.Kind.TRANSITION:
            return f"{self.from_status or 'new'} -> {self.to_status}"
        return self.get_kind_display()


class AuthorizationDocument(models.Model):
    authorization = models.ForeignKey(PriorAuthorization, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=120)
    file = models.FileField(upload_to="authorizations/%Y/%m/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_additional_data(self) -> dict:
        return {"patient_id": self.authorization.patient_id}


class UsageStatus(models.TextChoices):
    RESERVED = "reserved", "Reserved (booked)"
    USED = "used", "Used (given)"
    RELEASED = "released", "Released"


class AuthorizationUsage(models.Model):
    """Units one booked session reserves, then uses when infusions reports it given (or releases when
    it is cancelled). `booking_id` is the session's booking (scheduling's id, a plain number here); a
    booking holds units once at a time."""

    authorization = models.ForeignKey(PriorAuthorization, on_delete=models.PROTECT, related_name="usage")
    booking_id = models.PositiveBigIntegerField("booking id")
    status = models.CharField(max_length=8, choices=UsageStatus.choices, default=UsageStatus.RESERVED)
    units = models.PositiveIntegerField()
    service_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["service_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking_id"],
                condition=~Q(status=UsageStatus.RELEASED),
                name=constraint_error(
                    "usage_booking_once",
                    field="booking_id",
                    code="usage_exists",
                    message="This session already holds units.",
                ),
            ),
            models.CheckConstraint(
                condition=Q(units__gte=0),
                name=constraint_error(
                    "usage_units_positive", field="units", code="units_invalid", message="Units are positive."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.units} units {self.get_status_display().lower()} (booking #{self.booking_id})"


class AuthorizationOverride(models.Model):
    """A clinic manager lets one cycle of an order be booked without an authorization, with a reason.

    Like infusions' BlockOverride; it is used up by the next cycle booked for the order (`used_at`,
    `used_cycle`).
    """

    order_id = models.PositiveBigIntegerField("treatment order id")
    reason = models.CharField(max_length=300)
    overridden_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    overridden_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)
    used_cycle = models.PositiveSmallIntegerField(null=True, blank=True, help_text="The cycle that used it.")

    class Meta:
        ordering = ["-overridden_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["order_id"],
                condition=Q(used_at__isnull=True),
                name=constraint_error(
                    "auth_override_once_open",
                    field="order_id",
                    code="override_exists",
                    message="This order already has an unused authorization override.",
                ),
            ),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name=constraint_error(
                    "auth_override_has_reason",
                    field="reason",
                    code="reason_required",
                    message="Give a reason.",
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"Authorization override for order {self.order_id}"


class PayerClient(models.Model):
    """Ties one OAuth2 client application to exactly one payer, with the scopes it may ask for."""

    application = models.OneToOneField(
        "oauth2_provider.Application", on_delete=models.CASCADE, related_name="payer_client"
    )
    payer = models.ForeignKey(Payer, on_delete=models.CASCADE, related_name="clients")
    scopes = models.CharField(
        max_length=100,
        default="authorizations:read authorizations:decide",
        help_text="Space-separated scopes this client may be granted.",
    )

    class Meta:
        ordering = ["payer", "pk"]

    def __str__(self) -> str:
        return f"{self.payer} client {self.application.client_id}"

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()


class DecisionRequest(models.Model):
    """What an insurer's decision with an `Idempotency-Key` answered, so a replay gets it again."""

    application = models.ForeignKey("oauth2_provider.Application", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    authorization = models.ForeignKey(PriorAuthorization, on_delete=models.CASCADE, related_name="+")
    body_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "key"], name="decision_request_key_once"),
        ]

    def __str__(self) -> str:
        return f"Decision request {self.key}"


auditlog.register(Payer)
auditlog.register(Coverage)
auditlog.register(PriorAuthorization)
auditlog.register(AuthorizationDocument)
auditlog.register(AuthorizationOverride)
