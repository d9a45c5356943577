"""The embedded servers `make run` / `make test` start when DATABASE_URL / REDIS_URL are unset."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import os, psycopg, redis
from config.envtools import database_config
db = database_config(os.environ["DATABASE_URL"])
with psycopg.connect(host=db["HOST"], user=db["USER"], dbname=db["NAME"]) as conn:
    conn.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    print(conn.execute("SHOW server_version").fetchone()[0].split(".")[0])
print(redis.Redis(unix_socket_path=os.environ["REDIS_URL"].removeprefix("redis+socket://")).ping())
"""


def test_it_starts_real_postgresql_with_btree_gist_and_redis_then_stops_them(tmp_path):
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    local = tmp_path / "local"
    script = f"import config.devservers as d, pathlib; d.LOCAL = pathlib.Path({str(local)!r}); d.main()"

    result = subprocess.run(
        [sys.executable, "-c", script, "--", sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["18", "True"]
    assert (local / "postgres" / "PG_VERSION").exists()
    # Both servers were stopped with the command: nothing listens on their sockets any more.
    assert not (local / "postgres" / "postmaster.pid").exists()
    assert not (local / "redis" / "redis.sock").exists()
