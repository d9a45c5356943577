"""Small helpers for reading the environment, shared by settings and the dev-server launcher."""

from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit


def broker_url(redis_url: str) -> str:
    """Return the Celery broker URL for a Redis URL.

    redis-py spells a Unix socket `unix:///path?db=N`; Celery's transport spells it
    `redis+socket:///path?virtual_host=N`. Both spellings are accepted so one REDIS_URL serves both.
    """
    if redis_url.startswith(("unix://", "redis+socket://")):
        path, db = _socket_parts(redis_url)
        return f"redis+socket://{path}" + (f"?virtual_host={db}" if db else "")
    if redis_url.startswith(("redis://", "rediss://")):
        return redis_url
    raise ValueError(
        f"REDIS_URL must start with redis://, rediss://, unix:// or redis+socket://, got {redis_url!r}"
    )


def cache_location(redis_url: str) -> str:
    """Return the Redis URL in redis-py's spelling (`unix:///path?db=N` for a socket), for Django's cache."""
    url = broker_url(redis_url)
    if url.startswith("redis+socket://"):
        path, db = _socket_parts(url)
        return f"unix://{path}" + (f"?db={db}" if db else "")
    return url


def redis_database(redis_url: str) -> int:
    """Return the database number a Redis URL selects: its path on TCP, its query on a Unix socket."""
    if redis_url.startswith(("unix://", "redis+socket://")):
        return _socket_parts(redis_url)[1]
    return int(urlsplit(redis_url).path.strip("/") or 0)


def with_redis_database(redis_url: str, db: int) -> str:
    """Return the same Redis server's URL with another database number, in the spelling it came in."""
    if redis_url.startswith(("unix://", "redis+socket://")):
        scheme = redis_url.split("://", 1)[0]
        path, _ = _socket_parts(redis_url)
        key = "virtual_host" if scheme == "redis+socket" else "db"
        return f"{scheme}://{path}?{urlencode({key: db})}"
    parts = urlsplit(redis_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, ""))


def _socket_parts(redis_url: str) -> tuple[str, int]:
    # A socket's path is the URL's path; the database is `db` (redis-py) or `virtual_host` (kombu).
    parts = urlsplit(redis_url)
    query = dict(parse_qsl(parts.query))
    db = query.get("db", query.get("virtual_host", "0")).strip("/") or "0"
    return parts.path, int(db)


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
        sys.exit("usage: python -m config.envtools ensure-secret-key PATH")
    ensure_secret_key_file(sys.argv[2])
