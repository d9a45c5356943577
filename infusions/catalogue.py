"""The product catalogue (products with their label rates, protocols with their steps) and the infusion
policy, kept in each web process between requests.

Every preview and order read the product, its label rates, the protocol, its steps and the policy:
five queries for rows a manager edits a few times a year. Each process keeps them and checks one
version number in Redis per request; any edit of those rows (admin or code, saved through the ORM)
sets a new version, so every process reloads on its next request. Nothing here is authoritative: with
Redis unreachable the rows are read from PostgreSQL; an id not in the copy reloads it once (a product
added a moment ago). A backstop reload happens every CATALOGUE_SECONDS even without an edit (a bulk
`update()` sends no signal, and an edit rolled back after its save leaves the copy it caused).
"""

import logging
import time
import uuid

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from redis.exceptions import RedisError

from infusions import selectors
from infusions.models import InfusionPolicy, LabelRate, Product, ProtocolStep, TitrationProtocol

logger = logging.getLogger(__name__)

VERSION_KEY = "infusions:catalogue-version"
CATALOGUE_SECONDS = 5 * 60

_memo: dict = {"version": None, "loaded_at": 0.0}


def _load() -> dict:
    return {
        "products": {p.pk: p for p in selectors.product_list()},
        "protocols": {p.pk: p for p in selectors.protocol_list()},
        "policy": InfusionPolicy.current(),
    }


def _current_version() -> str | None:
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
            version = cache.get(VERSION_KEY)
        return version
    except RedisError:
        logger.warning("catalogue cache unreachable; reading the database")
        return None


def catalogue(*, reload: bool = False) -> dict:
    """{"products": {pk: Product}, "protocols": {pk: TitrationProtocol}, "policy": InfusionPolicy}:
    products with label rates and protocols with steps prefetched. Treat them as read-only."""
    version = _current_version()
    if version is None:
        return _load()
    fresh = time.monotonic() - _memo["loaded_at"] < CATALOGUE_SECONDS
    if _memo["version"] == version and fresh and not reload:
        return _memo["data"]
    data = _load()
    _memo.update(version=version, loaded_at=time.monotonic(), data=data)
    return data


def _get(kind: str, pk):
    found = catalogue()[kind].get(pk)
    return found if found is not None else catalogue(reload=True)[kind].get(pk)


def product(pk) -> Product | None:
    return _get("products", pk)


def protocol(pk) -> TitrationProtocol | None:
    return _get("protocols", pk)


def policy() -> InfusionPolicy:
    return catalogue()["policy"]


def forget() -> None:
    """Drop this process's copy and set a new version, so every process reloads on its next request."""
    _memo.update(version=None, loaded_at=0.0, data=None)
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except RedisError:
        logger.warning("catalogue cache unreachable: other processes reload within %s s", CATALOGUE_SECONDS)


@receiver([post_save, post_delete], sender=Product)
@receiver([post_save, post_delete], sender=LabelRate)
@receiver([post_save, post_delete], sender=TitrationProtocol)
@receiver([post_save, post_delete], sender=ProtocolStep)
@receiver([post_save, post_delete], sender=InfusionPolicy)
def _catalogue_changed(sender, **kwargs):
    # Now, and again once the edit is committed: a request in between may have loaded the old rows.
    forget()
    transaction.on_commit(forget)
