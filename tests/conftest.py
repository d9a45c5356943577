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
