"""Small helpers for reading the environment, shared by settings and the dev-server launcher."""

from urllib.parse import unquote


def broker_url(redis_url: str) -> str:
    """Return the Celery broker URL for a Redis URL.

    redis-py spells a Unix socket `unix:///path`; Celery's transport spells it `redis+socket:///path`.
    Both spellings are accepted so one REDIS_URL serves both.
    """
    if redis_url.startswith("unix://"):
        return "redis+socket://" + redis_url.removeprefix("unix://")
    if redis_url.startswith(("redis://", "rediss://", "redis+socket://")):
        return redis_url
    raise ValueError(
        f"REDIS_URL must start with redis://, rediss://, unix:// or redis+socket://, got {redis_url!r}"
    )


def database_config(url: str) -> dict:
    """Return Django's DATABASES entry for a DATABASE_URL, PostgreSQL only.

    A Unix-socket directory may be given URL-encoded in the host part (`postgres://user@%2Fpath/db`),
    the form dj-database-url and libpq tools accept.
    """
    import environ

    config = environ.Env.db_url_config(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise ValueError("DATABASE_URL must point to PostgreSQL: bookings rely on its exclusion constraints.")
    config["HOST"] = unquote(str(config.get("HOST") or ""))
    return config
