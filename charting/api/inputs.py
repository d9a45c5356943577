"""What the chairside API takes: each POST's body, types only (the rules are the services').
Every body carries the tablet's `client_id`."""

from rest_framework import serializers

from charting.confirmations import END_REASONS
from charting.models import (
    Hydration,
    InfusionSession,
    RateKind,
    ReactionAction,
    ReactionKind,
    ReactionOnset,
    ReactionOutcome,
)
from clinic.fields import AwareDateTimeField
from scheduling.models import Booking, Chair, Site


class _Submission(serializers.Serializer):
    client_id = serializers.UUIDField()


class CheckInInput(_Submission):
    booking = serializers.PrimaryKeyRelatedField(queryset=Booking.objects.select_related("site", "patient"))
    at = AwareDateTimeField(required=False, allow_null=True)


class TransitionInput(_Submission):
    at = AwareDateTimeField(required=False, allow_null=True)


class EndInput(TransitionInput):
    volume_given_ml = serializers.DecimalField(
        max_digits=7, decimal_places=1, required=False, allow_null=True
    )
    end_reason = serializers.ChoiceField(
        choices=list(END_REASONS.items()),
        required=False,
        allow_blank=True,
        default="",
        help_text="Needed when the volume given is short of the planned volume.",
    )
    end_note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class DischargeInput(TransitionInput):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=300,
        default="",
        help_text="Needed before the observation time is over or with a reaction not resolved.",
    )


class PremedicationAsOrderedInput(_Submission):
    given_at = AwareDateTimeField(required=False, allow_null=True)


class FlagAnswerInput(_Submission):
    # A string, checked by the service (`answer_invalid`): the choices are the reading's `flag_answer`.
    answer = serializers.CharField(max_length=10, help_text="slowed, paused, reaction or continued.")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    rate_ml_per_hour = serializers.DecimalField(
        max_digits=6, decimal_places=1, required=False, allow_null=True, help_text="The slower rate."
    )
    at = AwareDateTimeField(required=False, allow_null=True)


class ChecklistInput(_Submission):
    identity_confirmed = serializers.BooleanField()
    weight_kg = serializers.DecimalField(max_digits=6, decimal_places=2)
    hydration = serializers.ChoiceField(choices=Hydration.choices)
    egfr_reviewed = serializers.BooleanField()
    checks_acknowledged = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class PremedicationInput(_Submission):
    drug = serializers.CharField(max_length=80)
    dose = serializers.CharField(max_length=40)
    route = serializers.CharField(max_length=10, default="PO")
    given_at = AwareDateTimeField()
    confirm_not_ordered = serializers.BooleanField(default=False)


class VitalsInput(_Submission):
    taken_at = AwareDateTimeField()
    systolic = serializers.IntegerField()
    diastolic = serializers.IntegerField()
    heart_rate = serializers.IntegerField()
    spo2 = serializers.IntegerField()
    temperature_c = serializers.DecimalField(max_digits=4, decimal_places=1, required=False, allow_null=True)
    respiratory_rate = serializers.IntegerField(required=False, allow_null=True)
    symptoms = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    confirm_repeat = serializers.BooleanField(default=False)


class RateChangeInput(_Submission):
    kind = serializers.ChoiceField(
        choices=RateKind.choices, help_text="start comes with the session's start/."
    )
    at = AwareDateTimeField()
    rate_ml_per_hour = serializers.DecimalField(
        max_digits=6, decimal_places=1, required=False, allow_null=True
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    confirm_over_cap = serializers.BooleanField(default=False)


class ReactionInput(_Submission):
    kind = serializers.ChoiceField(choices=ReactionKind.choices)
    grade = serializers.IntegerField()
    action = serializers.ChoiceField(choices=ReactionAction.choices)
    outcome = serializers.ChoiceField(choices=ReactionOutcome.choices)
    noted_at = AwareDateTimeField()
    onset = serializers.ChoiceField(choices=ReactionOnset.choices, default=ReactionOnset.DURING)
    medication = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    vitals_ids = serializers.ListField(child=serializers.IntegerField(), required=False, allow_null=True)


class LotInput(_Submission):
    lot_number = serializers.CharField(max_length=40)
    vial_size_g = serializers.DecimalField(max_digits=6, decimal_places=2)
    vials = serializers.IntegerField(min_value=1, max_value=50, default=1)
    expiry = serializers.DateField()
    gtin = serializers.CharField(
        max_length=14, required=False, allow_blank=True, default="", help_text="From a scanned barcode."
    )


class ScanInput(serializers.Serializer):
    code = serializers.CharField(max_length=200, help_text="The GS1 barcode as scanned, or as printed.")


class ChairAssignmentInput(serializers.Serializer):
    chair = serializers.PrimaryKeyRelatedField(queryset=Chair.objects.select_related("site"))
    release = serializers.BooleanField(default=False, help_text="Give the chair back.")


class HandoverNoteInput(_Submission):
    site = serializers.PrimaryKeyRelatedField(queryset=Site.objects.all())
    session = serializers.PrimaryKeyRelatedField(
        queryset=InfusionSession.objects.select_related("booking"), required=False, allow_null=True
    )
    text = serializers.CharField(max_length=1000)
