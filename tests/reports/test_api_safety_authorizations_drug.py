"""Safety, Authorizations and Drug through /api/v1/reports/<slug>/ and the admin: who reads them, a
fixed number of queries whatever the range, CSV, and the audit of the one table that names patients."""

import csv
import io

import pytest

from clinic.audit import reads_of
from patients.models import Patient

pytestmark = pytest.mark.usefixtures("ledger_now")
SLUGS = ["safety", "authorizations", "drug"]
MARCH = {"start": "2027-03-01", "end": "2027-03-31"}
# Around the report's own statements: the session, the user and its sites (the first request loaded its
# permissions and saved the session).
REQUEST_QUERIES = 3


def _query(ledger, **more):
    return {"site": ledger.north.pk, **MARCH, **more}


@pytest.mark.parametrize("slug", SLUGS)
def test_nurses_and_insurers_may_not_read_these_reports(db, ledger, api, nurse, insurer_user, slug):
    for user in (nurse, insurer_user):
        response = api.as_user(user).get(f"/api/v1/reports/{slug}/", _query(ledger))
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize(("slug", "queries"), [("safety", 1), ("authorizations", 1), ("drug", 1)])
def test_a_report_runs_the_same_queries_for_a_day_or_two_years(
    db, ledger, api, manager, django_assert_num_queries, slug, queries
):
    client = api.as_user(manager)
    client.get(f"/api/v1/reports/{slug}/", _query(ledger))  # the first request saves the session
    for start, end in (("2027-03-02", "2027-03-02"), ("2026-04-01", "2028-03-31")):
        with django_assert_num_queries(REQUEST_QUERIES + queries):
            response = client.get(
                f"/api/v1/reports/{slug}/",
                {"site": ledger.north.pk, "start": start, "end": end, "table": "total"},
            )
        assert response.status_code == 200, response.json()


def test_the_safety_json_answers_the_hand_worked_rates(db, ledger, api, manager):
    body = api.as_user(manager).get("/api/v1/reports/safety/", _query(ledger)).json()
    assert body["definition"].startswith("An infusion is an infusion session whose infusion started")
    total = body["tables"]["total"]["rows"][0]
    assert (total["infusions"], total["reaction_rate_per_infusion"], total["reaction_rate_per_patient"]) == (
        5,
        40.0,
        66.7,
    )
    grades = [(r["label"], r["infusion_rate"]) for r in body["tables"]["by_grade"]["rows"]]
    assert grades == [
        ("Grade 1: Mild; no interruption needed", 40.0),
        ("Grade 3: Prolonged or recurring; hospitalisation", 20.0),
    ]


def test_the_csv_of_infusions_ended_short_names_the_patients_and_is_audited(db, ledger, api, manager):
    b, c = ledger.patients["B"], ledger.patients["C"]
    before = reads_of(Patient, b.pk).count()
    response = api.as_user(manager).get(
        "/api/v1/reports/safety/", _query(ledger, table="ended_short", format="csv")
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["Day (local)", "Site", "MRN", "Patient"]
    assert [(r[0], r[2], r[8]) for r in rows[1:]] == [
        ("2027-03-11", b.mrn, "reaction"),
        ("2027-03-14", c.mrn, "patient_request"),
    ]
    read = reads_of(Patient, b.pk).first()
    assert reads_of(Patient, b.pk).count() == before + 1
    assert read.actor == manager
    assert reads_of(Patient, c.pk).filter(pk=read.pk).exists()  # one audit row names both


def test_a_table_of_counts_leaves_no_patient_audit_row(db, ledger, api, manager):
    b = ledger.patients["B"]
    before = reads_of(Patient, b.pk).count()
    response = api.as_user(manager).get(
        "/api/v1/reports/drug/", _query(ledger, table="by_payer", format="csv")
    )
    assert response.status_code == 200
    assert "Beacon Care" in response.content.decode()
    assert reads_of(Patient, b.pk).count() == before


def test_an_unknown_product_is_a_400(db, ledger, api, manager):
    response = api.as_user(manager).get("/api/v1/reports/authorizations/", _query(ledger, product="999999"))
    assert (response.status_code, response.json()["code"]) == (400, "unknown_product")


@pytest.mark.parametrize("slug", SLUGS)
def test_the_admin_page_shows_each_chart_and_the_definition(db, ledger, client, manager, slug):
    client.force_login(manager)
    response = client.get(f"/admin/reports/report/{slug}/", _query(ledger))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<svg") >= 3
    assert "Download CSV" in page or "csv" in page.lower()


def test_the_dashboard_has_a_tile_for_each(db, ledger, client, manager):
    client.force_login(manager)
    page = client.get("/admin/reports/report/", _query(ledger)).content.decode()
    for slug in SLUGS:
        assert f'id="card-{slug}"' in page
