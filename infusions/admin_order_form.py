"""The admin's order entry form, as on a paper order form; a new order or a replacement of one."""

from django import forms
from django.core.exceptions import ValidationError

from infusions import selectors, services
from infusions.checks import unresolved_blocks
from infusions.models import OrderStatus, TreatmentOrder
from patients.models import Diagnosis


class OrderEntryForm(forms.ModelForm):
    """A new order, entered as on a paper order form; saved by `services.order_create`, like the API's.

    The indication is typed as the ICD-10 code on the prescription and must be one of the patient's
    diagnoses. A blocking check stops the order unless a clinic manager gives a reason.
    """

    indication_code = forms.CharField(
        label="Indication (ICD-10)", max_length=10, help_text="One of the patient's diagnoses, e.g. G61.81."
    )
    override_reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only if a check blocks this order: a clinic manager's reason for giving it anyway.",
    )
    replace_reason = forms.CharField(
        required=False,
        max_length=300,
        label="Why it is replaced",
        widget=forms.TextInput(attrs={"size": 70}),
        help_text="Kept as the old order's reason for being discontinued.",
    )
    confirm_duplicate = forms.BooleanField(
        required=False,
        label="Enter it anyway",
        help_text="Only if the patient already has an active order of this product for this indication.",
    )

    class Meta:
        model = TreatmentOrder
        fields = [name for name in services.ORDER_INPUTS if name != "indication"]

    def __init__(self, *args, user=None, replaces: TreatmentOrder | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.replaces = replaces  # the order this one replaces (services.order_replace), if any
        self.overrides: dict[str, str] = {}

    def _post_clean(self):
        # The service validates the whole order (with its plan); the model's own full_clean would only
        # repeat part of it, on an order without an indication yet.
        pass

    def order_inputs(self) -> dict:
        data = self.cleaned_data
        # Empty optional fields fall back to the service's defaults, as an API body without them would.
        return {name: data[name] for name in services.ORDER_INPUTS if data.get(name) not in (None, "")}

    def replace_changes(self) -> dict:
        """What `services.order_replace` takes: every input but the patient, an emptied optional field
        as empty (not the old order's value)."""
        emptied = {"dose_grams_per_kg": None, "fixed_grams": None, "interval_days": None, "cycles": None}
        inputs = {**emptied, "premedication": "", **self.order_inputs()}
        inputs.pop("patient", None)
        return inputs

    def clean(self):
        data = self._clean_order()
        # Asked for after the plan, so that a reason not yet written does not hide the live plan.
        if self.replaces is not None and not (data.get("replace_reason") or "").strip():
            self.add_error("replace_reason", "Say why the order is replaced.")
        return data

    def _clean_order(self):
        data = super().clean()
        patient, code = data.get("patient"), (data.get("indication_code") or "").strip().upper()
        if self.replaces is not None:
            if self.replaces.status == OrderStatus.DISCONTINUED:
                raise ValidationError(f"{self.replaces} is already discontinued; enter a new order instead.")
            if patient is not None and patient != self.replaces.patient:
                self.add_error("patient", "A replacement order is for the same patient.")
                return data
        if patient is None or not code:
            return data
        data["indication"] = Diagnosis.objects.filter(patient=patient, code__iexact=code).first()
        if data["indication"] is None:
            self.add_error("indication_code", f"{patient} has no diagnosis {code} on file.")
            return data
        if self.errors:
            # A field is missing or wrong (Protocol left empty) and already says so; no plan without it.
            return data
        duplicates = list(
            selectors.order_list()
            .filter(
                patient=patient,
                product=data.get("product"),
                indication=data["indication"],
                status=OrderStatus.ACTIVE,
            )
            .exclude(pk=getattr(self.replaces, "pk", None))
        )
        if duplicates and not data.get("confirm_duplicate"):
            self.add_error(
                "confirm_duplicate",
                ValidationError(
                    f"{patient} already has an active order of this product for {code}: "
                    + ", ".join(str(o) for o in duplicates)
                    + ". Discontinue or replace it, or tick the box to enter a second one.",
                    code="duplicate_active_order",
                ),
            )
        try:
            _, result = services.order_build(**self.order_inputs())
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                field = "indication_code" if field == "indication" else field
                self.add_error(field if field in self.fields else None, errors)
            return data
        self.result = result
        blocks = unresolved_blocks(result.checks)
        reason = (data.get("override_reason") or "").strip()
        if blocks and not reason:
            raise ValidationError(
                [ValidationError(f"{c.message} ({c.code})", code=c.code) for c in blocks]
                + ["A clinic manager may give this order anyway: write the reason below."]
            )
        if blocks and not services.may_override_blocks(self.user):
            self.add_error("override_reason", services.OverrideNotAllowed.detail)
        self.overrides = {c.code: reason for c in blocks}
        return data
