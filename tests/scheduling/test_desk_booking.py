"""The scheduler's desk books an order's cycles in the admin: the slot finder, its reasons when
nothing fits, the cycle-by-cycle preview and the booking, all through the cycle-booking services.

The clinic is tests/infusions/calendar.py: weekdays 08:00-18:00 in New York, recliners R1 and R2 and
bed B1, two nurses every weekday until the end of June 2027; "now" is Monday 1 March 2027, 06:00."""

from datetime import date
from decimal import Decimal as D
from urllib.parse import urlencode

import pytest
import time_machine
from auditlog.models import LogEntry

from infusions.models import CycleDay
from scheduling.models import Booking
from tests.infusions.calendar import NOW, at, make_clinic, make_order
from tests.insurance.factories import CoverageFactory, PayerFactory
from tests.scheduling.factories import ClosureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def desk(db):
    return make_clinic()


def finder(client, order, **params):
    query = {"cycles": 1, "date_from": "2027-03-02", "date_to": "2027-03-05", **params}
    return client.get(f"/admin/infusions/treatmentorder/{order.pk}/book/?{urlencode(query, doseq=True)}")


def confirm_url(order, chair, start, cycles=1):
    query = urlencode({"chair": chair.pk, "start": start.isoformat(), "cycles": cycles})
    return f"/admin/infusions/treatmentorder/{order.pk}/book/confirm/?{query}"


def test_the_order_page_offers_book_next_cycle_and_the_next_n(client, manager, scheduler, desk):
    order = make_order(manager)
    client.force_login(scheduler)

    page = client.get(f"/admin/infusions/treatmentorder/{order.pk}/change/").content.decode()

    assert "Book next cycle" in page and "Book the next N cycles" in page
    assert f"/admin/infusions/treatmentorder/{order.pk}/book/" in page


def test_the_finder_opens_on_the_due_day_with_one_best_start_per_chair_and_day(
    client, manager, scheduler, desk
):
    order = make_order(manager)
    client.force_login(scheduler)

    opened = client.get(f"/admin/infusions/treatmentorder/{order.pk}/book/")
    found = finder(client, order)

    assert opened.status_code == 200
    assert opened.context["due"] == date(2027, 3, 1)  # the order starts today and has no cycle yet
    rows = found.context["rows"]
    keys = [(r["choice"].slot.chair.name, r["choice"].slot.local_start.date()) for r in rows]
    assert len(keys) == len(set(keys)), "one start per chair and day"
    assert {name for name, _ in keys} == {"R1", "R2", "B1"}
    assert rows[0]["when"] == "Tue 02 Mar 2027, 08:00-12:15 EST"  # 255 chair minutes from the plan
    assert rows[0]["choice"].load_percent == 13  # 1 patient of 2 nurses x 4
    assert "Tue 02 Mar 2027, 08:00-12:15 EST" in found.content.decode()


def test_the_finder_filters_by_weekday_part_of_day_and_chair_type(client, manager, scheduler, desk):
    order = make_order(manager)
    client.force_login(scheduler)

    found = finder(client, order, weekdays=["3"], part_of_day="afternoon", chair_type="bed")

    [row] = found.context["rows"]
    assert (row["choice"].slot.chair.name, row["when"]) == ("B1", "Thu 04 Mar 2027, 12:00-16:15 EST")


def test_when_nurse_shifts_end_before_the_range_the_finder_says_so(client, manager, scheduler, desk):
    order = make_order(manager)
    client.force_login(scheduler)

    found = finder(client, order, date_from="2027-07-05", date_to="2027-07-09")

    assert found.context["rows"] == []
    [reason] = found.context["search"].reasons
    assert reason.code == "no_nurse_shifts"
    assert "Nurse shifts at Cycle Test Center end on Wed 30 Jun 2027" in reason.detail
    assert "Nurse shifts at Cycle Test Center end on Wed 30 Jun 2027" in found.content.decode()


def test_a_closed_range_and_a_closure_are_named(client, manager, scheduler, desk):
    site, _ = desk
    ClosureFactory(site=site, starts_on=date(2027, 3, 8), ends_on=date(2027, 3, 12), reason="Renovation")
    order = make_order(manager)
    client.force_login(scheduler)

    weekend = finder(client, order, date_from="2027-03-06", date_to="2027-03-07")
    closed = finder(client, order, date_from="2027-03-08", date_to="2027-03-12")

    assert [r.code for r in weekend.context["search"].reasons] == ["closed"]
    assert "it opens Mon, Tue, Wed, Thu, Fri" in weekend.context["search"].reasons[0].detail
    assert "closed Mon 08 Mar to Fri 12 Mar 2027 (Renovation)" in closed.context["search"].reasons[0].detail


def test_the_interval_marks_early_slots_and_says_from_when(client, manager, scheduler, desk):
    _, chairs = desk
    order = make_order(manager, interval_days=21)
    client.post(
        confirm_url(order, chairs["R1"], at("2027-03-02")),
        {"chair": chairs["R1"].pk, "start": at("2027-03-02").isoformat(), "cycles": 1},
    )  # not logged in: nothing happens
    client.force_login(scheduler)
    client.post(
        f"/admin/infusions/treatmentorder/{order.pk}/book/confirm/",
        {"chair": chairs["R1"].pk, "start": at("2027-03-02").isoformat(), "cycles": 1},
    )

    opened = client.get(f"/admin/infusions/treatmentorder/{order.pk}/book/")
    early = finder(client, order, date_from="2027-03-08", date_to="2027-03-10")

    assert opened.context["due"] == date(2027, 3, 23)
    assert opened.context["earliest"] == date(2027, 3, 20)
    [reason] = early.context["search"].reasons
    assert (reason.code, reason.blocks) == ("interval_too_soon", True)
    assert "starts on Sat 20 Mar 2027 at the earliest" in reason.detail
    assert all(r["choice"].early for r in early.context["rows"])


