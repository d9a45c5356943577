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


def cache_location(redis_url: str) -> str:
    """Return the Redis URL in redis-py's spelling (`unix:///path` for a socket), for Django's cache."""
    url = broker_url(redis_url)
    if url.startswith("redis+socket://"):
        return "unix://" + url.removeprefix("redis+socket://")
    return url


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


def read_secret_key(env) -> str | None:
    """DJANGO_SECRET_KEY, or the contents of the file DJANGO_SECRET_KEY_FILE names (docker secrets style)."""
    path = env("DJANGO_SECRET_KEY_FILE", default="")
    if path:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip()
    return env("DJANGO_SECRET_KEY", default=None)


def ensure_secret_key_file(path: str) -> None:
    """Write a fresh random key to `path` unless one is there (compose's first start, no manual step)."""
    import secrets
    from pathlib import Path

    target = Path(path)
    if target.exists() and target.read_text(encoding="utf-8").strip():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(secrets.token_urlsafe(64), encoding="utf-8")
    target.chmod(0o600)


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] != ["ensure-secret-key"] or len(sys.argv) != 3:
        sys.exit("usage: python -m clinic.envtools ensure-secret-key PATH")
    ensure_secret_key_file(sys.argv[2])
