"""The chairside record of one infusion: the session (check-in to discharge), its checklist,
premedication, vitals, rate changes, reactions and product lots.

Every row a tablet submits carries `client_id`, a UUID the tablet generates; a unique constraint keeps a
resubmission (flaky Wi-Fi, a double tap) from being stored twice, and the services answer a replay with
the row first stored. Rules about one row (plausible vitals, a reason for slowing down) are check
constraints; rules across rows (charting only while in progress) are in `charting.services`. The
tables kept the names they had when these models were part of infusions (`db_table`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from charting.confirmations import END_REASONS
from clinic.audit import audit_register
from clinic.db import constraint_error
from infusions import vitals as limits
from infusions.models import Product
from infusions.models.orders import TreatmentOrder
from patients.models import Patient, PatientOwned
from scheduling.models import Booking, Chair, Site


def _client_id_unique(model: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=["client_id"],
        name=constraint_error(
            f"{model}_client_id_unique",
            field="client_id",
            code="client_id_reused",
            message="This submission id was already used for another entry.",
        ),
    )


class SessionStatus(models.TextChoices):
    CHECKED_IN = "checked_in", _("Checked in")
    RUNNING = "running", _("Infusing")
    OBSERVATION = "observation", _("Observation")
    DISCHARGED = "discharged", _("Discharged")


class InfusionSession(PatientOwned):
    """One patient's infusion for one booking of an order's cycle, from check-in to discharge."""

    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="infusion_session")
    order = models.ForeignKey(TreatmentOrder, on_delete=models.PROTECT, related_name="sessions")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="infusion_sessions")
    cycle = models.PositiveSmallIntegerField(null=True, blank=True)
    day = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=SessionStatus.choices, default=SessionStatus.CHECKED_IN)
    checked_in_at = models.DateTimeField()
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    discharged_at = models.DateTimeField(null=True, blank=True)
    # The weight the order's plan used at check-in (the latest on file) and today's, from the checklist.
    order_weight_kg = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    weight_kg = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    dose_recomputed = models.BooleanField(default=False, help_text="Today's weight differs by over 5%.")
    # The plan as it stood when the checklist was done: what the pump is programmed from.
    protocol_name = models.CharField(max_length=80, blank=True)
    # The day's ordered dose before rounding to whole vials (`Plan.dose_grams`); planned_grams is after.
    ordered_grams = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    planned_grams = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    planned_volume_ml = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    rate_cap_ml_per_hour = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    plan_steps = models.JSONField(default=list, blank=True, help_text="[{minutes, rate_ml_per_hour}]")
    volume_given_ml = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    grams_given = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    # Asked before what cannot be undone (`charting.confirmations`): why the infusion ended short of the
    # planned volume, and why the patient left before the observation was over or with a reaction open.
    end_reason = models.CharField(
        max_length=16, choices=[(value, _(label)) for value, label in END_REASONS.items()], blank=True
    )
    end_note = models.CharField(max_length=300, blank=True)
    discharge_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        db_table = "infusions_infusionsession"  # the table it had in infusions, kept
        ordering = ["-checked_in_at", "-pk"]
        indexes = [
            models.Index(fields=["order", "status"]),
            models.Index(fields=["patient", "checked_in_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(status=SessionStatus.CHECKED_IN)
                    | (Q(status=SessionStatus.RUNNING) & Q(started_at__isnull=False))
                    | (
                        Q(status=SessionStatus.OBSERVATION)
                        & Q(started_at__isnull=False, ended_at__isnull=False)
                    )
                    | (
                        Q(status=SessionStatus.DISCHARGED)
                        & Q(started_at__isnull=False, ended_at__isnull=False, discharged_at__isnull=False)
                    )
                ),
                name=constraint_error(
                    "session_status_has_times",
                    field="status",
                    code="status_invalid",
                    message="A session's status needs its start, end and discharge times.",
                ),
            ),
            models.CheckConstraint(
                condition=(Q(started_at__isnull=True) | Q(started_at__gte=models.F("checked_in_at")))
                & (Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")))
                & (Q(discharged_at__isnull=True) | Q(discharged_at__gte=models.F("ended_at"))),
                name=constraint_error(
                    "session_times_in_order",
                    field="started_at",
                    code="time_out_of_order",
                    message="Check-in, start, end and discharge happen in that order.",
                ),
            ),
            models.CheckConstraint(
                condition=(Q(volume_given_ml__isnull=True) | Q(volume_given_ml__gte=0))
                & (Q(weight_kg__isnull=True) | Q(weight_kg__gt=0, weight_kg__lte=400)),
                name=constraint_error(
                    "session_amounts_valid",
                    field="volume_given_ml",
                    code="value_out_of_range",
                    message="Volumes are not negative and a weight is over 0 and at most 400 kg.",
                ),
            ),
            models.CheckConstraint(
                condition=~Q(end_reason="other") | ~Q(end_note=""),
                name=constraint_error(
                    "session_end_other_reason",
                    field="end_note",
                    code="reason_required",
                    message="Say what the other reason is.",
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"Infusion session #{self.pk} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status != SessionStatus.DISCHARGED


class SessionEventKind(models.TextChoices):
    CHECK_IN = "check_in", _("Checked in")
    START = "start", _("Infusion started")
    END = "end", _("Infusion ended")
    DISCHARGE = "discharge", _("Discharged")


class SessionEvent(models.Model):
    """A step of the session's life, once each (the database refuses a second start)."""

    session = models.ForeignKey(InfusionSession, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=SessionEventKind.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    client_id = models.UUIDField()

    class Meta:
        db_table = "infusions_sessionevent"  # the table it had in infusions, kept
        ordering = ["session", "at", "pk"]
        constraints = [
            _client_id_unique("session_event"),
            models.UniqueConstraint(
                fields=["session", "kind"],
                name=constraint_error(
                    "session_event_once",
                    field="status",
                    code="already_done",
                    message="This step of the session is already recorded.",
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%H:%M} UTC"

    def get_additional_data(self) -> dict:
        return {"patient_id": self.session.patient_id}


class SessionOwned(models.Model):
    """A row charted on a session: who, when, and the tablet's submission id."""

    client_id = models.UUIDField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def get_additional_data(self) -> dict:
        return {"patient_id": self.session.patient_id}


class Hydration(models.TextChoices):
    ORAL = "oral", _("Oral fluids taken")
    IV = "iv", _("IV pre-hydration")
    NONE = "none", _("None needed")


class Checklist(SessionOwned):
    """The pre-infusion checklist, once per session."""

    session = models.OneToOneField(InfusionSession, on_delete=models.CASCADE, related_name="checklist")
    identity_confirmed = models.BooleanField()
    weight_kg = models.DecimalField(max_digits=6, decimal_places=2)
    hydration = models.CharField(max_length=4, choices=Hydration.choices)
    egfr_reviewed = models.BooleanField(help_text="The nurse looked at the last eGFR and its date.")
    checks_acknowledged = models.BooleanField(help_text="The order's safety checks were read.")
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        db_table = "infusions_checklist"  # the table it had in infusions, kept
        constraints = [
            _client_id_unique("checklist"),
            models.CheckConstraint(
                condition=Q(identity_confirmed=True, egfr_reviewed=True, checks_acknowledged=True),
                name=constraint_error(
                    "checklist_confirmed",
                    field="identity_confirmed",
                    code="checklist_incomplete",
                    message="Confirm identity, the eGFR and the safety checks before the infusion.",
                ),
            ),
            models.CheckConstraint(
                condition=Q(weight_kg__gt=0, weight_kg__lte=400),
                name=constraint_error(
                    "checklist_weight_plausible",
                    field="weight_kg",
                    code="weight_out_of_range",
                    message="A weight is over 0 and at most 400 kg.",
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"Checklist of session #{self.session_id}"


class Premedication(SessionOwned):
    session = models.ForeignKey(InfusionSession, on_delete=models.CASCADE, related_name="premedications")
    drug = models.CharField(max_length=80)
    dose = models.CharField(max_length=40, help_text='As given, e.g. "650 mg".')
    route = models.CharField(max_length=10, default="PO")
    given_at = models.DateTimeField()
    # False: the nurse confirmed giving something the order does not prescribe (or at another dose).
    as_ordered = models.BooleanField(default=True)

    class Meta:
        db_table = "infusions_premedication"  # the table it had in infusions, kept
        ordering = ["session", "given_at", "pk"]
        constraints = [
            _client_id_unique("premedication"),
            models.CheckConstraint(
                condition=~Q(drug="") & ~Q(dose=""),
                name=constraint_error(
                    "premedication_named",
                    field="drug",
                    code="drug_required",
                    message="Name the drug and the dose given.",
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.drug} {self.dose} {self.route}"


class VitalsPhase(models.TextChoices):
    BASELINE = "baseline", _("Baseline")
    INFUSION = "infusion", _("During infusion")
    END = "end", _("End of infusion")
    OBSERVATION = "observation", _("Observation")


def _between(field: str, low, high) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": low, f"{field}__lte": high})


class FlagAnswer(models.TextChoices):
    SLOWED = "slowed", _("Rate slowed")
    PAUSED = "paused", _("Infusion paused")
    REACTION = "reaction", _("Reaction recorded")
    CONTINUED = "continued", _("Continued")


class VitalsReading(SessionOwned):
    """One set of vitals. Impossible values are refused (here and in the service, with a message);
    abnormal ones are stored with `flags` saying why."""

    session = models.ForeignKey(InfusionSession, on_delete=models.CASCADE, related_name="vitals")
    phase = models.CharField(max_length=12, choices=VitalsPhase.choices)
    taken_at = models.DateTimeField()
    systolic = models.PositiveSmallIntegerField("systolic (mmHg)")
    diastolic = models.PositiveSmallIntegerField("diastolic (mmHg)")
    heart_rate = models.PositiveSmallIntegerField("heart rate (/min)")
    temperature_c = models.DecimalField(
        "temperature (C)", max_digits=3, decimal_places=1, null=True, blank=True
    )
    respiratory_rate = models.PositiveSmallIntegerField("respiratory rate (/min)", null=True, blank=True)
    spo2 = models.PositiveSmallIntegerField("SpO2 (%)")
    symptoms = models.CharField(max_length=500, blank=True)
    flags = models.JSONField(default=list, blank=True, help_text="[{code, message}] of abnormal values.")
    # A flagged reading is answered: the nurse slowed or paused the pump, recorded a reaction, or went on
    # with a reason (`charting.services.vitals_flag_answer`).
    flag_answer = models.CharField(max_length=10, choices=FlagAnswer.choices, blank=True)
    flag_answer_reason = models.CharField(max_length=300, blank=True)
    flag_answered_at = models.DateTimeField(null=True, blank=True)
    flag_answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "infusions_vitalsreading"  # the table it had in infusions, kept
        ordering = ["session", "taken_at", "pk"]
        indexes = [
            models.Index(fields=["session", "taken_at"]),
            # Only the flagged sets (a few in a hundred): the Safety report finds them without reading
            # every set of the range.
            models.Index(fields=["session"], condition=~Q(flags=[]), name="vitals_flagged"),
        ]
        constraints = [
            _client_id_unique("vitals"),
            models.CheckConstraint(
                condition=_between("systolic", *limits.POSSIBLE["systolic"])
                & _between("diastolic", *limits.POSSIBLE["diastolic"])
                & _between("heart_rate", *limits.POSSIBLE["heart_rate"])
                & _between("temperature_c", *limits.POSSIBLE["temperature_c"])
                & _between("respiratory_rate", *limits.POSSIBLE["respiratory_rate"])
                & _between("spo2", *limits.POSSIBLE["spo2"])
                & Q(diastolic__lt=models.F("systolic")),
                name=constraint_error(
                    "vitals_possible",
                    field="systolic",
                    code="vitals_impossible",
                    message="These vitals are not possible; check the numbers.",
                ),
            ),
            models.CheckConstraint(
                condition=~Q(flag_answer=FlagAnswer.CONTINUED) | ~Q(flag_answer_reason=""),
                name=constraint_error(
                    "vitals_continue_reason",
                    field="flag_answer_reason",
                    code="reason_required",
                    message="Say why the infusion goes on unchanged.",
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.systolic}/{self.diastolic}, HR {self.heart_rate}, SpO2 {self.spo2}%"


class RateKind(models.TextChoices):
    START = "start", _("Start")
    STEP_UP = "step_up", _("Step up")
    HOLD = "hold", _("Hold")
    SLOW = "slow", _("Slow")
    PAUSE = "pause", _("Pause")
    RESUME = "resume", _("Resume")
    STOP = "stop", _("Stop")


NEEDS_REASON = (RateKind.HOLD, RateKind.SLOW, RateKind.PAUSE, RateKind.STOP)
NO_FLOW = (RateKind.PAUSE, RateKind.STOP)


class RateChange(SessionOwned):
    """The pump set to a rate at a time. Pause and stop run at 0 mL/h."""

    session = models.ForeignKey(InfusionSession, on_delete=models.CASCADE, related_name="rate_changes")
    kind = models.CharField(max_length=8, choices=RateKind.choices)
    at = models.DateTimeField()
    rate_ml_per_hour = models.DecimalField("rate (mL/h)", max_digits=6, decimal_places=1)
    reason = models.CharField(max_length=300, blank=True)
    over_cap = models.BooleanField(default=False, help_text="Confirmed above the plan's maximum rate.")

    class Meta:
        db_table = "infusions_ratechange"  # the table it had in infusions, kept
        ordering = ["session", "at", "pk"]
        constraints = [
            _client_id_unique("rate_change"),
            models.CheckConstraint(
                condition=(Q(kind__in=NO_FLOW) & Q(rate_ml_per_hour=0))
                | (~Q(kind__in=NO_FLOW) & Q(rate_ml_per_hour__gt=0, rate_ml_per_hour__lte=2000)),
                name=constraint_error(
                    "rate_change_rate_valid",
                    field="rate_ml_per_hour",
                    code="rate_invalid",
                    message="A running rate is over 0 and at most 2000 mL/h; pause and stop are 0 mL/h.",
                ),
            ),
            models.CheckConstraint(
                condition=(~Q(kind__in=NEEDS_REASON) & Q(over_cap=False)) | ~Q(reason=""),
                name=constraint_error(
                    "rate_change_reason",
                    field="reason",
                    code="reason_required",
                    message="Say why (hold, slow, pause, stop, or a rate above the maximum).",
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.rate_ml_per_hour.normalize():f} mL/h"


class ReactionKind(models.TextChoices):
    HEADACHE = "headache", _("Headache")
    CHILLS = "chills", _("Chills / rigors")
    FEVER = "fever", _("Fever")
    NAUSEA = "nausea", _("Nausea / vomiting")
    FLUSHING = "flushing", _("Flushing")
    URTICARIA = "urticaria", _("Rash / urticaria")
    HYPOTENSION = "hypotension", _("Hypotension")
    HYPERTENSION = "hypertension", _("Hypertension")
    DYSPNEA = "dyspnea", _("Shortness of breath")
    CHEST_PAIN = "chest_pain", _("Chest pain")
    ANAPHYLAXIS = "anaphylaxis", _("Anaphylaxis")
    OTHER = "other", _("Other")


class ReactionOnset(models.TextChoices):
    DURING = "during", _("During the infusion")
    WITHIN_72H = "within_72h", _("Within 72 hours")
    LATER = "later", _("Later")


class ReactionAction(models.TextChoices):
    NONE = "none", _("None")
    RATE_REDUCED = "rate_reduced", _("Rate reduced")
    PAUSED = "paused", _("Paused")
    STOPPED = "stopped", _("Stopped")
    MEDICATION = "medication", _("Medication given")
    TRANSFERRED = "transferred", _("Transferred")


class ReactionOutcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved")
    RESOLVING = "resolving", _("Resolving")
    ONGOING = "ongoing", _("Ongoing")
    TRANSFERRED = "transferred", _("Transferred for care")
    FATAL = "fatal", _("Fatal")


# CTCAE v5, infusion-related reaction.
CTCAE_GRADES = {
    1: _("Mild; no interruption needed"),
    2: _("Interruption needed; responds promptly to treatment"),
    3: _("Prolonged or recurring; hospitalisation"),
    4: _("Life-threatening; urgent intervention"),
    5: _("Death"),
}
# A reaction of this grade or more changes the next infusion (slower protocol, premedication).
FLAG_GRADE = 2


class Reaction(SessionOwned):
    session = models.ForeignKey(InfusionSession, on_delete=models.CASCADE, related_name="reactions")
    kind = models.CharField(max_length=12, choices=ReactionKind.choices)
    onset = models.CharField(max_length=10, choices=ReactionOnset.choices, default=ReactionOnset.DURING)
    grade = models.PositiveSmallIntegerField(
        "CTCAE grade", choices=[(g, format_lazy("{}: {}", g, t)) for g, t in CTCAE_GRADES.items()]
    )
    action = models.CharField(max_length=12, choices=ReactionAction.choices)
    medication = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=12, choices=ReactionOutcome.choices)
    noted_at = models.DateTimeField()
    note = models.CharField(max_length=500, blank=True)
    vitals = models.ManyToManyField(VitalsReading, blank=True, related_name="reactions")

    class Meta:
        db_table = "infusions_reaction"  # the table it had in infusions, kept
        ordering = ["session", "noted_at", "pk"]
        constraints = [
            _client_id_unique("reaction"),
            models.CheckConstraint(
                condition=Q(grade__gte=1, grade__lte=5),
                name=constraint_error(
                    "reaction_grade_ctcae",
                    field="grade",
                    code="grade_invalid",
                    message="A CTCAE grade is 1 to 5.",
                ),
            ),
            models.CheckConstraint(
                condition=~Q(action=ReactionAction.MEDICATION) | ~Q(medication=""),
                name=constraint_error(
                    "reaction_medication_named",
                    field="medication",
                    code="medication_required",
                    message="Name the medication given.",
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, grade {self.grade}"


class ProductBarcode(models.Model):
    """A GTIN printed on a product's vials (GS1 DataMatrix, AI 01): how a scanned vial is known to be the
    order's product. Managers add them in the admin."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="barcodes")
    gtin = models.CharField("GTIN", max_length=14, unique=True, help_text="14 digits, as on the vial.")
    note = models.CharField(max_length=100, blank=True, help_text='E.g. "10 g vial".')

    class Meta:
        ordering = ["product", "gtin"]
        constraints = [
            models.CheckConstraint(
                condition=Q(gtin__regex=r"^[0-9]{14}$"),
                name=constraint_error(
                    "product_barcode_gtin_digits",
                    field="gtin",
                    code="gtin_invalid",
                    message="A GTIN here has 14 digits (pad a GTIN-13 with a leading 0).",
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.gtin} ({self.product})"


class LotRecord(SessionOwned):
    """Vials of one lot used in the session (plasma products are traced by lot)."""

    session = models.ForeignKey(InfusionSession, on_delete=models.CASCADE, related_name="lots")
    lot_number = models.CharField(max_length=40)
    vial_size_g = models.DecimalField("vial size (g)", max_digits=6, decimal_places=2)
    vials = models.PositiveSmallIntegerField(default=1)
    expiry = models.DateField()
    gtin = models.CharField("GTIN", max_length=14, blank=True, help_text="From the scanned barcode.")

    class Meta:
        db_table = "infusions_lotrecord"  # the table it had in infusions, kept
        ordering = ["session", "recorded_at", "pk"]
        constraints = [
            _client_id_unique("lot"),
            models.CheckConstraint(
                condition=~Q(lot_number="") & Q(vial_size_g__gt=0, vials__gte=1),
                name=constraint_error(
                    "lot_record_valid",
                    field="lot_number",
                    code="lot_invalid",
                    message="A lot needs its number, a vial size and at least one vial.",
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"Lot {self.lot_number}: {self.vials} x {self.vial_size_g.normalize():f} g"


class ChairAssignment(models.Model):
    """The nurse looking after a chair on a day (she picks it on the tablet's board); one per chair and
    day, taken over by the next nurse who picks it."""

    chair = models.ForeignKey(Chair, on_delete=models.CASCADE, related_name="assignments")
    day = models.DateField(help_text="The site's local day.")
    nurse = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    assigned_at = models.DateTimeField()

    class Meta:
        ordering = ["day", "chair"]
        constraints = [
            models.UniqueConstraint(
                fields=["chair", "day"],
                name=constraint_error(
                    "chair_assignment_once_a_day",
                    field="chair",
                    code="already_assigned",
                    message="This chair already has a nurse today.",
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.chair} on {self.day}: {self.nurse}"


class HandoverNote(models.Model):
    """What the next nurse needs to know: about one session (`session` set) or the whole shift at a
    site (`session` empty). Notes are added, never edited."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="handover_notes")
    day = models.DateField(help_text="The site's local day.")
    session = models.ForeignKey(
        InfusionSession, null=True, blank=True, on_delete=models.CASCADE, related_name="handover_notes"
    )
    text = models.CharField(max_length=1000)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    written_at = models.DateTimeField()
    client_id = models.UUIDField()

    class Meta:
        ordering = ["written_at", "pk"]
        indexes = [models.Index(fields=["site", "day"])]
        constraints = [
            _client_id_unique("handover_note"),
            models.CheckConstraint(
                condition=~Q(text=""),
                name=constraint_error(
                    "handover_note_text", field="text", code="text_required", message="Write the note."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"Handover note of {self.day}"

    def get_additional_data(self) -> dict:
        return {"patient_id": self.session.patient_id} if self.session_id else {}


audit_register(
    HandoverNote,
    InfusionSession,
    SessionEvent,
    Checklist,
    Premedication,
    VitalsReading,
    RateChange,
    Reaction,
    LotRecord,
)
