"""Celery tasks of insurance: thin, idempotent, each calls one service."""

from celery import shared_task

from insurance import services


@shared_task(name="insurance.expire_authorizations")
def expire_authorizations() -> int:
    """Mark granted authorizations past their last valid day as expired (safe to run any number of
    times: an authorization expires once). Returns how many expired."""
    return services.authorizations_expire()
