"""The infusions side of prior authorization: what insurance cannot know by itself.

- `orders_for_authorizations`: the treatment order an authorization is for (also read by the PAS
  bundles under /fhir/);
- `clinical_summary`: the insurer-facing summary of the order behind an authorization, registered
  with `insurance.providers` in `InfusionsConfig.ready()`.
- `infusion_usage_report`: the chairside code calls it when an infusion ends; the grams given become
  billing units (the product's grams per unit) used against the authorization.
- `booking_status_changed`: a cycle's booking cancelled or marked a no-show gives its cycle number and
  its reserved units back; one completed with no dose reported uses them as planned.
- `cycle_day_rescheduled`: the reschedule check (`scheduling.hooks`): a moved cycle day takes its
  reserved units along, or the move is refused when the authorization does not cover the new day.
- `AuthorizationOverrideView`: `POST /api/v1/orders/{id}/authorization-override/`, a clinic manager
  lets the order's next cycle be booked without an authorization, with a reason.

The check itself runs in `infusions.cycles.authorization_check` when a cycle is booked.
"""

from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.db.models import Q
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from clinic.access import HasModelPermission
from clinic.api import AuditedViewMixin
from infusions import plan as arithmetic
from infusions import providers, selectors
from infusions.models import CycleDay, InfusionPolicy, OrderStatus, TreatmentOrder
from infusions.planning import order_plan
from insurance import services as insurance
from insurance.providers import ClinicalSummary
from scheduling.models import INACTIVE_STATUSES, Booking, BookingStatus


def orders_for_authorizations(authorizations, orders=None) -> dict[int, TreatmentOrder]:
    """The treatment order each authorization is for, by the authorization's pk (absent: none found).

    Its linked order (`order_id`, the patient's); not linked yet: the patient's current order for the
    product's HCPCS code, an active one first, else the newest not discontinued. One query for any
    number of authorizations, from `orders` (default `order_list()`, with what the plan reads; a
    caller that needs less, such as a page of PAS bundles, passes its own)."""
    authorizations = list(authorizations)
    linked = {auth.order_id for auth in authorizations if auth.order_id is not None}
    unlinked = [auth for auth in authorizations if auth.order_id is None]
    wanted = Q(pk__in=linked)
    if unlinked:
        wanted |= Q(
            patient_id__in={auth.patient_id for auth in unlinked},
            product__hcpcs_code__in={auth.hcpcs_code for auth in unlinked},
        ) & ~Q(status=OrderStatus.DISCONTINUED)
    if not linked and not unlinked:
        return {}
    source = selectors.order_list() if orders is None else orders
    orders = list(source.filter(wanted).order_by("-created_at", "-pk"))
    found: dict[int, TreatmentOrder] = {}
    for auth in authorizations:
        if auth.order_id is not None:
            order = next(
                (o for o in orders if o.pk == auth.order_id and o.patient_id == auth.patient_id), None
            )
        else:
            candidates = [
                o
                for o in orders
                if o.patient_id == auth.patient_id
                and o.product.hcpcs_code == auth.hcpcs_code
                and o.status != OrderStatus.DISCONTINUED
            ]
            order = next((o for o in candidates if o.status == OrderStatus.ACTIVE), None) or next(
                iter(candidates), None
            )
        if order is not None:
            found[auth.pk] = order
    return found


def _order_for(order_id: int | None, patient_id: int, hcpcs_code: str) -> TreatmentOrder | None:
    wanted = SimpleNamespace(pk=0, order_id=order_id, patient_id=patient_id, hcpcs_code=hcpcs_code)
    return orders_for_authorizations([wanted]).get(0)


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.normalize():f}"


def clinical_summary(*, order_id: int | None, patient_id: int, hcpcs_code: str) -> ClinicalSummary | None:
    """The minimum an insurer needs to decide: diagnosis, product, dose plan, weight, cycles given
    with their response measures, and reactions. No name, contact or address.

    Reactions come from the chairside record (charting, through `infusions.providers`).
    """
    order = _order_for(order_id, patient_id, hcpcs_code)
    if order is None:
        return None
    result = order_plan(order, policy=InfusionPolicy.current(), now=timezone.now())
    plan = result.plan
    dose_plan = {
        "dose_grams_per_kg": _dec(order.dose_grams_per_kg),
        "fixed_grams": _dec(order.fixed_grams),
        "split_days": order.split_days,
        "interval_days": order.interval_days,
        "cycles_ordered": order.cycles,
        "start_date": order.start_date.isoformat(),
        "dosing_weight_kg": _dec(plan.dosing_weight_kg) if plan else None,
        "grams_per_day": _dec(plan.rounded_dose_grams) if plan else None,
        "billing_units_per_day": plan.billing_units if plan else None,
        "billing_units_per_cycle": plan.billing_units * plan.days if plan else None,
    }
    given = (
        Booking.objects.filter(
            cycle_day__order=order, cycle_day__cycle__isnull=False, status=BookingStatus.COMPLETED
        )
        .order_by("start")
        .values_list("cycle_day__cycle", "start")
    )
    responses: dict[int, list[dict]] = {}
    for record in order.responses.all():
        responses.setdefault(record.cycle, []).append(
            {"measure": record.measure, "value": _dec(record.value)}
        )
    cycles: dict[int, dict] = {}
    for number, start in given:
        if number in cycles:
            continue
        cycles[number] = {
            "cycle": number,
            "given_on": start.date().isoformat(),
            "responses": responses.get(number, []),
        }
    baseline = responses.get(0)
    reactions = providers.order_reactions(order.pk)
    return ClinicalSummary(
        diagnosis={"code": order.indication.code, "description": order.indication.description},
        product={
            "brand": order.product.brand,
            "hcpcs_code": order.product.hcpcs_code,
            "concentration_percent": _dec(order.product.concentration_percent),
        },
        dose_plan=dose_plan,
        weight={
            "kg": _dec(order.latest_weight_kg),
            "measured_at": order.latest_weight_at.isoformat() if order.latest_weight_at else None,
        },
        cycles_given=([{"cycle": 0, "given_on": None, "responses": baseline}] if baseline else [])
        + [cycles[n] for n in sorted(cycles)],
        reactions=reactions,
    )


