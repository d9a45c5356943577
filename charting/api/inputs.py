"""What the chairside API takes: each POST's body, types only (the rules are the services').
Every body carries the tablet's `client_id`."""

from rest_framework import serializers

from charting.models import (
    Hydration,
    RateKind,
    ReactionAction,
    ReactionKind,
    ReactionOnset,
    ReactionOutcome,
)
from clinic.fields import AwareDateTimeField
from scheduling.models import Booking


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


class VitalsInput(_Submission):
    taken_at = AwareDateTimeField()
    systolic = serializers.IntegerField()
    diastolic = serializers.IntegerField()
    heart_rate = serializers.IntegerField()
    spo2 = serializers.IntegerField()
    temperature_c = serializers.DecimalField(max_digits=4, decimal_places=1, required=False, allow_null=True)
    respiratory_rate = serializers.IntegerField(required=False, allow_null=True)
    symptoms = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


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
