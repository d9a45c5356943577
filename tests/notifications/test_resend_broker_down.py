"""The outbox's "Resend" while Redis is down: the page says what happens, the row is kept, no 500."""

import pytest

from clinic.notifications import dispatch
from config.celery import app as celery_app
from tests.factories import PatientFactory
from tests.notifications.test_dispatch import provider, reminder  # noqa: F401 - fixture and helper

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down():
    """Point Celery at a port nothing listens on, with fresh connection pools, then back."""
    real = celery_app.conf.broker_url

    def drop_pools():
        celery_app.amqp._producer_pool = None
        if celery_app._pool is not None:
            celery_app._pool.force_close_all()
        celery_app._pool = None

    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"
    drop_pools()
    try:
        yield
    finally:
        celery_app.conf.broker_url = real
        drop_pools()


def test_resending_while_the_broker_is_down_keeps_the_row_says_so_and_sends_it_later(
    clock,
    site,
    provider,  # noqa: F811 - the fixture imported above
    manager,
    client,
    broker_down,
):
    patient = PatientFactory(phone="+15555550666")
    provider.refuse_numbers.add("+15555550666")
    row = reminder(site, patient)
    dispatch.outbox_drain(seconds=5)
    row.refresh_from_db()
    assert row.status == "failed"
    provider.refuse_numbers.clear()
    client.force_login(manager)

    response = client.post(
        "/admin/clinic/notification/", {"action": "resend", "_selected_action": [row.pk]}, follow=True
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "unreachable" in page
    assert "Nothing is lost" in page
    row.refresh_from_db()
    assert (row.status, row.resends) == ("pending", 1)
    # The every-minute dispatch (no broker needed to drain) sends it.
    dispatch.outbox_drain(seconds=5)
    row.refresh_from_db()
    assert (row.status, row.resends) == ("sent", 1)
