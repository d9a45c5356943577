"""Side by side over HTTP: each hot endpoint against a bare DRF view in the same gunicorn.

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/http_bench.py [--small] [--rounds 6]

Without the URLs: `.venv/bin/python -m config.devservers -- .venv/bin/python bench/http_bench.py`.

Fills a scratch database beside DATABASE_URL's (its name + `_httpbench`; kept between runs, `--refill`
builds it again): three payers with 1,000, 10,000 and 100,000 authorizations; two sites of 30 and 120
chairs with 90 days of bookings at about 80%; the preview's worked-example patient. Then starts gunicorn
with the Dockerfile's own command line (its bind address and worker count replaced), production settings
plus one bare DRF view (bench/bench_settings.py), and drives every endpoint and the bare view in
interleaved rounds with `wrk` (Debian's package). Each round prints req/s, p50 and p99 and the ratio to
the bare view of that round; the last line is one JSON object: endpoint -> median ratio over the rounds.

`--small` (a few minutes): 1k/10k/30k authorizations, 30 days of calendar, 3 rounds of 2 s.
"""

import argparse
import json
import os
import random
import re
import secrets
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def scratch_url(url: str, suffix: str = "_httpbench") -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + suffix))


def ensure_database(url: str, *, refill: bool) -> bool:
    """Create the scratch database if needed; True when it was (re)created empty."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and refill:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            return True
    return False


parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--small", action="store_true", help="small data and short rounds (a few minutes)")
parser.add_argument("--rounds", type=int, default=None)
parser.add_argument("--seconds", type=int, default=None, help="wrk duration per endpoint per round")
parser.add_argument("--connections", type=int, default=2)
parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (the Dockerfile has 3)")
parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8122")))
parser.add_argument("--refill", action="store_true", help="drop and fill the scratch database again")
parser.add_argument("--only", default="", help="comma-separated endpoint names (the bare view always runs)")
args = parser.parse_args()
SIZES = (1_000, 10_000, 30_000) if args.small else (1_000, 10_000, 100_000)
DAYS = 30 if args.small else 90
ROUNDS = args.rounds or (3 if args.small else 6)
SECONDS = args.seconds or (2 if args.small else 4)

if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
    sys.exit("Set DATABASE_URL and REDIS_URL (or run under `python -m config.devservers --`).")
DB_URL = scratch_url(os.environ["DATABASE_URL"], "_httpbench_small" if args.small else "_httpbench")
fresh = ensure_database(DB_URL, refill=args.refill)
os.environ["DATABASE_URL"] = DB_URL
# Sessions and their auth hash are signed with the secret key: this process and gunicorn share one.
os.environ["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(64)
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"

import django

django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Group, User
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from insurance.models import Payer, PayerClient
from patients.models import Patient
from scheduling.models import Booking, Site

BOOK_PREFIX = "HBNEW"
MARK = "http-bench complete"


def fill() -> None:
    import insurance_bench
    import preview_bench
    import scheduling_bench

    started = time.perf_counter()
    for size in SIZES:
        payer = Payer.objects.create(code=f"hb{size}", name=f"Bench payer {size}")
        insurance_bench.fill(payer, size, f"K{size // 1000}-")
        print(f"  {size} authorizations ({time.perf_counter() - started:.0f} s)", flush=True)
    rng = random.Random(4)
    for chairs in (30, 120):
        site, _first, free, count, utilisation = scheduling_bench.fill(
            chairs,
            DAYS,
            rng,
            name=f"Bench {chairs} chairs",
            free=500 if chairs == 30 else 0,
            prefix=f"S{chairs}-",
        )
        nurses = scheduling_bench.nurses_for(chairs)
        booked = f"{count} bookings, {utilisation:.0%} booked"
        print(f"  {chairs} chairs x {DAYS} days, {nurses} nurses a day: {booked}", flush=True)
        if chairs == 30:
            # The booking bench's free mornings, kept in the scratch site's address for the next run.
            Site.objects.filter(pk=site.pk).update(
                address=json.dumps([(chair.pk, day.isoformat()) for chair, day in free])
            )
            Patient.objects.bulk_create(
                Patient(
                    mrn=f"{BOOK_PREFIX}{n:05d}",
                    given_name="New",
                    family_name=f"Patient{n}",
                    date_of_birth=datetime(1970, 1, 1).date(),  # noqa: DTZ001
                    sex="female",
                )
                for n in range(len(free))
            )
    preview_bench.fill()
    Payer.objects.create(code="hb-done", name=MARK)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  filled in {time.perf_counter() - started:.0f} s", flush=True)


def forget_bench_bookings() -> None:
    """Delete what the booking bench booked, so every round books the same free mornings. A booking's
    history is append-only (a trigger); this scratch database switches triggers off for the delete,
    and Django's collector deletes the dependent rows itself."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        Booking.objects.filter(patient__mrn__startswith=BOOK_PREFIX).delete()


