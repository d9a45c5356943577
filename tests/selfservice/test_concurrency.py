"""One link, two taps at once (two tabs, a double tap): the visit moves once and the other request is
told the link is gone; nothing overlaps."""

import threading

import pytest
from django.db import connection

from scheduling.models import Booking, BookingEvent
from selfservice import moves, services, tokens

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_moves_with_one_link_at_once_move_the_visit_once(visit, token):
    days = moves.move_offers(visit).days
    keys = [days[2].offers[0].key, days[3].offers[0].key]  # Wednesday and Thursday
    links = [tokens.link_resolve(token, purpose="visit") for _ in keys]
    barrier, outcomes = threading.Barrier(len(keys)), []

    def tap(link, key):
        try:
            barrier.wait()
            services.visit_move(link=link, key=key)
            outcomes.append("moved")
        except services.LinkGone:
            outcomes.append("link_gone")
        finally:
            connection.close()

    threads = [threading.Thread(target=tap, args=pair) for pair in zip(links, keys, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["link_gone", "moved"]
    assert BookingEvent.objects.filter(booking=visit, kind="rescheduled").count() == 1
    assert Booking.objects.filter(patient=visit.patient, status="booked").count() == 2  # cycles 1 and 2
