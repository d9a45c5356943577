"""GET /api/v1/reports/<slug>/: a report's rows as JSON (every table, or `?table=`), or one table as CSV
(`?format=csv` or `Accept: text/csv`). Staff who read reports only (managers, schedulers): 403 otherwise.

One view class per registered report, made here from its `Report`, so each has its own operation and
parameters in the OpenAPI schema.
"""

from functools import cache

from django.http import Http404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, renderers
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.audit import bind_actor
from reports.access import may_read_reports
from reports.params import parse_params
from reports.registry import Report, all_reports, get_report
from reports.render import audit_patient_rows, csv_text


class ReadsReports(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return may_read_reports(request.user)


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data.encode("utf-8") if isinstance(data, str) else b""


def _column_schema(kind: str) -> dict:
    if kind in ("text", "date"):
        return {"type": "string", "nullable": True}
    if kind == "int":
        return {"type": "integer", "nullable": True}
    return {"type": "number", "nullable": True}


def _response_schema(report: Report) -> dict:
    tables = {
        table.key: {
            "type": "object",
            "properties": {
                "title": {"type": "string"},
                "columns": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "key": {"type": "string"},
                            "title": {"type": "string"},
                            "kind": {"type": "string"},
                        },
                    },
                },
                "rows": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {c.key: _column_schema(c.kind) for c in table.columns},
                    },
                },
            },
        }
        for table in report.tables
    }
    return {
        "type": "object",
        "properties": {
            "report": {"type": "string"},
            "title": {"type": "string"},
            "definition": {"type": "string"},
            "filters": {
                "type": "object",
                "properties": {
                    "sites": {"type": "array", "items": {"type": "integer"}},
                    "start": {"type": "string", "format": "date"},
                    "end": {"type": "string", "format": "date"},
                    "product": {"type": "integer", "nullable": True},
                    "time_zones": {"type": "object", "additionalProperties": {"type": "string"}},
                },
            },
            "tables": {"type": "object", "properties": tables},
        },
        "required": ["report", "title", "definition", "filters", "tables"],
    }


def _parameters(report: Report) -> list[OpenApiParameter]:
    params = [
        OpenApiParameter(
            "site",
            {"type": "array", "items": {"type": "integer"}},
            explode=True,
            description="Site ids (repeat the parameter); every site when left out.",
        ),
        OpenApiParameter("start", OpenApiTypes.DATE, description="First local day (each site's zone)."),
        OpenApiParameter(
            "end", OpenApiTypes.DATE, description="Last local day, inclusive; at most 2 years on."
        ),
        OpenApiParameter(
            "table",
            OpenApiTypes.STR,
            enum=[t.key for t in report.tables],
            description="One table (JSON), or the table to export (CSV; the first when left out).",
        ),
    ]
    if report.uses_product:
        params.append(OpenApiParameter("product", OpenApiTypes.INT, description="Only this product."))
    return params


class ReportView(APIView):
    report: Report
    permission_classes = [ReadsReports]
    renderer_classes = [renderers.JSONRenderer, CSVRenderer]

    def perform_content_negotiation(self, request, force=False):
        try:
            return super().perform_content_negotiation(request, force)
        except Http404:
            # DRF answers an unknown ?format= with a 404; it is bad input.
            raise ValidationError(
                {"format": [ErrorDetail("format is json or csv.", code="format_invalid")]}
            ) from None

    def handle_exception(self, exc):
        # An error is JSON whatever format was asked for (the API's one error shape).
        self.request.accepted_renderer = renderers.JSONRenderer()
        self.request.accepted_media_type = renderers.JSONRenderer.media_type
        return super().handle_exception(exc)

    def get(self, request):
        bind_actor(request.user)
        report = self.report
        params = parse_params(request.query_params, request.user)
        table_key = request.query_params.get("table") or None
        table = report.table(table_key)
        if table is None:
            names = ", ".join(t.key for t in report.tables)
            raise ValidationError(
                {
                    "table": [
                        ErrorDetail(f"The {report.slug} report's tables are {names}.", code="unknown_table")
                    ]
                }
            )
        data = report.compute(params)
        if request.accepted_renderer.format == "csv":
            audit_patient_rows(request, report, data, via="api", tables={table.key})
            name = f"{report.slug}-{table.key}-{params.start}-{params.end}.csv"
            return Response(
                csv_text(table, data[table.key]),
                content_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="{name}"'},
            )
        shown = [table] if table_key else list(report.tables)
        audit_patient_rows(request, report, data, via="api", tables={t.key for t in shown})
        return Response(
            {
                "report": report.slug,
                "title": report.title,
                "definition": report.definition,
                "filters": {
                    "sites": params.site_ids,
                    "start": params.start.isoformat(),
                    "end": params.end.isoformat(),
                    "product": params.product.pk if params.product is not None else None,
                    "time_zones": {str(s.pk): s.time_zone for s in params.sites},
                },
                "tables": {
                    t.key: {
                        "title": t.title,
                        "columns": [{"key": c.key, "title": c.title, "kind": c.kind} for c in t.columns],
                        "rows": data[t.key],
                    }
                    for t in shown
                },
            }
        )


def _view_for(report: Report):
    name = "".join(part.title() for part in report.slug.split("-")) + "ReportView"

    def get(self, request):
        return ReportView.get(self, request)

    # A function of its own per report: extend_schema marks the function it decorates.
    get = extend_schema(
        operation_id=f"reports_{report.slug.replace('-', '_')}",
        summary=f"{report.title} report",
        description=report.definition,
        tags=["reports"],
        parameters=_parameters(report),
        responses={
            (200, "application/json"): OpenApiResponse(_response_schema(report), description="The report."),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="One table as CSV."),
        },
    )(get)
    return type(name, (ReportView,), {"report": report, "get": get, "__doc__": report.definition})


@cache
def _view_function(report: Report):
    return _view_for(report).as_view()


def report_by_slug(request, slug: str):
    """Any report by its slug, one registered after the URLs were read too (a test's); the schema
    documents each report's own path, which comes first."""
    report = get_report(slug)
    if report is None:
        raise Http404("No such report.")
    return _view_function(report)(request)


def urlpatterns():
    return [
        *(
            path(f"{report.slug}/", _view_function(report), name=f"report-{report.slug}")
            for report in all_reports()
        ),
        path("<slug:slug>/", report_by_slug, name="report"),
    ]