def test_no_authorization_is_a_reason_the_finder_gives(client, manager, scheduler, desk):
    order = make_order(manager)
    CoverageFactory(patient=order.patient, payer=PayerFactory(code="acme-health"))
    client.force_login(scheduler)

    found = finder(client, order)

    codes = [r.code for r in found.context["search"].reasons]
    assert codes == ["authorization_required"]


def test_choosing_a_slot_previews_and_books_nothing_until_confirmed(client, manager, scheduler, desk):
    _, chairs = desk
    order = make_order(manager, split_days=2, dose_grams_per_kg=D("2"), cycles=6)
    client.force_login(scheduler)

    preview = client.get(confirm_url(order, chairs["R1"], at("2027-03-02")))

    assert Booking.objects.count() == 0
    [row] = preview.context["rows"]
    assert (row.title, row.label) == ("Cycle 1 of 6", "Will be booked")
    assert [d["label"] for d in row.days] == ["Day 1 of 2: ", "Day 2 of 2: "]
    assert row.days[1]["when"].startswith("Wed 03 Mar 2027, 09:00-")
    assert row.days[1]["when"].endswith(" EST")

    booked = client.post(
        f"/admin/infusions/treatmentorder/{order.pk}/book/confirm/",
        {"chair": chairs["R1"].pk, "start": at("2027-03-02").isoformat(), "cycles": 1},
    )

    assert booked.status_code == 200
    days = CycleDay.objects.filter(order=order).order_by("day")
    assert [(d.cycle, d.day, d.booking.created_by) for d in days] == [(1, 1, scheduler), (1, 2, scheduler)]
    assert LogEntry.objects.filter(additional_data__detail="book cycles").exists()
    assert "1 of 1 cycle(s) booked." in booked.content.decode()


def test_a_series_of_four_is_previewed_cycle_by_cycle_with_the_one_that_cannot_be_placed(
    client, manager, scheduler, desk
):
    site, chairs = desk
    # Cycle 3 falls on Tue 13 April; the site is closed that whole week and the days either side.
    ClosureFactory(site=site, starts_on=date(2027, 4, 9), ends_on=date(2027, 4, 16), reason="Renovation")
    order = make_order(manager, interval_days=21)
    client.force_login(scheduler)
    body = {"chair": chairs["R1"].pk, "start": at("2027-03-02").isoformat(), "cycles": 4}

    preview = client.get(confirm_url(order, chairs["R1"], at("2027-03-02"), cycles=4))

    assert Booking.objects.count() == 0
    statuses = [(r.status, r.code) for r in preview.context["rows"]]
    assert statuses == [("booked", ""), ("booked", ""), ("not_placed", "outside_hours"), ("booked", "")]
    assert preview.context["rows"][1].days[0]["when"].endswith("EDT")  # 23 March: after the DST change

    client.post(f"/admin/infusions/treatmentorder/{order.pk}/book/confirm/", body)

    assert sorted(CycleDay.objects.filter(order=order).values_list("cycle", flat=True)) == [1, 2, 3]


def test_an_early_cycle_needs_a_reason_which_is_recorded(client, manager, scheduler, desk):
    _, chairs = desk
    order = make_order(manager, interval_days=21)
    client.force_login(scheduler)
    url = f"/admin/infusions/treatmentorder/{order.pk}/book/confirm/"
    client.post(url, {"chair": chairs["R1"].pk, "start": at("2027-03-02").isoformat(), "cycles": 1})
    early = {"chair": chairs["R1"].pk, "start": at("2027-03-09").isoformat(), "cycles": 1}

    asked = client.post(url, early)
    given = client.post(url, {**early, "early_reason": "Surgery on 22 March"})

    assert "Give a reason to book a cycle this early" in asked.content.decode()
    assert given.context["real"] is True
    second = CycleDay.objects.get(order=order, cycle=2)
    assert second.early_reason == "Surgery on 22 March"


def test_a_nurse_cannot_open_the_finder_and_the_manual_booking_form_is_gone(
    client, manager, nurse, scheduler, desk
):
    order = make_order(manager)
    client.force_login(nurse)
    refused = finder(client, order)
    assert refused.status_code == 302 and refused.url.startswith("/admin/login/")
    client.force_login(scheduler)

    assert client.get("/admin/scheduling/booking/add/").status_code == 403
    assert "Book a chair" not in client.get("/admin/scheduling/booking/").content.decode()


def test_the_patient_page_opens_with_orders_their_next_due_day_and_bookings_in_local_time(
    client, manager, scheduler, desk
):
    _, chairs = desk
    order = make_order(manager, cycles=6)
    client.force_login(scheduler)
    client.post(
        f"/admin/infusions/treatmentorder/{order.pk}/book/confirm/",
        {"chair": chairs["R1"].pk, "start": at("2027-03-02").isoformat(), "cycles": 1},
    )

    page = client.get(f"/admin/patients/patient/{order.patient.pk}/change/").content.decode()

    summary = page[
        page.index('id="patient-summary"') : page.index("</fieldset>", page.index('id="patient-summary"'))
    ]
    assert "70 g over 1 day(s), 4 h 15 min in the chair" in summary
    assert "1 booked of 6" in summary and "next due Tue 23 Mar 2027" in summary
    assert f"/admin/infusions/treatmentorder/{order.pk}/book/" in summary
    assert "Tue 02 Mar 2027, 09:00-13:15 EST" in summary
    assert f"Order {order.pk}, cycle 1, day 1" in summary
