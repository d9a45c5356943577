"""Login throttling: 30 wrong passwords lock the door, the right one is refused until the cool-off ends."""

import base64
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client

from tests.insurance.factories import PayerFactory, make_client

NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
COOL_OFF = timedelta(minutes=settings.LOGIN_COOLOFF_MINUTES)
RIGHT = "pw-for-tests"


def _client(address="10.0.0.7"):
    return Client(REMOTE_ADDR=address)


def _login(client, url, username, password):
    return client.post(url, {"username": username, "password": password})


def _lockout_rows():
    return LogEntry.objects.filter(additional_data__detail="lockout")


@pytest.mark.parametrize(
    ("url", "door"),
    [("/admin/login/", "admin"), ("/chairside/login/", "chairside"), ("/api/auth/login/", "api_login")],
    ids=["admin", "tablet", "browsable-api"],
)
def test_thirty_wrong_passwords_lock_the_login_until_the_cool_off_ends(manager, url, door):
    client = _client()
    with time_machine.travel(NOW, tick=False) as clock:
        for _ in range(30):
            response = client.post(url, {"username": manager.username, "password": "wrong-password-1"})
            assert "_auth_user_id" not in client.session
        assert response.status_code == 429

        response = client.post(url, {"username": manager.username, "password": RIGHT})
        assert response.status_code == 429
        assert "_auth_user_id" not in client.session
        page = response.content.decode()
        assert "Too many failed logins" in page
        assert f"blocked for {settings.LOGIN_COOLOFF_MINUTES} minutes" in page

        clock.shift(COOL_OFF - timedelta(seconds=30))
        response = client.post(url, {"username": manager.username, "password": RIGHT})
        assert response.status_code == 429, "still inside the cool-off: tries while locked do not count"

        clock.shift(timedelta(seconds=31))
        response = client.post(url, {"username": manager.username, "password": RIGHT})
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(manager.pk)

    lockout = _lockout_rows().get()
    assert lockout.remote_addr == "10.0.0.7"
    assert lockout.additional_data["via"] == door
    assert lockout.additional_data["username"] == manager.username
    # Every refused try while locked leaves its own row: the 25 wrong ones after the lock, and two right ones.
    refused = 30 - settings.AXES_FAILURE_LIMIT + 2
    assert LogEntry.objects.filter(additional_data__detail="refused_while_locked").count() == refused


def test_a_few_wrong_passwords_do_not_lock_and_a_success_forgets_them(manager):
    client = _client()
    with time_machine.travel(NOW, tick=False):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            assert (
                client.post("/admin/login/", {"username": manager.username, "password": "nope"}).status_code
                == 200
            )
        response = client.post("/admin/login/", {"username": manager.username, "password": RIGHT})
        assert response.status_code == 302
        client.logout()
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            assert (
                client.post("/admin/login/", {"username": manager.username, "password": "nope"}).status_code
                == 200
            )
        assert (
            client.post("/admin/login/", {"username": manager.username, "password": RIGHT}).status_code == 302
        )
    assert not _lockout_rows().exists()


def test_the_account_is_locked_from_every_address_and_the_address_for_every_account(manager, nurse):
    with time_machine.travel(NOW, tick=False):
        # Guessing one account's password from many addresses locks the account.
        for i in range(settings.AXES_FAILURE_LIMIT):
            _client(f"10.0.1.{i}").post("/admin/login/", {"username": manager.username, "password": "nope"})
        other_address = _client("10.0.2.1")
        response = other_address.post("/admin/login/", {"username": manager.username, "password": RIGHT})
        assert response.status_code == 429

        # Trying many accounts from one address locks the address, for real accounts too.
        sprayer = _client("10.0.3.3")
        for i in range(settings.AXES_FAILURE_LIMIT):
            sprayer.post("/chairside/login/", {"username": f"someone{i}", "password": "nope"})
        response = sprayer.post("/chairside/login/", {"username": nurse.username, "password": RIGHT})
        assert response.status_code == 429
        # The nurse on her own tablet is not affected.
        response = _client("10.0.4.4").post(
            "/chairside/login/", {"username": nurse.username, "password": RIGHT}
        )
        assert response.status_code == 302


def _token(client, client_id, secret):
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return client.post(
        "/api/v1/oauth/token/",
        {"grant_type": "client_credentials", "scope": "authorizations:read"},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )


def test_the_token_endpoint_locks_a_client_after_wrong_secrets_with_a_json_answer(db):
    app = make_client(PayerFactory(code="acme-health"))
    client = _client("10.0.5.5")
    with time_machine.travel(NOW, tick=False) as clock:
        for _ in range(30):
            response = _token(client, app.client_id, "not-the-secret")
        assert response.status_code == 429

        response = _token(client, app.client_id, "s3cret-for-tests")
        assert response.status_code == 429
        body = response.json()
        assert body["code"] == "too_many_login_failures"
        assert f"blocked for {settings.LOGIN_COOLOFF_MINUTES} minutes" in body["detail"]
        assert response["Retry-After"] == str(settings.LOGIN_COOLOFF_MINUTES * 60)
        # The same secret in the form body is refused the same way.
        response = client.post(
            "/api/v1/oauth/token/",
            {
                "grant_type": "client_credentials",
                "client_id": app.client_id,
                "client_secret": "s3cret-for-tests",
            },
        )
        assert response.status_code == 429

        clock.shift(COOL_OFF + timedelta(seconds=1))
        response = _token(client, app.client_id, "s3cret-for-tests")
        assert response.status_code == 200
        assert response.json()["access_token"]

    lockout = _lockout_rows().get()
    assert lockout.additional_data["via"] == "api_token"
    assert lockout.additional_data["username"] == app.client_id


def test_the_right_secret_is_not_slowed_by_other_clients_guessing(db):
    app = make_client(PayerFactory(code="acme-health"))
    with time_machine.travel(NOW, tick=False):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            _token(_client("10.0.6.6"), "made-up-client", "guess")
        assert _token(_client("10.0.7.7"), app.client_id, "s3cret-for-tests").status_code == 200


def test_a_manager_lifts_a_lockout_early_in_the_admin(manager, nurse):
    tablet = _client("10.0.8.8")
    desk = _client("10.0.8.9")
    with time_machine.travel(NOW, tick=False):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            _login(tablet, "/chairside/login/", nurse.username, "nope")
        assert _login(tablet, "/chairside/login/", nurse.username, RIGHT).status_code == 429

        desk.force_login(manager)
        attempts = desk.get("/admin/axes/accessattempt/")
        assert attempts.status_code == 200
        assert nurse.username in attempts.content.decode()
        attempt = AccessAttempt.objects.get(username=nurse.username)
        response = desk.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
        assert response.status_code == 302

        assert _login(tablet, "/chairside/login/", nurse.username, RIGHT).status_code == 302
