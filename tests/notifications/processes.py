"""Real Celery worker and beat processes for the end-to-end tests, on the test database and a Redis
database of their own, so that they can be SIGKILLed like a crashed container."""

import os
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from celery import Celery
from django.db import connection

from config.envtools import broker_url, redis_database, with_redis_database

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


def broker_for_tests() -> str:
    """The test run's Redis with the database number one above its own (the workers' private queue).

    On TCP the number is the URL's path; on the embedded server's Unix socket it is the URL's query.
    """
    url = os.environ["REDIS_URL"]
    return with_redis_database(url, redis_database(url) + 1)


def test_database_url() -> str:
    url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    return urllib.parse.urlunsplit(
        (url.scheme, url.netloc, f"/{connection.settings_dict['NAME']}", url.query, "")
    )


class Processes:
    def __init__(self, tmp_path: Path, **env: str):
        self.tmp_path = tmp_path
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": test_database_url(),
            "REDIS_URL": broker_for_tests(),
            "REMINDER_QUIET_HOURS": "",  # the real clock may be at night in New York
            **env,
        }
        self.running: list[tuple[subprocess.Popen, Path]] = []
        self.client = Celery(broker=broker_url(broker_for_tests()))

    def purge(self) -> None:
        # Only the queue and kombu's bookkeeping of unacknowledged messages, nothing else in that database.
        with self.client.connection_for_write() as conn:
            conn.default_channel.client.delete("celery", "unacked", "unacked_index", "unacked_mutex")

    def start(self, *args: str, name: str) -> subprocess.Popen:
        log = self.tmp_path / f"{name}-{len(self.running)}.log"
        process = subprocess.Popen(
            [CELERY, "-A", "config", *args],
            cwd=ROOT,
            env=self.env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: SIGKILL takes the pool children too
        )
        self.running.append((process, log))
        return process

    def worker(self, concurrency: int = 4) -> subprocess.Popen:
        return self.start(
            "worker", "--pool=prefork", f"--concurrency={concurrency}", "--loglevel=INFO", name="worker"
        )

    def beat(self) -> subprocess.Popen:
        schedule = self.tmp_path / f"beat-{len(self.running)}"
        return self.start("beat", "--loglevel=INFO", "--pidfile=", f"--schedule={schedule}", name="beat")

    def kill(self, process: subprocess.Popen) -> None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def send(self, task: str) -> None:
        self.client.send_task(task)

    def log(self, process: subprocess.Popen) -> str:
        return next(log for p, log in self.running if p is process).read_text()

    def stop_all(self) -> None:
        for process, _ in self.running:
            if process.poll() is None:
                self.kill(process)
        self.client.close()


def wait_for(condition, *, timeout: float, every: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
