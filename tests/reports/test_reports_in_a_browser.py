"""A manager at the desk (1366x768) opens the dashboard, then a report, changes its range, sees the
chart and downloads the CSV."""

import csv
import io
from pathlib import Path

import pytest

from reports.registry import all_reports

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_reads_the_dashboard_then_the_chairs_report_and_downloads_its_csv(
    live_server, page, screenshot, manager, clinic
):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", manager.username)
    page.fill("#id_password", "pw-for-tests")
    with page.expect_navigation():
        page.click("input[type=submit]")

    with page.expect_navigation():
        page.click("a[href='/admin/reports/report/']")
    # The last 28 days to today (5 November): one small chart per report.
    assert page.locator(".report-card").count() == len(all_reports())
    assert page.locator(".report-card svg.report-chart").count() == len(all_reports())
    assert "America/New_York" in page.locator(".report-zones").inner_text()
    screenshot("reports-dashboard")

    with page.expect_navigation():
        page.click("#card-chairs h2 a")
    assert page.locator("h1").inner_text() == "Chairs"
    page.fill("input[name=start]", "2026-11-01")
    page.fill("input[name=end]", "2026-11-02")
    with page.expect_navigation():
        page.click("#report-filters button[type=submit]")
    assert "start=2026-11-01" in page.url
    by_day = page.locator("#table-by_day")
    assert by_day.locator("tbody tr").count() == 2  # Sunday and Monday only now
    assert by_day.locator("tbody tr").first.inner_text().split("\t")[0] == "2026-11-01"
    assert by_day.locator("svg.report-chart polyline").count() >= 2  # scheduled and actual
    assert page.locator("#table-occupancy svg rect.cell").count() == 8  # Sun and Mon, 08-11
    assert page.locator("#table-by_day svg.report-chart").is_visible()
    screenshot("reports-chairs")

    with page.expect_download() as download:
        by_day.locator("a.report-csv").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:2] == ["Day", "Open chair-minutes"]
    assert [row[0] for row in rows[1:]] == ["2026-11-01", "2026-11-02"]
    assert rows[1][4] == "33.3"  # Sunday's scheduled utilisation, as the page shows it

    # The widest report (Flow, 17 columns) scrolls its tables, not the page.
    with page.expect_navigation():
        page.click(".report-nav a:text('Flow')")
    assert page.locator("#table-total tbody tr").first.inner_text().startswith("All")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    screenshot("reports-flow")