def session_for(user: User) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "clinic.permissions_cache.CachedPermissionBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.set_expiry(24 * 3600)
    store.save()
    return store.session_key


def token_for(payer: Payer) -> str:
    user, _ = User.objects.get_or_create(username=f"hb-client-{payer.code}")
    app = Application.objects.filter(name=f"hb-{payer.code}").first()
    if app is None:
        app = Application.objects.create(
            name=f"hb-{payer.code}",
            client_type="confidential",
            authorization_grant_type="client-credentials",
            user=user,
        )
        PayerClient.objects.create(application=app, payer=payer)
    token = secrets.token_urlsafe(24)
    AccessToken.objects.create(
        application=app, token=token, scope="authorizations:read", expires=timezone.now() + timedelta(hours=6)
    )
    return token


def gunicorn_command(port: int, workers: int) -> list[str]:
    """The Dockerfile's CMD, bound to loopback on `port` with `workers` workers."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    cmd = json.loads(re.search(r"^CMD\s+(\[.*\])\s*$", text, re.MULTILINE).group(1))
    cmd[cmd.index("--bind") + 1] = f"127.0.0.1:{port}"
    cmd[cmd.index("--workers") + 1] = str(workers)
    cmd[0] = str(Path(sys.executable).with_name("gunicorn"))
    return cmd


def lua(path: Path, method: str, bodies: list[str]) -> Path:
    """A wrk script sending `bodies` in turn (one thread, so each is sent once before any repeats)."""
    quoted = ",\n".join("[==[" + b + "]==]" for b in bodies)
    path.write_text(
        f"""wrk.method = "{method}"
wrk.headers["Content-Type"] = "application/json"
local bodies = {{ {quoted} }}
local n = 0
request = function()
  n = n + 1
  local body = nil
  if #bodies > 0 then body = bodies[((n - 1) % #bodies) + 1] end
  return wrk.format(nil, nil, nil, body)
