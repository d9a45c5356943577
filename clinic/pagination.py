"""How API lists page.

`Pagination` (page numbers with a total count) is the default. `KeysetPagination` pages a large list
by a cursor instead: each page is read from an index starting right after the last row of the page
before, so a page costs the same at 1,000 rows as at 100,000 and on page 150 as on page 1 (no
`COUNT(*)`, no `OFFSET`).
"""

import base64
import binascii
import json
from datetime import datetime

from django.db.models import F, Q, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from rest_framework import pagination
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


class Pagination(pagination.PageNumberPagination):
    """`?page=` and `?page_size=` (capped at max_page_size). A page_size that is not a positive whole
    number is a 400 `page_size_invalid`, not silently the default: the client would miss rows."""

    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None:
            try:
                size = pagination._positive_int(raw, strict=True)
            except ValueError:
                raise ValidationError(
                    {
                        self.page_size_query_param: [
                            ErrorDetail("page_size must be a whole number from 1.", code="page_size_invalid")
                        ]
                    }
                ) from None
            return min(size, self.max_page_size)
        return self.page_size

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Rows per page, 1 or more; more than {self.max_page_size} gives {self.max_page_size}."
                )
        return parameters


def _invalid(param: str, code: str, detail: str) -> ValidationError:
    return ValidationError({param: [ValidationError(detail, code=code).detail[0]]})


class KeysetPagination(pagination.BasePagination):
    """Cursor pages over `view.ordering_fields` (each walked with `id` as the tie-breaker).

    The view's queryset must be a `values()` queryset that includes `id` and every ordering field.
    Query parameters: `ordering` (one of the fields, `-` for descending; default `view.ordering`),
    `page_size` (1 to 100) and `cursor` (from the previous page's `next`, opaque). A page number is
    refused (400 `page_not_supported`), and so is a cursor that was not given out with this ordering
    (400 `cursor_invalid`). The answer is `{"next": url or null, "results": [...]}`.
    """

    page_size = 25
    max_page_size = 100
    page_size_query_param = "page_size"
    cursor_query_param = "cursor"
    ordering_query_param = "ordering"

    def _ordering(self, request, view) -> str:
        value = request.query_params.get(self.ordering_query_param, view.ordering).strip()
        if value.lstrip("-") not in view.ordering_fields:
            raise _invalid(
                self.ordering_query_param,
                "ordering_invalid",
                f"Order by one of {', '.join(view.ordering_fields)} (prefix - for descending).",
            )
        return value

    def _page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise _invalid(
                self.page_size_query_param,
                "page_size_invalid",
                f"page_size is a whole number from 1 to {self.max_page_size}.",
            )
        return size

    @staticmethod
    def _encode(ordering: str, value, pk: int) -> str:
        if isinstance(value, datetime):
            value = value.isoformat()
        raw = json.dumps([ordering, value, pk], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def _decode(self, cursor: str, ordering: str, field) -> tuple:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            given, value, pk = json.loads(raw)
            if given != ordering or not isinstance(pk, int):
                raise ValueError
            if value is not None and field.get_internal_type() == "DateTimeField":
                value = datetime.fromisoformat(value)
                if value.tzinfo is None:
                    raise ValueError
            elif value is not None and not isinstance(value, int):
                raise ValueError
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, json.JSONDecodeError):
            raise _invalid(
                self.cursor_query_param,
                "cursor_invalid",
                "This cursor was not given out by this list with this ordering; start again from the "
                "first page.",
            ) from None
        return value, pk

    @staticmethod
    def _after(queryset: QuerySet, name: str, descending: bool, nullable: bool, value, pk: int) -> QuerySet:
        """Rows after (value, pk) in the order (name, id), both ascending or both descending.

        PostgreSQL puts NULLs last when ascending and first when descending. A row comparison, not an
        OR of columns, so the index's range scan starts at the cursor."""
        if name == "id":
            return queryset.filter(id__lt=pk) if descending else queryset.filter(id__gt=pk)
        if value is None:  # in the NULL run
            after_in_run = Q(**{f"{name}__isnull": True}) & Q(
                **({"id__lt": pk} if descending else {"id__gt": pk})
            )
            # Descending, the NULLs came first: every non-NULL row is still ahead.
            return queryset.filter(
                after_in_run | Q(**{f"{name}__isnull": False}) if descending else after_in_run
            )
        lookup = TupleLessThan if descending else TupleGreaterThan
        row = lookup(Tuple(F(name), F("id")), (value, pk))
        if nullable and not descending:  # ascending, the NULLs come last: still ahead
            return queryset.filter(Q(row) | Q(**{f"{name}__isnull": True}))
        return queryset.filter(row)

    def paginate_queryset(self, queryset, request, view=None):
        ordering = self._ordering(request, view)
        if request.query_params.get("page") is not None:
            raise _invalid(
                "page",
                "page_not_supported",
                "This list pages with cursors: follow each page's `next` link.",
            )
        size = self._page_size(request)
        name, descending = ordering.lstrip("-"), ordering.startswith("-")
        field = queryset.model._meta.get_field(name)
        key = F(name).desc(nulls_first=True) if descending else F(name).asc(nulls_last=True)
        tie = F("id").desc() if descending else F("id").asc()
        queryset = queryset.order_by(key, tie) if name != "id" else queryset.order_by(tie)
        cursor = request.query_params.get(self.cursor_query_param)
        if cursor:
            value, pk = self._decode(cursor, ordering, field)
            queryset = self._after(queryset, name, descending, field.null, value, pk)
        rows = list(queryset[: size + 1])
        self.request = request
        self.next_cursor = None
        if len(rows) > size:
            rows = rows[:size]
            self.next_cursor = self._encode(ordering, rows[-1][name], rows[-1]["id"])
        return rows

    def get_next_link(self) -> str | None:
        if self.next_cursor is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(remove_query_param(url, "page"), self.cursor_query_param, self.next_cursor)

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page (null on the last); follow it as given.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "in": "query",
                "required": False,
                "description": "Opaque: taken from the previous page's `next`.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "in": "query",
                "required": False,
                "description": f"Rows per page, 1 to {self.max_page_size} (default {self.page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
            {
                "name": self.ordering_query_param,
                "in": "query",
                "required": False,
                "description": f"One of {', '.join(view.ordering_fields)}; prefix - for descending "
                f"(default {view.ordering}). Ties are ordered by id the same way.",
                "schema": {
                    "type": "string",
                    "enum": [p + f for f in view.ordering_fields for p in ("", "-")],
                },
            },
        ]
