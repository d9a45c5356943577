"""A child's vitals are flagged by the limits of the age band on the day (PALS 2020 defaults, clinic
settings beside the adult ones); every flag names the band, and the tablet shows it.

The toddler is 2 years old on Tuesday 2 March 2027 (born 10 January 2025), 12 kg; the adult is the
worked-example patient of the chairside conftest. Both are booked 09:00 in the same clinic.
"""

from datetime import date, datetime
from decimal import Decimal as D

import pytest
from django.test import Client

from infusions import services
from infusions.models import InfusionPolicy
from tests.charting.conftest import VITALS_OK, Chair, local, move_to, post, ready_to_start
from tests.charting.test_vitals_limits import _edit_policy
from tests.factories import DiagnosisFactory, EgfrFactory, PatientFactory, WeightFactory
from tests.infusions.calendar import NEW_YORK
from tests.infusions.factories import ProductFactory, ProtocolFactory, cycle_day
from tests.scheduling.factories import BookingFactory

pytestmark = pytest.mark.django_db

TODDLER_VITALS = VITALS_OK | {"systolic": 96, "diastolic": 58, "heart_rate": 110, "respiratory_rate": 26}


@pytest.fixture
def toddler(chair, manager):
    """The toddler's worked-protocol order, 1 g/kg of 12 kg (120 mL, 255 chair minutes), booked in R2."""
    patient = PatientFactory(date_of_birth=date(2025, 1, 10), sex="male")
    WeightFactory(patient=patient, value=D("12"))
    WeightFactory(patient=patient, kind="height", value=D("86"))
    EgfrFactory(patient=patient)
    order = services.order_create(
        created_by=manager,
        patient=patient,
        indication=DiagnosisFactory(patient=patient, code="M30.3", description=""),
        product=ProductFactory(),
        protocol=ProtocolFactory(),
        dose_grams_per_kg=D("1"),
        prescriber="Dr. Test",
        start_date=date(2027, 3, 1),
    )
    booking = BookingFactory(
        chair=chair.site.chairs.get(name="R2"),
        patient=patient,
        start=datetime(2027, 3, 2, 9, 0, tzinfo=NEW_YORK),
        end=datetime(2027, 3, 2, 13, 15, tzinfo=NEW_YORK),
    )
    cycle_day(booking, order)
    return Chair(chair.site, booking, order)


def baseline(api, who, clock, weight, **vitals):
    """Check the patient in and take baseline vitals; returns (session id, the reading's flags)."""
    session = ready_to_start(api, who, clock, weight=weight, vitals=vitals)
    [reading] = api.get(f"/api/v1/sessions/{session}/").json()["vitals"]
    return session, reading["flags"]


def test_a_heart_rate_of_125_is_flagged_for_the_adult_and_not_for_the_toddler(
    nurse_api, chair, toddler, clock
):
    _, adult_flags = baseline(nurse_api, chair, clock, "70", **VITALS_OK | {"heart_rate": 125})
    _, toddler_flags = baseline(nurse_api, toddler, clock, "12", **TODDLER_VITALS | {"heart_rate": 125})

    assert adult_flags == [
        {
            "code": "heart_rate_high",
            "message": "Heart rate 125/min is over 120 (adult limits).",
            "band": "adult",
        }
    ]
    assert toddler_flags == []


def test_a_systolic_of_85_is_flagged_for_the_adult_and_not_for_the_toddler(nurse_api, chair, toddler, clock):
    # PALS: hypotension at 2 years is under 70 + 2 x 2 = 74 mmHg; adults are flagged under 90.
    _, adult_flags = baseline(nurse_api, chair, clock, "70", **VITALS_OK | {"systolic": 85, "diastolic": 55})
    _, toddler_flags = baseline(nurse_api, toddler, clock, "12", **TODDLER_VITALS | {"systolic": 85})

    assert [f["code"] for f in adult_flags] == ["systolic_low"]
    assert toddler_flags == []


def test_the_toddlers_own_limits_flag_and_say_whose_they_are(nurse_api, toddler, clock):
    _, flags = baseline(
        nurse_api, toddler, clock, "12", **TODDLER_VITALS | {"heart_rate": 150, "respiratory_rate": 40}
    )

    assert flags == [
        {
            "code": "heart_rate_high",
            "message": "Heart rate 150/min is over 140 (toddler limits, 1-2 y).",
            "band": "toddler",
        },
        {
            "code": "respiratory_rate_high",
            "message": "Respiratory rate 40/min is over 37 (toddler limits, 1-2 y).",
            "band": "toddler",
        },
    ]


def test_the_change_from_a_childs_baseline_is_still_flagged_inside_the_band(nurse_api, toddler, clock):
    # Baseline 110/min at 08:50; 140/min at 09:15 is inside the toddler's 140 but a rise of 30.
    session = ready_to_start(nurse_api, toddler, clock, weight="12", vitals=TODDLER_VITALS)
    move_to(clock, "09:00")
    post(nurse_api, f"/api/v1/sessions/{session}/start/")
    move_to(clock, "09:15")

    reading = post(
        nurse_api,
        f"/api/v1/sessions/{session}/vitals/",
        taken_at=local("09:15"),
        **TODDLER_VITALS | {"heart_rate": 140},
    )

    assert [(f["code"], f["band"]) for f in reading.json()["flags"]] == [("heart_rate_rise", "toddler")]


def test_a_manager_changes_a_toddler_limit_in_the_policy_admin(client, manager, nurse_api, toddler, clock):
    client.force_login(manager)
    page = client.get("/admin/infusions/infusionpolicy/1/change/").content.decode()
    assert "Vitals for children: out-of-range flags by age band" in page
    assert "A heart rate above this is flagged in the toddler band, 1-2 y (default 140, PALS 2020)." in page

    assert _edit_policy(client, manager, toddler_heart_rate_high=120).status_code == 302

    _, flags = baseline(nurse_api, toddler, clock, "12", **TODDLER_VITALS | {"heart_rate": 125})
    assert [f["message"] for f in flags] == ["Heart rate 125/min is over 120 (toddler limits, 1-2 y)."]
    assert InfusionPolicy.current().vitals_limits().heart_rate_high == 120  # the adults' stay as they were


def test_the_tablet_shows_the_child_rule_the_band_and_the_premedication_per_kg(
    nurse, nurse_api, toddler, clock
):
    baseline(nurse_api, toddler, clock, "12", **TODDLER_VITALS | {"heart_rate": 150})
    tablet = Client()
    tablet.force_login(nurse)

    html = tablet.get(f"/chairside/bookings/{toddler.booking.pk}/").content.decode()

    assert "Toddler (1-2 y), 2 y · child: actual body weight 12 kg is used (age 2 y)" in html
    assert "Child: toddler (1-2 y), 2 y" in html  # among the patient's flags, as on the board
    assert "Flagged by the toddler (1-2 y) limits (PALS 2020)." in html
    assert "Heart rate 150/min is over 140 (toddler limits, 1-2 y)." in html
    assert "Acetaminophen 180 mg PO (15 mg/kg x 12 kg)" in html
    assert "Diphenhydramine 12 mg PO (1 mg/kg x 12 kg)" in html