end
"""
    )
    return path


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def wrk(url: str, headers: dict, script: Path | None, seconds: float) -> dict:
    cmd = ["wrk", "-t1", f"-c{args.connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    if script:
        cmd += ["-s", str(script)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    lat = {
        p: float(v) * UNITS[u] for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
    }
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": lat.get("50", float("nan")),
        "p99": lat.get("99", float("nan")),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "non2xx": int(bad.group(1)) if bad else 0,
        "errors": errors.group(1) if errors else "",
    }


def check(url: str, headers: dict, method: str = "GET", body: str | None = None) -> int:
    request = urllib.request.Request(
        url, data=body.encode() if body else None, method=method, headers=headers
    )
    if body:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        print(f"    {method} {url}: {error.code} {error.read()[:300]!r}")
        return error.code


def main() -> None:
    print(f"scratch database {urlsplit(DB_URL).path.lstrip('/')} ({'new' if fresh else 'kept'})", flush=True)
    call_command("migrate", verbosity=0)
    if not Payer.objects.filter(code="hb-done").exists():
        if not fresh:
            sys.exit("The scratch database is half filled; run again with --refill.")
        print("filling:", flush=True)
        fill()
    # What the booking bench created last time goes, so every run books the same free mornings.
    forget_bench_bookings()

    scheduler, _ = User.objects.get_or_create(username="hb-scheduler", defaults={"is_staff": True})
    scheduler.groups.add(Group.objects.get(name="scheduler"))
    session = session_for(scheduler)
    csrf = secrets.token_hex(16)  # 32 characters: Django accepts the unmasked secret in the header
    port = args.port
    base = f"http://127.0.0.1:{port}"
    staff = {
        "X-Forwarded-Proto": "https",  # production settings redirect plain http; a proxy sets this
        "Cookie": f"sessionid={session}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
        "Origin": f"https://127.0.0.1:{port}",
    }
    sites = {n: Site.objects.get(name=f"Bench {n} chairs") for n in (30, 120)}
    first = (
        min(b.start for b in Booking.objects.filter(site=sites[30]).order_by("start")[:1])
        .astimezone(sites[30].zone)
        .date()
    )

    tmp = Path(tempfile.mkdtemp(prefix="http-bench-"))
    endpoints: dict[str, tuple[str, dict, Path | None]] = {
        "bare": ("/bench/bare/", {"X-Forwarded-Proto": "https"}, None)
    }
    for size in SIZES:
        token = token_for(Payer.objects.get(code=f"hb{size}"))
        bearer = {"X-Forwarded-Proto": "https", "Authorization": f"Bearer {token}"}
        endpoints[f"insurer_list_{size // 1000}k"] = ("/api/v1/authorizations/?page_size=50", bearer, None)
        if size == 10_000:
            ten_k = bearer
    for chairs, site in sites.items():
        for span in (14, DAYS):
            path = (
                f"/api/v1/availability/?site={site.pk}&duration_minutes=240&date_from={first}"
                f"&date_to={first + timedelta(days=span - 1)}&limit=10"
            )
            endpoints[f"availability_{chairs}c_{span}d"] = (path, staff, None)
    free = json.loads(sites[30].address)
    patients = list(
        Patient.objects.filter(mrn__startswith=BOOK_PREFIX).order_by("mrn").values_list("pk", flat=True)
    )
    zone = sites[30].zone
    booking_bodies = [
        json.dumps(
            {
                "chair": chair,
                "patient": patients[n % len(patients)],
                "start": datetime.combine(
                    datetime.fromisoformat(day).date(), clock(7, 0), tzinfo=zone
                ).isoformat(),
                "duration_minutes": 240,
            }
        )
        for n, (chair, day) in enumerate(free[: len(patients)])
    ]
    endpoints["booking"] = ("/api/v1/bookings/", staff, lua(tmp / "booking.lua", "POST", booking_bodies))
    preview_body = _preview_body()
    endpoints["preview"] = (
        "/api/v1/orders/preview/",
        staff,
        lua(tmp / "preview.lua", "POST", [preview_body]),
    )
    wanted = {n for n in args.only.split(",") if n}
    if wanted:
        endpoints = {k: v for k, v in endpoints.items() if k == "bare" or k in wanted}

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.bench_settings",
        "DATABASE_URL": DB_URL,
        "PYTHONPATH": str(ROOT),
    }
    command = gunicorn_command(port, args.workers)
    log = open(tmp / "gunicorn.log", "w")  # noqa: SIM115
    print(f"gunicorn: {shlex.join(command[1:])}  (log {tmp / 'gunicorn.log'})", flush=True)
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            try:
                if check(base + "/bench/bare/", endpoints["bare"][1]) == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            sys.exit("gunicorn did not answer")
        # Deep pages: follow `next` links from the first page (page numbers or cursors alike).
        if "insurer_list_10k" in endpoints or "insurer_list_10k_page150" in wanted or not wanted:
            url = base + "/api/v1/authorizations/?page_size=50"
            for _ in range(149):
                request = urllib.request.Request(url, headers=ten_k)
                with urllib.request.urlopen(request, timeout=30) as response:
                    url = json.loads(response.read())["next"].replace("https://", "http://")
            endpoints["insurer_list_10k_page150"] = (url[len(base) :], ten_k, None)
        for name, (path, headers, script) in endpoints.items():
            method, body = ("POST", preview_body) if name == "preview" else ("GET", None)
            if name != "booking":
                status = check(base + path, headers, method, body)
                assert status == 200, f"{name}: {status}"
            wrk(base + path, headers, script, 1)  # warm up each worker
        forget_bench_bookings()

        ratios: dict[str, list[float]] = {name: [] for name in endpoints if name != "bare"}
        for r in range(1, ROUNDS + 1):
            print(f"round {r}/{ROUNDS}")
            print(f"  {'endpoint':28} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>6}")
            bare = None
            for name, (path, headers, script) in endpoints.items():
                result = wrk(base + path, headers, script, SECONDS)
                if name == "booking":
                    forget_bench_bookings()
                if name == "bare":
                    bare = result["rps"]
                    ratio = ""
                else:
                    ratios[name].append(result["rps"] / bare)
                    ratio = f"{result['rps'] / bare:6.3f}"
                note = f"  non-2xx {result['non2xx']}" if result["non2xx"] else ""
                note += f"  socket errors {result['errors']}" if result["errors"] else ""
                figures = f"{result['rps']:8.1f} {result['p50']:8.2f} {result['p99']:8.2f} {ratio:>6}"
                print(f"  {name:28} {figures}{note}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        forget_bench_bookings()
    print(json.dumps({name: round(statistics.median(values), 4) for name, values in ratios.items()}))


def _preview_body() -> str:
    from demo.infusions import STANDARD
    from infusions.models import Product, TitrationProtocol

    patient = Patient.objects.get(mrn="BENCH-1")
    return json.dumps(
        {
            "patient": patient.pk,
            "indication": patient.diagnoses.get(code="G61.81").pk,
            "product": Product.objects.get(brand="Gammagard Liquid").pk,
            "protocol": TitrationProtocol.objects.get(name=STANDARD).pk,
            "dose_grams_per_kg": "1",
            "weight_policy": "actual",
        }
    )


if __name__ == "__main__":
    main()
