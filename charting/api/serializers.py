"""What the chairside API answers: a session with its plan, and each row charted on it."""

from rest_framework import serializers

from charting import selectors
from charting.flag_text import flag_text
from charting.models import (
    ChairAssignment,
    Checklist,
    HandoverNote,
    InfusionSession,
    LotRecord,
    Premedication,
    RateChange,
    Reaction,
    VitalsReading,
)


class _Charted(serializers.ModelSerializer):
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)


class VitalsSerializer(_Charted):
    reaction_ids = serializers.SerializerMethodField()

    class Meta:
        model = VitalsReading
        fields = [
            "id",
            "client_id",
            "session",
            "phase",
            "taken_at",
            "systolic",
            "diastolic",
            "heart_rate",
            "temperature_c",
            "respiratory_rate",
            "spo2",
            "symptoms",
            "flags",
            "flag_answer",
            "flag_answer_reason",
            "flag_answered_at",
            "recorded_by",
            "recorded_at",
            "reaction_ids",
        ]

    def get_reaction_ids(self, reading) -> list[int]:
        return (
            [r.pk for r in reading.reactions.all()]
            if "reactions" in getattr(reading, "_prefetched_objects_cache", {})
            else []
        )

    def to_representation(self, instance):
        # Each flag's message in the request's language (English unless the tablet asked for its own,
        # charting/language.py);
        data = super().to_representation(instance)
        # what is stored stays English, with the parts the translation is made from (kept out of the API).
        data["flags"] = [
            {key: f[key] for key in ("code", "band") if key in f} | {"message": flag_text(f)}
            for f in instance.flags or []
        ]
        return data


class RateChangeSerializer(_Charted):
    class Meta:
        model = RateChange
        fields = ["id", "client_id", "session", "kind", "at", "rate_ml_per_hour", "reason", "over_cap"]
        fields += ["recorded_by", "recorded_at"]


class ReactionSerializer(_Charted):
    vitals = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Reaction
        fields = [
            "id",
            "client_id",
            "session",
            "kind",
            "onset",
            "grade",
            "action",
            "medication",
            "outcome",
            "noted_at",
            "note",
            "vitals",
            "recorded_by",
            "recorded_at",
        ]


class LotSerializer(_Charted):
    class Meta:
        model = LotRecord
        fields = ["id", "client_id", "session", "lot_number", "vial_size_g", "vials", "expiry", "gtin"]
        fields += ["recorded_by", "recorded_at"]


class PremedicationSerializer(_Charted):
    class Meta:
        model = Premedication
        fields = [
            "id",
            "client_id",
            "session",
            "drug",
            "dose",
            "route",
            "given_at",
            "as_ordered",
            "recorded_by",
            "recorded_at",
        ]


class ChecklistSerializer(_Charted):
    class Meta:
        model = Checklist
        fields = [
            "id",
            "client_id",
            "session",
            "identity_confirmed",
            "weight_kg",
            "hydration",
            "egfr_reviewed",
            "checks_acknowledged",
            "note",
            "recorded_by",
            "recorded_at",
        ]


class SessionSerializer(serializers.ModelSerializer):
    patient_name = serializers.SerializerMethodField()
    chair = serializers.CharField(source="booking.chair.label", read_only=True)
    product = serializers.CharField(source="order.product.brand", read_only=True)
    checklist = serializers.SerializerMethodField()
    premedications = PremedicationSerializer(many=True, read_only=True)
    vitals = VitalsSerializer(many=True, read_only=True)
    rate_changes = RateChangeSerializer(many=True, read_only=True)
    reactions = ReactionSerializer(many=True, read_only=True)
    lots = LotSerializer(many=True, read_only=True)
    schedule = serializers.SerializerMethodField()
    next_due = serializers.SerializerMethodField()

    class Meta:
        model = InfusionSession
        fields = [
            "id",
            "booking",
            "order",
            "patient",
            "patient_name",
            "chair",
            "product",
            "cycle",
            "day",
            "status",
            "checked_in_at",
            "started_at",
            "ended_at",
            "discharged_at",
            "order_weight_kg",
            "weight_kg",
            "dose_recomputed",
            "protocol_name",
            "planned_grams",
            "planned_volume_ml",
            "rate_cap_ml_per_hour",
            "schedule",
            "volume_given_ml",
            "grams_given",
            "end_reason",
            "end_note",
            "discharge_reason",
            "next_due",
            "checklist",
            "premedications",
            "vitals",
            "rate_changes",
            "reactions",
            "lots",
        ]

    def get_patient_name(self, session) -> str:
        return f"{session.patient.given_name} {session.patient.family_name}"

    def get_checklist(self, session) -> dict | None:
        checklist = selectors.session_checklist(session)
        return ChecklistSerializer(checklist).data if checklist else None

    def get_schedule(self, session) -> list[dict]:
        return [
            {
                "at": row["at"].isoformat() if row["at"] else None,
                "minutes": str(row["minutes"]),
                "rate_ml_per_hour": str(row["rate"]),
                "capped": row["capped"],
            }
            for row in selectors.plan_clock(session)
        ]

    def get_next_due(self, session) -> list[dict]:
        policy = self.context["policy"]  # loaded once per request by the view
        return [
            {"what": d.what, "at": d.at.isoformat() if d.at else None, "text": d.text, "overdue": d.overdue}
            for d in selectors.next_due(session, policy=policy)
        ]


class ChairAssignmentSerializer(serializers.ModelSerializer):
    nurse = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ChairAssignment
        fields = ["id", "chair", "day", "nurse", "assigned_at"]


class HandoverNoteSerializer(serializers.ModelSerializer):
    written_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = HandoverNote
        fields = ["id", "client_id", "site", "day", "session", "text", "written_by", "written_at"]
