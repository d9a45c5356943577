"""Which payer client a bearer token belongs to, cached for the token's life.

Every insurer request used to read the token (with its application and user) and then its
PayerClient (with the payer): two queries before any work. What they answer changes only when the
token is revoked, edited or expires, or its client application or payer client is edited or deleted,
so the answer is kept in the cache until the token expires and dropped by exactly those edits
(receivers below). The cache key is the token's SHA-256 (as django-oauth-toolkit stores it), never
the token; nothing about a patient is cached. Nothing in the cache is authoritative: a miss reads
the database again, and an unreachable cache is a miss.
"""

import hashlib
import logging
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application
from redis.exceptions import RedisError

from insurance.models import Payer, PayerClient

logger = logging.getLogger(__name__)

PAYER_FIELDS = [f.attname for f in Payer._meta.concrete_fields]
TOKEN_FIELDS = ["id", "token_checksum", "scope", "expires", "application_id", "user_id"]
APPLICATION_FIELDS = ["id", "client_id", "name", "user_id"]
USER_FIELDS = ["id", "username", "email", "is_active"]
CLIENT_FIELDS = ["id", "application_id", "payer_id", "scopes"]


@dataclass
class TokenClient:
    token: AccessToken
    client: PayerClient
    user: object  # the client application's service user (None when it has none)


def checksum(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode("utf-8")).hexdigest()


def _key(token_checksum: str) -> str:
    return f"insurer-token:{token_checksum}"


def _app_key(application_id: int) -> str:
    # The checksums of an application's cached tokens, so an edit of the application drops them all.
    return f"insurer-token-app:{application_id}"


def _row(instance, fields: list[str]) -> dict:
    return {name: getattr(instance, name) for name in fields}


def _instance(model, fields: list[str], row: dict):
    # from_db marks the instance as loaded; a field not listed is deferred and read on first use.
    # It takes the values in the model's field order.
    names = [f.attname for f in model._meta.concrete_fields if f.attname in row]
    return model.from_db("default", names, [row[name] for name in names])


def lookup(raw_token: str) -> TokenClient | None:
    """The cached token and payer client of this bearer token, or None (not cached, or expired)."""
    try:
        entry = cache.get(_key(checksum(raw_token)))
    except RedisError:
        logger.warning("token cache unreachable; reading the database")
        return None
    if entry is None:
        return None
    token = _instance(AccessToken, TOKEN_FIELDS, entry["token"])
    if token.is_expired():
        return None
    payer = _instance(Payer, PAYER_FIELDS, entry["payer"])
    application = _instance(Application, APPLICATION_FIELDS, entry["application"])
    user = _instance(get_user_model(), USER_FIELDS, entry["user"]) if entry["user"] else None
    application.user = user
    token.application = application
    client = _instance(PayerClient, CLIENT_FIELDS, entry["client"])
    client.payer = payer
    client.application = application
    return TokenClient(token=token, client=client, user=user)


def store(token: AccessToken, client: PayerClient) -> None:
    """Keep this token's payer client until the token expires."""
    seconds = int((token.expires - timezone.now()).total_seconds())
    if seconds <= 0:
        return
    application = client.application
    user = application.user
    entry = {
        "token": _row(token, TOKEN_FIELDS),
        "payer": _row(client.payer, PAYER_FIELDS),
        "application": _row(application, APPLICATION_FIELDS),
        "user": _row(user, USER_FIELDS) if user is not None else None,
        "client": _row(client, CLIENT_FIELDS),
    }
    try:
        cache.set(_key(token.token_checksum), entry, timeout=seconds)
        known = cache.get(_app_key(application.pk)) or []
        if token.token_checksum not in known:
            # Kept as long as the longest token; one list per client application.
            cache.set(_app_key(application.pk), [*known[-99:], token.token_checksum], timeout=seconds)
    except RedisError:
        logger.warning("token cache unreachable; not caching")


def forget(token_checksum: str) -> None:
    try:
        cache.delete(_key(token_checksum))
    except RedisError:
        logger.warning("token cache unreachable: a revoked token may be accepted until it expires")


def forget_application(application_id: int) -> None:
    try:
        known = cache.get(_app_key(application_id)) or []
        cache.delete_many([_key(c) for c in known] + [_app_key(application_id)])
    except RedisError:
        logger.warning("token cache unreachable: a changed client may be served until its tokens expire")


def _on_commit(callback) -> None:
    # Dropped now and again after the commit: a request between the two would otherwise cache
    # the old row again from a transaction that has not committed yet.
    callback()
    transaction.on_commit(callback)


@receiver([post_save, post_delete], sender=AccessToken)
def _token_changed(sender, instance, **kwargs):
    if instance.token_checksum:
        _on_commit(lambda: forget(instance.token_checksum))


@receiver([post_save, post_delete], sender=Application)
def _application_changed(sender, instance, **kwargs):
    _on_commit(lambda: forget_application(instance.pk))


@receiver([post_save, post_delete], sender=PayerClient)
def _client_changed(sender, instance, **kwargs):
    _on_commit(lambda: forget_application(instance.application_id))


@receiver(post_save, sender=Payer)
def _payer_changed(sender, instance, created, **kwargs):
    # (A deleted payer deletes its clients first, and each of those drops its tokens.)
    if created:
        return
    application_ids = list(instance.clients.values_list("application_id", flat=True))
    _on_commit(lambda: [forget_application(a) for a in application_ids])


@receiver(post_save, sender=get_user_model())
def _user_changed(sender, instance, created, update_fields=None, **kwargs):
    # A service user deactivated or renamed: its application's tokens are read again. A login
    # (which saves last_login only) changes nothing cached.
    if created or (update_fields and set(update_fields) <= {"last_login"}):
        return
    application_ids = list(Application.objects.filter(user=instance).values_list("pk", flat=True))
    if application_ids:
        _on_commit(lambda: [forget_application(a) for a in application_ids])
