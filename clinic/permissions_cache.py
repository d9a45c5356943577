"""Staff permission sets, cached in Redis between requests.

Every API call and admin page asks "may this user do X?". Django's ModelBackend answers with two
queries per request (the user's own permissions, then their groups'), which was about a fifth of a
cheap request's time. The answer changes only when someone edits a user's groups or permissions, or a
group's permissions, so it is kept in the cache and dropped by exactly those edits.

The key names the user row by primary key *and* the time it was created: a recreated database (tests,
a reset demo) reuses primary keys, and must never inherit another user's cached permissions.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_save, pre_delete
from django.dispatch import receiver
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def cache_key(user_id: int, date_joined) -> str:
    return f"perms:{user_id}:{date_joined.timestamp():.6f}"


class CachedPermissionBackend(ModelBackend):
    """ModelBackend whose `get_all_permissions` answer is cached per user (see module docstring)."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            key = cache_key(user_obj.pk, user_obj.date_joined)
            cached = _cache_call(cache.get, key)
            if cached is None:
                cached = super().get_all_permissions(user_obj)
                _cache_call(cache.set, key, cached, settings.PERMISSION_CACHE_SECONDS)
            user_obj._perm_cache = set(cached)
        return user_obj._perm_cache


def _cache_call(method, *args):
    """The cache is a shortcut, never a dependency: with Redis away, permissions come from PostgreSQL."""
    try:
        return method(*args)
    except RedisError:
        logger.warning("permission cache unavailable; reading permissions from the database")
        return None


def forget(user_ids) -> None:
    """Drop the cached permissions of these users, now and again once the change commits.

    Dropping now covers requests after this point in the same transaction; dropping after commit
    covers a request that read (and re-cached) the old permissions while the change was uncommitted.
    """
    user_ids = list(user_ids)
    if not user_ids:
        return
    rows = get_user_model().objects.filter(pk__in=user_ids).values_list("pk", "date_joined")
    keys = [cache_key(pk, joined) for pk, joined in rows]
    if keys:
        # If Redis is away the entries cannot be dropped; they expire within PERMISSION_CACHE_SECONDS.
        _cache_call(cache.delete_many, keys)
        transaction.on_commit(lambda: _cache_call(cache.delete_many, keys))


def _members(group_ids) -> list[int]:
    return list(get_user_model().objects.filter(groups__in=list(group_ids)).values_list("pk", flat=True))


def _holders(permission: Permission) -> list[int]:
    """Users who hold a permission directly or through a group."""
    direct = permission.user_set.values_list("pk", flat=True)
    return [*direct, *_members(permission.group_set.values_list("pk", flat=True))]


# Changes that touch the membership of a group or a permission: on `clear()` Django does not say who
# was affected after the fact, so those are resolved before (pre_clear); adds and removes after.
_AFFECTS = {"post_add", "post_remove", "pre_clear"}


@receiver(m2m_changed, sender=get_user_model().groups.through)
@receiver(m2m_changed, sender=get_user_model().user_permissions.through)
def _user_links_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in _AFFECTS:
        return
    if not reverse:  # user.groups.add(...), user.user_permissions.set(...)
        forget([instance.pk])
    elif pk_set is not None:  # group.user_set.add(...), permission.user_set.remove(...)
        forget(pk_set)
    elif isinstance(instance, Group):  # group.user_set.clear()
        forget(_members([instance.pk]))
    else:  # permission.user_set.clear()
        forget(instance.user_set.values_list("pk", flat=True))


@receiver(m2m_changed, sender=Group.permissions.through)
def _group_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in _AFFECTS:
        return
    if not reverse:  # group.permissions.set(...)
        forget(_members([instance.pk]))
    elif pk_set is not None:  # permission.group_set.add(...)
        forget(_members(pk_set))
    else:  # permission.group_set.clear()
        forget(_members(instance.group_set.values_list("pk", flat=True)))


@receiver(post_save, sender=get_user_model())
def _user_saved(sender, instance, created, update_fields=None, **kwargs):
    # is_active and is_superuser change what a user may do; a login (last_login only) does not.
    if not created and update_fields != frozenset({"last_login"}):
        forget([instance.pk])


@receiver(pre_delete, sender=Group)
def _group_deleted(sender, instance, **kwargs):
    # Deleting a group removes its memberships without m2m signals.
    forget(_members([instance.pk]))


@receiver(pre_delete, sender=Permission)
def _permission_deleted(sender, instance, **kwargs):
    forget(_holders(instance))
