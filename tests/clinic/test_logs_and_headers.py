"""What leaves the service besides the page: request logs without search terms, no-store, the CSP."""

import logging
import re

import pytest
from django.core.servers.basehttp import WSGIRequestHandler

from tests.factories import PatientFactory


@pytest.fixture
def server_log(caplog):
    logger = logging.getLogger("django.server")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="django.server")
    yield caplog
    logger.removeHandler(caplog.handler)


def _log_request(line: str, status: int) -> None:
    handler = WSGIRequestHandler.__new__(WSGIRequestHandler)
    handler.request = None
    handler.requestline = line
    handler.log_request(status, 1234)


@pytest.mark.parametrize("status", [200, 404, 500])
def test_the_dev_server_logs_the_path_without_its_query_string(server_log, status):
    _log_request("GET /admin/patients/patient/?q=Whitfield&mrn=MRN-100001 HTTP/1.1", status)

    assert len(server_log.records) == 1
    line = server_log.records[0].getMessage()
    assert "/admin/patients/patient/" in line
    assert "Whitfield" not in line and "MRN-100001" not in line and "?" not in line
    assert "HTTP/1.1" in line and str(status) in line


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part}


@pytest.mark.parametrize(
    "url",
    ["/admin/patients/patient/", "/admin/patients/patient/{pk}/change/", "/api/v1/patients/", "/chairside/"],
)
def test_pages_and_json_with_patient_data_are_never_stored(client, manager, url):
    patient = PatientFactory()
    client.force_login(manager)

    response = client.get(url.format(pk=patient.pk))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_the_login_page_and_an_api_error_are_not_stored_either(client):
    assert "no-store" in client.get("/admin/login/")["Cache-Control"]
    assert "no-store" in client.get("/api/v1/patients/")["Cache-Control"]


def test_every_page_forbids_inline_script_and_other_hosts(client, manager):
    client.force_login(manager)
    for url in ["/admin/", "/chairside/", "/api/v1/patients/", "/api/docs/", "/chairside/login/"]:
        directives = _directives(client.get(url))
        assert directives["script-src"] == ["'self'"], url
        assert directives["object-src"] == ["'none'"], url
        assert directives["frame-ancestors"] == ["'none'"], url


def test_no_template_carries_an_inline_script_or_event_handler():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    templates = [
        path
        for path in root.glob("*/templates/**/*.html")
        if not any(part.startswith(".") for part in path.relative_to(root).parts)
    ]
    assert templates
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
    handler = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
    offenders = [
        str(path.relative_to(root))
        for path in templates
        if inline_script.search(path.read_text())
        or handler.search(path.read_text())
        or "javascript:" in path.read_text()
    ]
    assert offenders == []
