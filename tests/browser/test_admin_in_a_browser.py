import pytest

from tests.factories import EgfrFactory, PatientFactory, RiskFlagFactory, WeightFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_scheduler_logs_in_finds_a_patient_by_birth_date_and_opens_the_record(
    live_server, page, screenshot, scheduler
):
    patient = PatientFactory(family_name="Whitfield", given_name="Ada", date_of_birth="1961-04-12")
    PatientFactory(family_name="Castellanos", date_of_birth="1979-09-03")
    WeightFactory(patient=patient, value="100")
    EgfrFactory(patient=patient, value="78")
    RiskFlagFactory(patient=patient, kind="diabetes")

    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", scheduler.username)
    page.fill("#id_password", "pw-for-tests")
    with page.expect_navigation():
        page.click("input[type=submit]")
    assert "Infusion Clinic" in page.title()

    page.goto(f"{live_server.url}/admin/patients/patient/")
    page.fill("#searchbar", "1961-04-12")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    assert "100.00 kg" in rows.first.inner_text()
    assert "Diabetes mellitus" in rows.first.inner_text()
    screenshot("admin-patient-search")

    with page.expect_navigation():
        rows.first.locator("th a").click()
    assert page.locator("h2", has_text="Whitfield, Ada").count() == 1
    assert page.locator("#diagnoses-group").is_visible()
    assert page.locator("#measurements-group").inner_text().count("100.00") >= 1
    screenshot("admin-patient-record")