def infusion_usage_report(
    *, order: TreatmentOrder, booking: Booking, grams_given: Decimal, given_at: datetime
):
    """Report the grams an infusion gave; they are used against the patient's authorization.

    Call it when the infusion ends (again with a corrected amount if need be: it updates, never adds
    twice). `booking` is the session's booking (with its site). Returns the usage
    (`insurance.models.AuthorizationUsage`) or None when no authorization applies (self-pay, a payer
    without the requirement, a cycle booked on a manager's override).
    """
    units = arithmetic.billing_units(grams=grams_given, grams_per_unit=order.product.grams_per_billing_unit)
    return insurance.usage_record(
        booking_id=booking.pk,
        units=units,
        given_on=given_at.astimezone(booking.site.zone).date(),
        patient_id=order.patient_id,
        order_id=order.pk,
        hcpcs_code=order.product.hcpcs_code,
    )


def booking_status_changed(sender, *, booking: Booking, from_status: str, to_status: str, **kwargs) -> None:
    """Receiver of `scheduling.services.booking_status_changed` (connected in InfusionsConfig.ready):
    a cycle day's booking that is cancelled or a no-show gives its cycle number and units back; one
    completed uses its reserved units. One query for a booking that is no cycle day."""
    if to_status in INACTIVE_STATUSES:
        live = CycleDay.objects.filter(booking_id=booking.pk, released_at__isnull=True)
        if live.update(released_at=timezone.now()):
            insurance.usage_release(booking_id=booking.pk)
    elif to_status == BookingStatus.COMPLETED and CycleDay.objects.filter(booking_id=booking.pk).exists():
        insurance.usage_mark_given(
            booking_id=booking.pk, given_on=booking.start.astimezone(booking.site.zone).date()
        )


def cycle_day_rescheduled(*, booking: Booking, from_start: datetime) -> None:
    """The reschedule check registered with `scheduling.hooks` (in InfusionsConfig.ready): a moved cycle
    day keeps its reserved units only on a day its authorization covers.

    Raises Conflict `authorization_required` (409) otherwise; the move is then undone. A booking that
    reserved nothing (no cycle day, self-pay, an override) moves freely.
    """
    insurance.usage_move(
        booking_id=booking.pk, service_date=booking.start.astimezone(booking.site.zone).date()
    )


class AuthorizationOverrideSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=300)


class CanViewOrders(HasModelPermission):
    perms_map = {**HasModelPermission.perms_map, "POST": ["%(app_label)s.view_%(model_name)s"]}


class AuthorizationOverrideView(AuditedViewMixin, GenericAPIView):
    """A clinic manager lets this order's next cycle be booked without a prior authorization.

    The override is used up by the next cycle booked (one override, one cycle). 201 with the override;
    403 `override_not_allowed` for anyone but a manager; 400 `reason_required`, `override_exists`.
    """

    serializer_class = AuthorizationOverrideSerializer
    permission_classes = [CanViewOrders]
    permission_model = TreatmentOrder
    queryset = TreatmentOrder.objects.all()
    audit_label = "treatment order"

    @extend_schema(request=AuthorizationOverrideSerializer, responses={201: dict})
    def post(self, request, pk: int):
        order = self.get_object()
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        if not insurance.may_override(request.user):
            raise exceptions.PermissionDenied(
                insurance.OverrideNotAllowed.detail, code="override_not_allowed"
            )
        override = insurance.authorization_override_record(
            order_id=order.pk, reason=form.validated_data["reason"], by=request.user
        )
        body = {
            "id": override.pk,
            "order": order.pk,
            "reason": override.reason,
            "overridden_by": request.user.get_username(),
            "overridden_at": serializers.DateTimeField().to_representation(override.overridden_at),
        }
        return Response(body, status=status.HTTP_201_CREATED)
