import pytest

pytestmark = pytest.mark.django_db


def test_schedulers_book_but_leave_sites_and_chairs_to_managers(manager, scheduler, nurse, insurer_user):
    assert manager.has_perms(["scheduling.add_chair", "scheduling.change_site", "scheduling.add_booking"])
    assert scheduler.has_perms(
        ["scheduling.add_booking", "scheduling.change_booking", "scheduling.view_site"]
    )
    assert not scheduler.has_perm("scheduling.add_chair")
    assert not scheduler.has_perm("scheduling.change_site")
    assert not scheduler.has_perm("scheduling.delete_booking")
    assert nurse.has_perms(["scheduling.view_booking", "scheduling.view_site", "scheduling.view_chair"])
    assert not nurse.has_perm("scheduling.add_booking")
    assert not any(p.startswith("scheduling.") for p in insurer_user.get_all_permissions())
