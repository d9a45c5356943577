import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from patients.models import Patient
from patients.services import patient_create


@pytest.mark.django_db(transaction=True)
def test_two_desks_registering_the_same_mrn_at_once_store_one_patient():
    barrier = threading.Barrier(8)
    outcomes = []

    def register(n):
        try:
            barrier.wait()
            patient_create(
                mrn="MRN-RACE",
                given_name=f"Desk{n}",
                family_name="Same",
                date_of_birth=date(1980, 1, 1),
                sex="male",
                phone="+15555550123",
            )
            outcomes.append("created")
        except ValidationError as exc:
            outcomes.append(exc.error_dict["mrn"][0].code)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["created"] + ["mrn_taken"] * 7
    assert Patient.objects.filter(mrn="MRN-RACE").count() == 1
