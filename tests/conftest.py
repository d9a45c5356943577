"""Named users per role and API clients for them. Every test runs against real PostgreSQL and Redis."""

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from clinic.roles import ADMIN_ROLES, Role


def _user(django_user_model, username: str, role: Role):
    user = django_user_model.objects.create_user(
        username=username,
        password="pw-for-tests",
        is_staff=role in ADMIN_ROLES,
        email=f"{username}@clinic.test",
    )
    user.groups.add(Group.objects.get(name=role.value))
    return user


@pytest.fixture
def manager(db, django_user_model):
    return _user(django_user_model, "mona_manager", Role.MANAGER)


@pytest.fixture
def scheduler(db, django_user_model):
    return _user(django_user_model, "sid_scheduler", Role.SCHEDULER)


@pytest.fixture
def nurse(db, django_user_model):
    return _user(django_user_model, "nell_nurse", Role.NURSE)


@pytest.fixture
def insurer_user(db, django_user_model):
    return _user(django_user_model, "ian_insurer", Role.INSURER)


@pytest.fixture
def api():
    """An API client; `api.as_user(user)` logs it in with a session, as the browsable API and pages do."""

    class Client(APIClient):
        def as_user(self, user):
            self.force_login(user)
            return self

    return Client()


@pytest.fixture(autouse=True)
def _fresh_catalogue():
    """Each test rolls its rows back; the product catalogue a process keeps must not outlive them."""
    from infusions import catalogue

    catalogue.forget()
    yield


@pytest.fixture(autouse=True)
def _no_pending_links():
    """Visit links minted while a message renders wait in the thread for the dispatcher's flush; one a
    test rendered without sending must not be flushed by a later test, after its booking is rolled back."""
    from selfservice import tokens

    tokens._pending.links = []
    yield


def pytest_configure(config):
    """`CLINIC_TEST_CLOCK=2026-12-04T03:30:00Z pytest` runs the whole suite with the clock set there.

    Every test must pass at any hour (22:00 in New York is already tomorrow in UTC), so a test whose
    outcome depends on the time pins it with time_machine; this checks that none forgot. Tests that travel
    themselves still do (time_machine nests). Processes the suite starts (Celery workers) keep the real
    clock, so run the worker tests without it.
    """
    import os

    clock = os.environ.get("CLINIC_TEST_CLOCK")
    if clock:
        import time_machine

        config._clinic_clock = time_machine.travel(clock, tick=True)
        config._clinic_clock.start()
