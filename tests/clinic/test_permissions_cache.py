"""Permission sets are cached between requests, and every edit that changes them takes effect at once."""

import pytest
from django.contrib.auth.models import Group, Permission

from clinic.roles import Role

pytestmark = pytest.mark.django_db


def fresh(user):
    """The user as the next request loads it (no per-object memo)."""
    return type(user).objects.get(pk=user.pk)


def test_a_second_request_asks_the_database_nothing_about_permissions(scheduler, django_assert_num_queries):
    assert fresh(scheduler).has_perm("scheduling.add_booking")
    with django_assert_num_queries(0):
        assert fresh_without_query(scheduler).has_perm("scheduling.add_booking")


def fresh_without_query(user):
    # A copy of the loaded row, as the session middleware would hand it to the next request.
    clone = type(user)(**{f.attname: getattr(user, f.attname) for f in user._meta.concrete_fields})
    clone._state.adding = False
    return clone


def test_it_forgets_a_role_the_moment_it_is_taken_away(api, scheduler):
    assert api.as_user(scheduler).get("/api/v1/bookings/").status_code == 200
    scheduler.groups.remove(Group.objects.get(name=Role.SCHEDULER.value))

    response = api.get("/api/v1/bookings/")

    assert response.status_code == 403
    assert not fresh(scheduler).has_perm("scheduling.view_booking")


def test_it_sees_a_role_the_moment_it_is_given(api, insurer_user, django_user_model):
    assert api.as_user(insurer_user).get("/api/v1/patients/").status_code == 403
    Group.objects.get(name=Role.NURSE.value).user_set.add(insurer_user)

    assert api.get("/api/v1/patients/").status_code == 200


def test_a_change_to_a_groups_permissions_reaches_its_members(scheduler):
    assert fresh(scheduler).has_perm("scheduling.add_booking")
    group = Group.objects.get(name=Role.SCHEDULER.value)
    group.permissions.remove(Permission.objects.get(codename="add_booking"))

    assert not fresh(scheduler).has_perm("scheduling.add_booking")

    group.permissions.clear()

    assert not fresh(scheduler).has_perm("scheduling.view_booking")


def test_a_permission_granted_to_the_user_directly_counts_at_once(nurse):
    assert not fresh(nurse).has_perm("scheduling.add_booking")
    nurse.user_permissions.add(Permission.objects.get(codename="add_booking"))

    assert fresh(nurse).has_perm("scheduling.add_booking")


def test_a_deactivated_user_has_no_permissions(scheduler):
    assert fresh(scheduler).has_perm("scheduling.add_booking")
    scheduler.is_active = False
    scheduler.save()

    assert not fresh(scheduler).has_perm("scheduling.add_booking")


def test_deleting_a_group_takes_its_permissions_away(nurse):
    extra = Group.objects.create(name="night shift")
    extra.permissions.add(Permission.objects.get(codename="add_booking"))
    nurse.groups.add(extra)
    assert fresh(nurse).has_perm("scheduling.add_booking")

    extra.delete()

    assert not fresh(nurse).has_perm("scheduling.add_booking")


def test_a_new_user_given_an_old_users_id_does_not_inherit_its_permissions(manager, django_user_model):
    pk = manager.pk
    assert fresh(manager).has_perm("patients.change_patient")
    manager.delete()

    newcomer = django_user_model.objects.create_user(pk=pk, username="newcomer", password="pw-for-tests")

    assert not fresh(newcomer).has_perm("patients.change_patient")


def test_with_redis_away_permissions_come_from_the_database(api, scheduler, monkeypatch):
    from redis.exceptions import ConnectionError as RedisDown

    from clinic import permissions_cache

    def down(*args, **kwargs):
        raise RedisDown("Redis is unreachable")

    for name in ("get", "set", "delete_many"):
        monkeypatch.setattr(permissions_cache.cache, name, down)

    assert api.as_user(scheduler).get("/api/v1/bookings/").status_code == 200
    scheduler.groups.clear()  # the change itself must not fail either
    assert api.get("/api/v1/bookings/").status_code == 403
