"""The admin's Reports section: the dashboard and a report's page, for managers and schedulers only."""

import pytest

from reports.registry import all_reports
from tests.reports.conftest import range_query

pytestmark = pytest.mark.django_db


def test_the_admin_index_has_a_reports_section_for_managers_and_schedulers(client, manager, scheduler):
    for user in (manager, scheduler):
        client.force_login(user)
        page = client.get("/admin/").content.decode()
        assert "/admin/reports/report/" in page and "Reports" in page


@pytest.mark.parametrize("url", ["/admin/reports/report/", "/admin/reports/report/chairs/"])
def test_a_nurse_or_an_insurer_gets_403_and_nobody_signed_in_the_login(client, nurse, insurer_user, url):
    for user in (nurse, insurer_user):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_the_dashboard_shows_a_small_chart_of_each_report_linking_to_it(client, manager, clinic):
    client.force_login(manager)
    response = client.get("/admin/reports/report/", range_query(clinic))
    assert response.status_code == 200
    page = response.content.decode()
    for slug in ("chairs", "nurses", "flow"):
        assert f'id="card-{slug}"' in page
        assert (
            f"/admin/reports/report/{slug}/?site={clinic.site.pk}&amp;start=2026-10-31&amp;end=2026-11-02"
            in page
        )
    assert page.count('viewBox="0 0 320 140"') == len(all_reports())
    assert "America/New_York" in page


def test_a_report_page_has_filters_chart_definition_table_and_csv_link(client, manager, clinic):
    client.force_login(manager)
    response = client.get("/admin/reports/report/chairs/", range_query(clinic))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="start" value="2026-10-31"' in page and 'name="end" value="2026-11-02"' in page
    assert "Open chair-minutes: for each local day a site is open" in page
    assert page.count('class="report-chart ') == 5  # one per table but the whole range's
    assert "<td>33.3%</td>" in page  # Sunday's scheduled utilisation
    assert "Report Test Center: America/New_York (EST)" in page  # the zone named, as of now (5 Nov)
    assert (
        f"/api/v1/reports/chairs/?site={clinic.site.pk}&amp;start=2026-10-31&amp;end=2026-11-02"
        "&amp;table=occupancy&amp;format=csv"
    ) in page


def test_a_bad_range_is_said_on_the_form(client, manager, clinic):
    client.force_login(manager)
    response = client.get("/admin/reports/report/flow/", {"start": "2026-11-02", "end": "2026-10-01"})
    assert response.status_code == 400
    assert "end (2026-10-01) is before start (2026-11-02)." in response.content.decode()


def test_an_unknown_report_is_a_404(client, manager):
    client.force_login(manager)
    assert client.get("/admin/reports/report/nope/").status_code == 404


def test_the_flow_page_offers_the_product_filter(client, manager, clinic):
    client.force_login(manager)
    page = client.get("/admin/reports/report/flow/", range_query(clinic, product=clinic.product_a.pk))
    assert f'<option value="{clinic.product_a.pk}" selected>' in page.content.decode()


@pytest.fixture
def people_report(clinic):
    """A per-patient report registered for one test (part B's "ended short of dose" is one such)."""
    from reports import registry
    from tests.reports.test_api import _patient_report

    report = registry.register(
        _patient_report([clinic.bookings["A"].patient_id, clinic.bookings["F"].patient_id])
    )
    yield report
    registry._REPORTS.pop(report.slug)


def test_a_per_patient_table_shown_in_the_admin_is_audited(client, manager, clinic, people_report):
    from clinic.audit import reads_of
    from patients.models import Patient

    client.force_login(manager)
    response = client.get("/admin/reports/report/test-people/", range_query(clinic))
    assert response.status_code == 200
    for key in ("A", "F"):
        reads = reads_of(Patient, clinic.bookings[key].patient_id).filter(actor=manager)
        assert reads.count() == 1
        assert reads.first().additional_data["detail"] == "report test-people: people"
    assert not reads_of(Patient, clinic.bookings["B"].patient_id).exists()
