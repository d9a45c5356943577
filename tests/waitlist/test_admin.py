"""Staff's side: a scheduler puts an order on the waitlist from the admin (the service's checks shown on
the form), and reads what was offered, to whom, when and the answer; lists cost a fixed number of
queries."""

import pytest

from tests.infusions.calendar import make_order
from tests.waitlist.conftest import freed, waitlisted
from waitlist import services
from waitlist.models import Via, WaitlistEntry

pytestmark = pytest.mark.django_db


def test_a_scheduler_puts_an_order_on_the_waitlist_from_the_admin(client, scheduler, manager):
    order = make_order(manager)
    client.force_login(scheduler)

    form = client.get(f"/admin/waitlist/waitlistentry/add/?order={order.pk}&earliest=2027-03-01")
    response = client.post(
        "/admin/waitlist/waitlistentry/add/",
        {
            "order": order.pk,
            "earliest": "2027-03-01",
            "latest": "2027-03-15",
            "part_of_day": "morning",
            "weekdays": ["1", "2"],
        },
    )

    assert form.status_code == 200
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = WaitlistEntry.objects.get(order=order)
    assert (entry.patient, entry.via, entry.created_by, entry.weekdays) == (
        order.patient,
        Via.STAFF,
        scheduler,
        [1, 2],
    )


def test_the_admin_form_shows_the_services_refusal_and_saves_nothing(client, scheduler, manager):
    entry = waitlisted(manager)
    client.force_login(scheduler)

    response = client.post(
        "/admin/waitlist/waitlistentry/add/",
        {"order": entry.order_id, "earliest": "2027-03-05", "latest": "2027-03-01"},
    )

    assert response.status_code == 200
    assert "The last useful day is before the first." in response.content.decode()
    assert WaitlistEntry.objects.count() == 1


def test_staff_see_each_offer_to_whom_when_and_the_answer(client, manager, chairs, django_assert_num_queries):
    entries = [waitlisted(manager) for _ in range(3)]
    slot = freed(manager, chairs["R1"])
    offers = services.slot_offer(slot_id=slot.pk)
    services.offer_accept(offer=offers[0])
    client.force_login(manager)

    listing = client.get("/admin/waitlist/offer/")
    slot_page = client.get(f"/admin/waitlist/freedslot/{slot.pk}/change/")

    for page in (listing, slot_page):
        text = page.content.decode()
        assert page.status_code == 200
        assert all(e.patient.family_name in text for e in entries)
        assert "Accepted: booked" in text and "Someone else took it first" in text
        assert "Wed 03 Mar 2027 09:00 EST" in text
    more = [waitlisted(manager) for _ in range(3)]
    services.slot_offer(slot_id=freed(manager, chairs["R2"]).pk)
    assert more
    with django_assert_num_queries(_queries(client, "/admin/waitlist/offer/")):
        client.get("/admin/waitlist/offer/")


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured)


def test_the_patient_page_lists_the_waitlist_and_links_to_add_an_order(client, manager, chairs):
    entry = waitlisted(manager)
    services.slot_offer(slot_id=freed(manager, chairs["R1"]).pk)
    client.force_login(manager)

    text = client.get(f"/admin/patients/patient/{entry.patient_id}/change/").content.decode()

    assert "Waitlist for an earlier chair" in text
    assert "Wed 03 Mar 2027 09:00 EST" in text


def test_the_booking_page_links_to_the_offers_of_the_time_it_freed_and_the_offer_it_came_from(
    client, manager, chairs
):
    waitlisted(manager)
    slot = freed(manager, chairs["R1"])
    [offer] = services.slot_offer(slot_id=slot.pk)
    booked = services.offer_accept(offer=offer).booking
    client.force_login(manager)

    freed_page = client.get(f"/admin/scheduling/booking/{slot.freed_booking_id}/change/").content.decode()
    booked_page = client.get(f"/admin/scheduling/booking/{booked.pk}/change/").content.decode()

    assert f"/admin/waitlist/freedslot/{slot.pk}/change/" in freed_page
    assert f"/admin/waitlist/offer/{offer.pk}/change/" in booked_page
