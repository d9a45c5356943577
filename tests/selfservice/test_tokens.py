"""The link token: random, stored only hashed, bound to one booking, expiring when the visit starts,
revoked when the booking changes, and requests per address rate-limited."""

from datetime import timedelta

import pytest
from django.db import connection

from scheduling.services import booking_cancel, booking_reschedule
from selfservice import tokens
from selfservice.models import LinkToken
from tests.infusions.calendar import at


def test_the_token_is_long_and_random_and_only_its_hash_is_stored(visit, token):
    other = tokens.link_issue(patient_id=visit.patient_id, booking=visit, expires_at=visit.start)

    assert len(token) == 43 and token != other  # 32 random bytes, URL-safe
    link = LinkToken.objects.get(token_hash=tokens.token_hash(token))
    assert link.booking == visit and link.expires_at == visit.start
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM selfservice_linktoken")
        stored = repr(cursor.fetchall())
    assert token not in stored and other not in stored


def test_a_link_opens_its_own_booking_only(visit, token):
    assert tokens.link_resolve(token, purpose="visit").booking == visit
    assert tokens.link_resolve(token, purpose="offer") is None
    assert tokens.link_resolve(token[:-1] + ("A" if token[-1] != "A" else "B"), purpose="visit") is None


def test_a_link_stops_working_when_the_visit_starts(visit, token, clock):
    clock.move_to(visit.start - timedelta(minutes=1))
    assert tokens.link_resolve(token, purpose="visit") is not None

    clock.move_to(visit.start)
    assert tokens.link_resolve(token, purpose="visit") is None


def test_moving_the_booking_at_the_desk_revokes_its_links(visit, token, scheduler):
    booking_reschedule(booking=visit, start=at("2027-03-02", "13:30"), by=scheduler)

    assert tokens.link_resolve(token, purpose="visit") is None
    assert LinkToken.objects.get().revoked_reason == "booking moved"


def test_cancelling_the_booking_revokes_its_links(visit, token, scheduler):
    booking_cancel(booking=visit, reason="Patient has flu", by=scheduler)

    assert tokens.link_resolve(token, purpose="visit") is None
    assert LinkToken.objects.get().revoked_reason == "booking cancelled"


def test_a_refused_move_leaves_the_link_working(visit, booked, token, scheduler):
    from clinic.errors import Conflict

    with pytest.raises(Conflict):  # the patient's own cycle 2 is in R1 then
        booking_reschedule(booking=visit, start=booked[1].start, by=scheduler)

    assert tokens.link_resolve(token, purpose="visit") is not None


def test_a_single_use_link_is_used_once(visit):
    token = tokens.link_issue(
        patient_id=visit.patient_id, booking=visit, expires_at=visit.start, purpose="offer"
    )
    link = tokens.link_resolve(token, purpose="offer")

    assert tokens.link_use(link) is True
    assert tokens.link_use(link) is False
    assert tokens.link_resolve(token, purpose="offer") is None


def test_a_link_cannot_be_made_already_expired(visit, clock):
    with pytest.raises(ValueError):
        tokens.link_issue(patient_id=visit.patient_id, booking=visit, expires_at=at("2027-02-28"))


def test_requests_from_one_address_are_limited_then_refused_with_429(client, token, settings):
    settings.SELFSERVICE_RATE_LIMIT = 5

    answers = [client.get(f"/v/{token}").status_code for _ in range(5)]
    refused = client.get(f"/v/{token}")
    wrong = client.get("/v/" + "x" * 43)

    assert answers == [200] * 5
    assert refused.status_code == 429 and "Too many tries" in refused.content.decode()
    assert refused["Retry-After"] == str(settings.SELFSERVICE_RATE_WINDOW_SECONDS)
    assert wrong.status_code == 429  # guesses count against the same address
    other_address = client.get(f"/v/{token}", REMOTE_ADDR="10.0.0.9")
    assert other_address.status_code == 200


def test_logs_show_a_links_path_with_the_token_masked(client, token, caplog):
    import logging

    from clinic.log_filters import MaskPathSecrets

    record = logging.LogRecord(
        "django.request", logging.WARNING, "", 0, "Not Found: %s", (f"/v/{token}/move",), None
    )
    MaskPathSecrets().filter(record)

    assert record.getMessage() == "Not Found: /v/…/move"
    console = [
        h for h in logging.getLogger().handlers if any(isinstance(f, MaskPathSecrets) for f in h.filters)
    ]
    assert console, "the console handler masks link tokens"


def test_the_production_access_log_masks_the_token_too(token):
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config

    from clinic.log_filters import GunicornAccessLogger

    request = SimpleNamespace(
        headers=[], method="GET", path=f"/v/{token}/move", query="", version=(1, 1), uri=f"/v/{token}/move"
    )
    response = SimpleNamespace(status="200 OK", headers=[], sent=120, response_length=120)
    environ = {
        "REMOTE_ADDR": "10.0.0.9",
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/v/{token}/move",
        "PATH_INFO": f"/v/{token}/move",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }

    atoms = GunicornAccessLogger(Config()).atoms(response, request, environ, timedelta(milliseconds=30))

    assert atoms["U"] == "/v/…/move"
    assert not [key for key, value in atoms.items() if token in str(value)]
