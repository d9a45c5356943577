"""The read and search of a type that is one row per resource (most of them).

    read, search = model_type(
        "Patient", rows=lambda request: Patient.objects.all(), to_resource=patient_resource,
        params=PARAMS, patients=lambda row: [row.pk])

`rows(request)` is every row the caller may see (a selector: it owns the joins, so a page of 50 costs
the same queries as a page of 1); each registered parameter's `apply(queryset, values, query)` narrows
it. `resource_id(row)` and `row_pk(id)` translate between a row's pk and its FHIR id when they differ
(Observation/vitals-12). The answer names, for the audit row, the rows read and their patients.
"""

from collections.abc import Callable

from fhir.errors import not_found
from fhir.registry import Audit, Found, Page
from fhir.search import Query, keyset_rows


def model_type(
    name: str,
    *,
    rows: Callable,
    to_resource: Callable,
    params: dict,
    patients: Callable,
    row_pk: Callable[[str], int] = int,
):
    def audit(found: list) -> Audit | None:
        if not found:
            return None
        model = type(found[0])
        patient_ids = sorted({pk for row in found for pk in patients(row)})
        related = {"patients.patient": patient_ids} if model._meta.label_lower != "patients.patient" else {}
        return Audit(model, [row.pk for row in found], related)

    def read(request, resource_id: str) -> Found:
        row = rows(request).filter(pk=row_pk(resource_id)).first()
        if row is None:
            raise not_found(name, resource_id)
        return Found(to_resource(row), audit([row]))

    def search(request, query: Query) -> Page:
        queryset = rows(request)
        for param_name, values in query.params.items():
            queryset = params[param_name].apply(queryset, values, query)
        page = keyset_rows(queryset, query)
        return Page(
            [to_resource(row) for row in page.rows],
            audit(page.rows),
            page.next_cursor,
            page.previous_cursor,
            page.total,
        )

    return read, search
