"""A clinic tunes its vitals limits and intervals in the InfusionPolicy admin; the tablet flags by them."""

import pytest
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict

from infusions.models import InfusionPolicy
from infusions.vitals import DEFAULT_LIMITS
from tests.charting.conftest import VITALS_OK, local, move_to, post, ready_to_start

pytestmark = pytest.mark.django_db

POLICY_URL = "/admin/infusions/infusionpolicy/1/change/"


def _policy_form(**changes) -> dict:
    """The policy's change form as it stands, with `changes`."""
    form = {k: "" if v is None else v for k, v in model_to_dict(InfusionPolicy.current()).items()}
    form.pop("id")
    return form | changes


def _edit_policy(client, manager, **changes):
    client.force_login(manager)
    return client.post(POLICY_URL, _policy_form(**changes))


def test_a_new_clinic_flags_by_the_domain_defaults():
    assert InfusionPolicy.current().vitals_limits() == DEFAULT_LIMITS


def test_the_admin_shows_the_vitals_limits_with_their_units(client, manager):
    InfusionPolicy.current()
    client.force_login(manager)

    html = client.get(POLICY_URL).content.decode()

    assert "Vitals: out-of-range flags and how often" in html
    assert "Systolic high (mmHg)" in html
    assert "A systolic pressure above this many mmHg is flagged (default 180)." in html
    assert "SpO2 low (%)" in html


def test_a_manager_lowers_the_systolic_limit_and_a_reading_that_was_normal_is_flagged(
    client, manager, nurse_api, chair, clock
):
    session = ready_to_start(nurse_api, chair, clock)
    reading = VITALS_OK | {"systolic": 175}
    before = post(nurse_api, f"/api/v1/sessions/{session}/vitals/", taken_at=local("08:50"), **reading)
    assert before.json()["flags"] == []

    response = _edit_policy(client, manager, systolic_high=170)

    assert response.status_code == 302, response.context["adminform"].form.errors
    # The same numbers again, minutes later: a new set, as the nurse confirms.
    after = post(
        nurse_api,
        f"/api/v1/sessions/{session}/vitals/",
        taken_at=local("08:50"),
        confirm_repeat=True,
        **reading,
    )
    assert after.status_code == 201
    assert after.json()["flags"] == [
        {"code": "systolic_high", "message": "Systolic 175 mmHg is over 170 (adult limits).", "band": "adult"}
    ]


def test_a_manager_shortens_the_titration_interval_and_the_tablet_asks_for_vitals_sooner(
    client, manager, nurse_api, chair, clock
):
    session = ready_to_start(nurse_api, chair, clock)
    move_to(clock, "09:00")
    post(nurse_api, f"/api/v1/sessions/{session}/start/")
    post(nurse_api, f"/api/v1/sessions/{session}/vitals/", taken_at=local("09:00"), **VITALS_OK)
    assert (
        nurse_api.get(f"/api/v1/sessions/{session}/").json()["next_due"][0]["text"] == "Vitals due in 15 min"
    )

    assert _edit_policy(client, manager, vitals_titration_minutes=10).status_code == 302

    due = nurse_api.get(f"/api/v1/sessions/{session}/").json()["next_due"][0]
    assert due["what"] == "vitals"
    assert due["text"] == "Vitals due in 10 min"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"systolic_low": 170, "systolic_high": 170}, "systolic_low"),
        ({"heart_rate_low": 130}, "heart_rate_low"),
        ({"vitals_titration_minutes": 90}, "vitals_titration_minutes"),
        ({"systolic_change": 0}, "systolic_change"),
        ({"temperature_rise_c": "0"}, "temperature_rise_c"),
        ({"spo2_low": 101}, "spo2_low"),
        ({"systolic_high": 400}, "systolic_high"),
    ],
)
def test_the_admin_refuses_limits_that_make_no_sense(client, manager, changes, field):
    response = _edit_policy(client, manager, **changes)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.errors) == [field]  # named on the field, not a second "constraint violated" message
    assert InfusionPolicy.current().vitals_limits() == DEFAULT_LIMITS


def test_the_database_refuses_a_low_limit_above_the_high_one():
    InfusionPolicy.current()
    with pytest.raises(IntegrityError), transaction.atomic():
        InfusionPolicy.objects.filter(pk=1).update(heart_rate_low=130, heart_rate_high=120)
