"""Order writes: discontinue, replace (history kept), hold, cycle checks and response tracking."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from clinic.errors import Conflict
from infusions import services
from infusions.models import OrderStatus, TreatmentOrder
from tests.factories import RiskFlagFactory
from tests.infusions.calendar import make_order
from tests.infusions.factories import privigen

pytestmark = pytest.mark.django_db


def new_order(manager, **changes):
    return make_order(manager, **({"start_date": date(2026, 12, 1)} | changes))


def test_discontinuing_needs_a_reason_and_happens_once(manager):
    order = new_order(manager)

    with pytest.raises(ValidationError) as no_reason:
        services.order_discontinue(order=order, reason=" ")
    services.order_discontinue(order=order, reason="Improved; stopping")
    with pytest.raises(Conflict) as again:
        services.order_discontinue(order=order, reason="Twice")

    assert no_reason.value.error_dict["reason"][0].code == "reason_required"
    assert again.value.code == "order_discontinued"
    order.refresh_from_db()
    assert (order.status, order.discontinued_reason) == (OrderStatus.DISCONTINUED, "Improved; stopping")


def test_replacing_an_order_discontinues_it_and_links_the_new_one(manager):
    order = new_order(manager)

    new = services.order_replace(
        order=order, reason="Switch to Privigen", product=privigen(), created_by=manager
    )

    order.refresh_from_db()
    assert order.status == OrderStatus.DISCONTINUED
    assert order.discontinued_reason == "Switch to Privigen"
    assert (new.replaces, new.status, new.product.brand) == (order, OrderStatus.ACTIVE, "Privigen")
    assert new.dose_grams_per_kg == order.dose_grams_per_kg


def test_a_failed_replacement_keeps_the_old_order_active(manager):
    order = new_order(manager)

    with pytest.raises(ValidationError):
        services.order_replace(order=order, reason="Bigger split", split_days=9, created_by=manager)

    order.refresh_from_db()
    assert order.status == OrderStatus.ACTIVE
    assert TreatmentOrder.objects.count() == 1


def test_a_cycle_is_checked_again_and_a_new_contraindication_stops_it(manager):
    order = new_order(manager)
    assert services.order_cycle_check(order=order).plan.chair_minutes == 255

    RiskFlagFactory(patient=order.patient, kind="prior_severe_ig_reaction")

    with pytest.raises(Conflict) as blocked:
        services.order_cycle_check(order=order)
    assert blocked.value.code == "order_blocked"
    services.block_override_record(
        order=order, code="contraindicated_prior_reaction", reason="Desensitised", by=manager
    )
    assert services.order_cycle_check(order=order).plan is not None


def test_an_order_on_hold_has_no_cycle(manager):
    order = new_order(manager)
    services.order_set_status(order=order, status=OrderStatus.ON_HOLD)

    with pytest.raises(Conflict) as held:
        services.order_cycle_check(order=order)

    assert held.value.code == "order_not_active"


def test_only_a_manager_may_override(manager, scheduler):
    order = new_order(manager)
    RiskFlagFactory(patient=order.patient, kind="iga_deficiency_antibodies")

    with pytest.raises(services.OverrideNotAllowed):
        services.block_override_record(
            order=order, code="contraindicated_iga_antibodies", reason="x", by=scheduler
        )
    with pytest.raises(ValidationError) as not_a_block:
        services.block_override_record(order=order, code="egfr_missing", reason="x", by=manager)
    assert not_a_block.value.error_dict["code"][0].code == "not_a_block"


def test_no_improvement_after_two_cycles_flags_the_order_for_review(manager):
    # INCAT falls when better: 4 at baseline, 4 after cycle 2 -> no improvement.
    order = new_order(manager)
    services.response_record(order=order, cycle=0, measure="incat", value=D("4"))
    services.response_record(order=order, cycle=1, measure="incat", value=D("4"))
    assert not order.needs_review  # one cycle is too early to judge

    services.response_record(order=order, cycle=2, measure="incat", value=D("4"))

    order.refresh_from_db()
    assert order.needs_review
    assert order.review_reason.startswith("No improvement after 2 cycles: INCAT disability score")


def test_platelets_rising_after_two_cycles_do_not_flag_the_order(manager):
    order = new_order(manager)
    services.response_record(order=order, cycle=0, measure="platelets", value=D("18"))
    services.response_record(order=order, cycle=2, measure="platelets", value=D("140"))

    order.refresh_from_db()
    assert not order.needs_review


def test_a_measure_is_recorded_once_per_cycle(manager):
    order = new_order(manager)
    services.response_record(order=order, cycle=1, measure="ck", value=D("900"))

    with pytest.raises(ValidationError) as twice:
        services.response_record(order=order, cycle=1, measure="ck", value=D("800"))

    assert twice.value.error_dict["cycle"][0].code == "response_exists"
