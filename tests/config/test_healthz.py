import os
import subprocess
import sys

import pytest

from config.celery import app as celery_app


@pytest.mark.django_db
def test_it_reports_the_database_and_the_broker_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_it_answers_503_naming_the_broker_when_redis_is_unreachable(client):
    real = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get("/healthz")
    finally:
        celery_app.conf.broker_url = real

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "error"}


def test_it_answers_503_naming_the_database_when_postgresql_is_unreachable():
    # A separate process, so the suite's own database connection is left alone.
    script = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(r.status_code, r.content.decode())"
    )
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/none",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )

    assert result.stdout.strip() == '503 {"database": "error", "broker": "ok"}', result.stderr
