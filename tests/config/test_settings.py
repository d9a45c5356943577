import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, **env):
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        **env,
    }
    environment.pop("DJANGO_DEBUG", None) if "DJANGO_DEBUG" not in env else None
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checklist():
    result = _manage("check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_with_debug_on():
    result = _manage("check", DJANGO_DEBUG="true")

    assert result.returncode != 0
    assert "DJANGO_DEBUG must be off in production" in result.stderr


def test_production_refuses_the_default_or_a_short_secret_key():
    default = _manage("check", DJANGO_SECRET_KEY="insecure-dev-only-key-never-use-in-production")
    short = _manage("check", DJANGO_SECRET_KEY="abc123")

    for result in (default, short):
        assert result.returncode != 0
        assert "DJANGO_SECRET_KEY must be set to a long random value" in result.stderr


def test_a_database_url_that_is_not_postgresql_is_refused():
    result = _manage("check", DATABASE_URL="sqlite:///clinic.db")

    assert result.returncode != 0
    assert "DATABASE_URL must point to PostgreSQL" in result.stderr
