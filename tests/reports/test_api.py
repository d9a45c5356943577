"""/api/v1/reports/<slug>/: who may read it, its 400s, CSV, the audit of per-patient tables."""

import csv
import io
import re

import pytest
from django.conf import settings
from rest_framework.test import APIRequestFactory, force_authenticate

from patients.models import Patient
from reports import api as reports_api
from reports.params import ReportParams
from reports.registry import Chart, Column, Report, Table, all_reports
from tests.reports.conftest import range_query

pytestmark = pytest.mark.django_db
SLUGS = ["chairs", "nurses", "flow"]


@pytest.mark.parametrize("slug", SLUGS)
def test_nurses_and_insurers_may_not_read_reports(api, nurse, insurer_user, clinic, slug):
    for user in (nurse, insurer_user):
        response = api.as_user(user).get(f"/api/v1/reports/{slug}/", range_query(clinic))
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"


def test_a_scheduler_reads_reports(api, scheduler, clinic):
    assert api.as_user(scheduler).get("/api/v1/reports/flow/", range_query(clinic)).status_code == 200


def test_nobody_signed_in_reads_nothing(api, clinic):
    assert api.get("/api/v1/reports/chairs/").status_code in (401, 403)


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ({"start": "2026-01-01", "end": "2028-01-01"}, "end", "range_too_long"),
        ({"start": "2026-11-02", "end": "2026-10-31"}, "end", "range_reversed"),
        ({"site": "999999"}, "site", "unknown_site"),
        ({"site": "abc"}, "site", "unknown_site"),
        ({"product": "999999"}, "product", "unknown_product"),
        ({"product": "x"}, "product", "unknown_product"),
        ({"start": "2026-13-01"}, "start", "date_invalid"),
        ({"end": "0001-01-02"}, "end", "date_invalid"),
        ({"start": "2026-01-01", "end": "9999-12-31"}, "end", "date_invalid"),
    ],
)
def test_bad_filters_are_a_400_with_a_stable_code(api, manager, clinic, query, field, code):
    response = api.as_user(manager).get("/api/v1/reports/flow/", {"site": clinic.site.pk, **query})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert body["fields"][field][0]["code"] == code


def test_two_years_to_the_day_is_the_longest_range(api, manager, clinic):
    response = api.as_user(manager).get(
        "/api/v1/reports/chairs/", {"site": clinic.site.pk, "start": "2026-01-01", "end": "2027-12-31"}
    )
    assert response.status_code == 200
    assert response.json()["filters"]["end"] == "2027-12-31"


def test_the_json_names_the_definition_the_filters_and_each_table_s_columns(api, manager, clinic):
    body = api.as_user(manager).get("/api/v1/reports/chairs/", range_query(clinic)).json()
    assert body["definition"].startswith("Open chair-minutes")
    assert body["filters"] == {
        "sites": [clinic.site.pk],
        "start": "2026-10-31",
        "end": "2026-11-02",
        "product": None,
        "time_zones": {str(clinic.site.pk): "America/New_York"},
    }
    assert list(body["tables"]) == ["by_day", "by_weekday", "by_chair_type", "by_site", "occupancy", "total"]
    assert body["tables"]["by_day"]["columns"][0] == {"key": "label", "title": "Day", "kind": "date"}


def test_one_table_downloads_as_csv(api, manager, clinic):
    response = api.as_user(manager).get(
        "/api/v1/reports/flow/", range_query(clinic, table="total", format="csv")
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="flow-total-2026-10-31-2026-11-02.csv"' in response["Content-Disposition"]
    header, row = list(csv.reader(io.StringIO(response.content.decode())))
    assert header[:4] == ["", "Bookings", "Came", "No-shows"]
    assert row[:5] == ["All", "7", "3", "1", "25.0"]


def test_a_bad_filter_in_csv_is_still_a_json_error(api, manager, clinic):
    response = api.as_user(manager).get("/api/v1/reports/flow/", {"format": "csv", "site": "999999"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "unknown_site"


def test_an_unknown_table_is_a_400(api, manager, clinic):
    response = api.as_user(manager).get("/api/v1/reports/flow/", range_query(clinic, table="nope"))
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_table"


# The session, the user and the sites, then the report's own: one query (two for chairs' heat map).
@pytest.mark.parametrize(("slug", "queries"), [("nurses", 4), ("flow", 4)])
def test_the_query_count_does_not_grow_with_the_range(
    api, manager, clinic, django_assert_num_queries, slug, queries
):
    client = api.as_user(manager)
    client.get(f"/api/v1/reports/{slug}/", range_query(clinic))
    with django_assert_num_queries(queries):
        assert client.get(f"/api/v1/reports/{slug}/", range_query(clinic)).status_code == 200
    with django_assert_num_queries(queries):
        year = {"site": clinic.site.pk, "start": "2025-12-01", "end": "2026-11-30"}
        assert client.get(f"/api/v1/reports/{slug}/", year).status_code == 200


def _patient_report(patient_ids):
    def compute(params: ReportParams):
        return {"people": [{"patient_id": pk, "mrn": f"M{pk}"} for pk in patient_ids]}

    return Report(
        slug="test-people",
        title="People",
        definition="A per-patient list, for the audit test.",
        tables=(
            Table(
                key="people",
                title="People",
                columns=(Column("patient_id", "Patient", "int"), Column("mrn", "MRN", "text")),
                chart=Chart("bar", x="mrn", y=("patient_id",)),
            ),
        ),
        compute=compute,
        patient_tables=frozenset({"people"}),
    )


def test_a_per_patient_table_exported_as_csv_is_audited(manager, clinic):
    from auditlog.models import LogEntry

    from clinic.audit import reads_of

    ids = sorted(Patient.objects.values_list("pk", flat=True)[:2])
    view = reports_api._view_for(_patient_report(ids)).as_view()
    request = APIRequestFactory().get(
        "/api/v1/reports/test-people/", {"format": "csv", "site": clinic.site.pk}
    )
    force_authenticate(request, user=manager)
    before = LogEntry.objects.count()
    response = view(request)
    assert response.status_code == 200
    assert LogEntry.objects.count() == before + 1
    for pk in ids:
        assert reads_of(Patient, pk).filter(actor=manager).exists()


def test_every_report_s_definition_is_in_the_readme():
    readme = re.sub(r"\s+", " ", (settings.BASE_DIR / "README.md").read_text())
    for report in all_reports():
        assert re.sub(r"\s+", " ", report.definition) in readme, report.slug


def test_an_unknown_report_is_a_json_404(api, manager):
    response = api.as_user(manager).get("/api/v1/reports/nope/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_csv_cell_a_spreadsheet_would_run_as_a_formula_is_text(api, manager, clinic):
    clinic.site.name = '=HYPERLINK("http://x.test","open")'
    clinic.site.save()
    response = api.as_user(manager).get(
        "/api/v1/reports/flow/", range_query(clinic, table="by_site", format="csv")
    )
    _, row = list(csv.reader(io.StringIO(response.content.decode())))
    assert row[0] == "'" + clinic.site.name
