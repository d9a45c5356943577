import pytest
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db


def test_every_role_exists_as_a_group_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "clinic_manager",
        "scheduler",
        "nurse",
        "insurer",
    }


def test_roles_hold_the_permissions_a_clinic_expects(manager, scheduler, nurse, insurer_user):
    assert manager.has_perms(["patients.delete_patient", "auditlog.view_logentry"])
    assert scheduler.has_perms(["patients.add_patient", "patients.change_patient"])
    assert not scheduler.has_perm("patients.delete_patient")
    assert nurse.has_perms(["patients.view_patient", "patients.add_measurement", "patients.add_labresult"])
    assert not nurse.has_perm("patients.change_patient")
    assert not insurer_user.get_all_permissions()


def test_nurses_and_insurers_are_kept_out_of_the_admin(client, nurse, insurer_user):
    for user in (nurse, insurer_user):
        client.force_login(user)
        response = client.get("/admin/patients/patient/")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
