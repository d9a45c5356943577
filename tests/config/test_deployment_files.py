"""No Docker engine runs here, so the compose file and Dockerfile are checked by reading them."""

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from config.envtools import broker_url, database_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_it_runs_postgres_16_redis_7_web_worker_and_one_beat(compose):
    services = compose["services"]

    assert {"db", "redis", "migrate", "web", "worker", "beat"} <= set(services)
    assert services["db"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    assert services["beat"]["deploy"]["replicas"] == 1
    assert "command" not in services["web"]  # the image's CMD: gunicorn (checked below)


def test_web_worker_and_beat_share_one_image_and_environment(compose):
    services = compose["services"]
    app = [services[name] for name in ("migrate", "web", "worker", "beat")]

    assert all(s["build"] == "." and s["image"] == app[0]["image"] for s in app)
    assert all(s["environment"] == app[0]["environment"] for s in app)


def test_the_environment_points_at_the_compose_database_and_redis(compose):
    services = compose["services"]
    env = services["web"]["environment"]
    db_env = services["db"]["environment"]

    database = database_config(env["DATABASE_URL"])
    assert (database["HOST"], database["PORT"]) == ("db", 5432)
    assert (database["USER"], database["PASSWORD"], database["NAME"]) == (
        db_env["POSTGRES_USER"],
        db_env["POSTGRES_PASSWORD"],
        db_env["POSTGRES_DB"],
    )
    assert broker_url(env["REDIS_URL"]).startswith("redis://redis:6379")
    assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert "DJANGO_SECRET_KEY_FILE" in env or "DJANGO_SECRET_KEY" in env


def test_every_stateful_service_has_a_healthcheck_and_a_volume(compose):
    services = compose["services"]

    for name in ("db", "redis", "web"):
        assert services[name]["healthcheck"]["test"], name
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert set(compose["volumes"]) >= {"pgdata", "redisdata"}
    assert any(v.startswith("pgdata:") for v in services["db"]["volumes"])


def test_app_services_wait_for_the_schema_and_the_database(compose):
    services = compose["services"]

    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["migrate"]["depends_on"]["redis"]["condition"] == "service_healthy"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "seed_demo" in " ".join(services["migrate"]["command"])


def test_worker_and_beat_commands_name_the_celery_app_and_beat_uses_the_database_scheduler(compose):
    services = compose["services"]

    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    assert settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"


def test_the_dockerfile_serves_the_wsgi_app_on_the_published_port(compose):
    dockerfile = (ROOT / "Dockerfile").read_text()
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]

    base = re.search(r"^FROM python:(\d+\.\d+)", dockerfile, re.M).group(1)
    assert requires == f">={base}"
    assert "config.wsgi:application" in dockerfile
    assert '"0.0.0.0:8000"' in dockerfile
    assert compose["services"]["web"]["ports"] == ["8000:8000"]
    assert "collectstatic" in dockerfile


def test_every_environment_variable_the_settings_read_is_documented_in_the_readme():
    sources = "".join(p.read_text() for p in (ROOT / "config" / "settings").glob("*.py"))
    sources += (ROOT / "config" / "envtools.py").read_text()
    names = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', sources))
    readme = (ROOT / "README.md").read_text()

    assert {"DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY", "DJANGO_DEBUG", "DJANGO_ALLOWED_HOSTS"} <= names
    missing = sorted(name for name in names if f"`{name}`" not in readme)
    assert not missing, f"README's configuration table lacks {missing}"
