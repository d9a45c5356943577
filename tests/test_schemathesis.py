"""Schemathesis against the live schema and a live server: no server error, no answer the schema does
not describe (status code, content type, headers, body), and no request without credentials served.

Two runs, each with every phase (examples, coverage, fuzzing, stateful) in a time budget (about 100 s
and 35 s): one with a clinic manager's session (every staff operation), one with an insurer's
bearer token (the insurer API). The demo data gives the operations real records to find.

Two of schemathesis' checks are left out, on purpose:
- `positive_data_acceptance`: the schema gives types, not the clinic's rules, so a well-typed booking
  on a closed day or for an id that does not exist is rightly refused (400/404/409);
- `negative_data_rejection`: it removes the session cookie the security scheme names, but the run's
  own Cookie header still carries it, so it would report the signed-in answer as "accepted".
"""

import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from insurance.models import PayerClient
from tests.insurance.factories import make_token

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.schemathesis]

CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "missing_required_header",
    "unsupported_method",
    "use_after_free",
    "ensure_resource_availability",
]
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def _run(live_server, tmp_path, name: str, headers: dict[str, str], *extra: str, checks=CHECKS) -> str:
    command = [
        str(SCHEMATHESIS),
        "run",
        f"{live_server.url}/api/schema/",
        "--phases=examples,coverage,fuzzing,stateful",
        f"--checks={','.join(checks)}",
        "--generation-database=none",
        "--suppress-health-check=all",
        "--seed=20261203",
        # One worker: ast.parse in hypothesis is not thread-safe on Python 3.11 (SystemError under load).
        "--workers=1",
        "--request-timeout=30",
        "--no-color",
        f"--report-dir={tmp_path / name}",
        *extra,
    ]
    for header, value in headers.items():
        command.append(f"--header={header}: {value}")
    # From the test's own folder: schemathesis keeps a cache where it runs, and the checkout stays clean.
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False, cwd=tmp_path)
    out = result.stdout + result.stderr
    summary = out[out.rfind("SUMMARY") :] if "SUMMARY" in out else out[-3000:]
    print(f"--- schemathesis, {name} ---\n{summary}")
    assert result.returncode == 0, out[-20000:]
    return out


def _figures(out: str) -> tuple[int, int]:
    tested = int(re.search(r"Tested: (\d+)", out).group(1))
    cases = int(re.search(r"(\d+) generated", out).group(1))
    return tested, cases


@pytest.fixture
def demo(settings):
    with time_machine.travel("2027-03-01T15:00:00Z", tick=True):
        settings.DEBUG = True  # seed_demo refuses to run against a production configuration
        call_command("seed_demo", quiet=True)
        settings.DEBUG = False
        yield


def test_the_staff_api_answers_only_what_its_schema_says(demo, live_server, tmp_path):
    client = Client()
    client.force_login(get_user_model().objects.get(username="manager"))
    csrf = secrets.token_hex(16)  # 32 characters: a valid unmasked CSRF secret
    session = client.cookies["sessionid"].value
    headers = {"Cookie": f"sessionid={session}; csrftoken={csrf}", "X-CSRFToken": csrf}

    # A time budget, not a case count, bounds it: schemathesis shares it out over the phases.
    out = _run(
        live_server,
        tmp_path,
        "staff",
        headers,
        "--max-examples=4",
        "--max-time=100",
        "--exclude-tag=insurer API",
    )

    tested, cases = _figures(out)
    assert tested >= 60  # of the 74 staff operations
    assert cases >= 300


def test_the_insurer_api_answers_only_what_its_schema_says(demo, live_server, tmp_path):
    payer_client = PayerClient.objects.select_related("application").order_by("pk").first()
    token = make_token(payer_client.application)

    out = _run(
        live_server,
        tmp_path,
        "insurer",
        {"Authorization": f"Bearer {token}"},
        "--max-examples=15",
        "--max-time=35",
        "--include-tag=insurer API",
        # Bearer tokens are the insurer API's only door: a request without one must get no data.
        checks=[*CHECKS, "ignored_auth"],
    )

    tested, cases = _figures(out)
    assert tested == 6
    assert cases >= 60
