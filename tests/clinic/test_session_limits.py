"""Idle logoff for staff, a screen lock for the tablet, and a 12-hour cap for everyone."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from clinic import session_limits

NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
# Kept to the minute: a session is idle after its limit plus at most one minute.
IDLE = timedelta(minutes=settings.SESSION_IDLE_MINUTES + 1)
LOCK = timedelta(minutes=settings.CHAIRSIDE_LOCK_MINUTES + 1)
SECOND = timedelta(seconds=1)


def _unlock(client, password):
    return client.post("/chairside/unlock/", {"password": password}, content_type="application/json")


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _staff(client, user):
    response = client.post("/admin/login/", {"username": user.username, "password": "pw-for-tests"})
    assert response.status_code == 302
    return client


def _nurse(client, user):
    response = client.post("/chairside/login/", {"username": user.username, "password": "pw-for-tests"})
    assert response.status_code == 302
    return client


def test_a_staff_session_ends_after_fifteen_idle_minutes(client, manager, clock):
    _staff(client, manager)
    clock.shift(timedelta(minutes=settings.SESSION_IDLE_MINUTES) - SECOND)
    assert client.get("/admin/").status_code == 200
    clock.shift(timedelta(minutes=settings.SESSION_IDLE_MINUTES) - SECOND)
    assert client.get("/admin/").status_code == 200, "a request resets the idle time"

    clock.shift(IDLE)
    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[0][0].startswith("/admin/login/")
    page = response.content.decode()
    assert f"signed out after {settings.SESSION_IDLE_MINUTES} minutes without activity" in page
    assert "_auth_user_id" not in client.session


def test_an_idle_browsable_api_session_ends_too(client, manager, clock):
    _staff(client, manager)
    assert client.get("/api/v1/patients/").status_code == 200
    clock.shift(IDLE)

    response = client.get("/api/v1/patients/")

    assert response.status_code in (401, 403)
    assert response.json()["code"] == "not_authenticated"


def test_every_session_ends_twelve_hours_after_login_however_busy(client, manager, clock):
    _staff(client, manager)
    busy = timedelta(minutes=10)
    for _ in range(int(timedelta(hours=settings.SESSION_ABSOLUTE_HOURS) / busy) - 1):
        clock.shift(busy)
        assert client.get("/admin/").status_code == 200
    clock.shift(busy)

    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[0][0].startswith("/admin/login/")
    assert f"signed out {settings.SESSION_ABSOLUTE_HOURS} hours after logging in" in response.content.decode()


def test_an_idle_tablet_locks_instead_and_asks_for_the_nurses_password(client, nurse, clock):
    _nurse(client, nurse)
    assert client.get("/chairside/").status_code == 200
    clock.shift(LOCK)

    response = client.get("/chairside/")
    assert response.status_code == 302
    assert response["Location"] == "/chairside/unlock/?next=%2Fchairside%2F"
    api = client.get("/api/v1/sessions/")
    assert api.status_code == 401
    assert api.json()["code"] == "session_locked"
    unlock_page = client.get(response["Location"])
    assert "Screen locked" in unlock_page.content.decode()

    wrong = client.post("/chairside/unlock/", {"password": "not-hers-at-all", "next": "/chairside/"})
    assert wrong.status_code == 400
    assert "not your password" in wrong.content.decode()
    assert client.get("/chairside/").status_code == 302, "still locked"

    right = client.post("/chairside/unlock/", {"password": "pw-for-tests", "next": "/chairside/"})
    assert right.status_code == 302
    assert right["Location"] == "/chairside/"
    assert client.get("/chairside/").status_code == 200
    assert client.get("/api/v1/sessions/").status_code == 200


def test_the_tablet_script_locks_at_once_and_unlocks_with_json(client, nurse, clock):
    _nurse(client, nurse)
    assert client.get("/chairside/lock/").json() == {"locked": False}
    assert client.post("/chairside/lock/").json() == {"locked": True}
    assert client.get("/api/v1/sessions/").status_code == 401

    refused = client.post("/chairside/unlock/", {"password": "nope"}, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "wrong_password"
    unlocked = client.post(
        "/chairside/unlock/", {"password": "pw-for-tests"}, content_type="application/json"
    )
    assert unlocked.json() == {"locked": False}
    assert client.get("/api/v1/sessions/").status_code == 200


def test_guessing_at_the_lock_screen_counts_towards_the_login_lockout(nurse, clock):
    client = _nurse(Client(REMOTE_ADDR="10.0.9.9"), nurse)
    client.post("/chairside/lock/")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/chairside/unlock/", {"password": "guess"}, content_type="application/json")

    response = client.post(
        "/chairside/unlock/", {"password": "pw-for-tests"}, content_type="application/json"
    )

    assert response.status_code == 429
    assert response.json()["code"] == "too_many_login_failures"
    assert client.get("/chairside/").status_code == 302


def test_a_tablet_page_names_its_lock_time_for_the_script(client, nurse, manager, clock):
    page = _nurse(client, nurse).get("/chairside/").content.decode()
    assert f'<meta name="screen-lock" content="{settings.CHAIRSIDE_LOCK_MINUTES}"' in page
    assert "chairside/lock.js" in page
    # A staff session opening the tablet pages from the admin follows the staff rule, without the lock.
    staff = _staff(Client(), manager)
    assert "screen-lock" not in staff.get("/chairside/").content.decode()


def test_a_session_made_in_code_is_not_aged(client, manager, clock):
    client.force_login(manager)
    clock.shift(timedelta(hours=settings.SESSION_ABSOLUTE_HOURS + 1))
    assert client.get("/admin/").status_code == 200


def test_a_session_from_before_the_limits_is_aged_from_its_first_request(client, manager, clock):
    client.force_login(manager)
    session = client.session
    for key in (session_limits.LOGIN_AT, session_limits.SEEN_AT, session_limits.LOGIN_PAGE):
        session.pop(key, None)
    session.save()
    clock.shift(timedelta(hours=3))
    assert client.get("/admin/").status_code == 200
    clock.shift(IDLE)
    assert client.get("/admin/").status_code == 302
