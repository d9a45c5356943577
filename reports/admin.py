"""The admin's Reports section: the dashboard (`/admin/reports/report/`: one small chart of each report,
linking on) and one page per report (`/admin/reports/report/<slug>/`: the filters, and per table its
chart, its definition, the table and a CSV link to the report's API endpoint).

Managers and schedulers only; another signed-in user (a nurse, an insurer) gets 403, not the login page.
"""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from infusions.models import Product
from reports.access import may_read_reports
from reports.models import Report as ReportModel
from reports.params import parse_params
from reports.registry import Report, all_reports, get_report
from reports.render import audit_patient_rows, chart_svg, display_rows
from scheduling.access import access_sites


def _zones(sites) -> list[str]:
    from django.utils import timezone

    now = timezone.now()
    return [f"{s.name}: {s.time_zone} ({now.astimezone(s.zone):%Z})" for s in sites]


@admin.register(ReportModel)
class ReportAdmin(admin.ModelAdmin):
    def has_module_permission(self, request) -> bool:
        return may_read_reports(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return may_read_reports(request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        return [
            path("", self._guard(self.dashboard_view), name="reports_report_changelist"),
            path("<slug:slug>/", self._guard(self.report_view), name="reports_report_page"),
        ]

    def _guard(self, view):
        def guarded(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("admin:login"))
            if not may_read_reports(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return guarded

    def _context(self, request, title: str, **extra):
        return {**self.admin_site.each_context(request), "title": title, "opts": self.model._meta, **extra}

    def _filters(self, request, report: Report | None):
        """(params or None, errors, the filter form's choices and values)."""
        errors: list[str] = []
        params = None
        try:
            params = parse_params(request.GET, request.user)
        except ValidationError as exc:
            errors = [str(message) for messages in exc.message_dict.values() for message in messages]
        chosen = {str(s.pk) for s in params.sites} if params else set(request.GET.getlist("site"))
        form = {
            "sites": [
                (s.pk, s.name, str(s.pk) in chosen) for s in access_sites(request.user).order_by("name")
            ],
            "start": params.start.isoformat() if params else request.GET.get("start", ""),
            "end": params.end.isoformat() if params else request.GET.get("end", ""),
            "products": (
                [(p.pk, str(p)) for p in Product.objects.order_by("brand", "pk")]
                if report is not None and report.uses_product
                else []
            ),
            "product": request.GET.get("product", ""),
        }
        return params, errors, form

    def dashboard_view(self, request):
        params, errors, form = self._filters(request, None)
        cards = []
        if params is not None:
            query = urlencode(params.query(), doseq=True)
            for report in all_reports():
                table = report.tables[0]
                data = report.compute(params)
                cards.append(
                    {
                        "report": report,
                        "table": table,
                        "svg": mark_safe(chart_svg(table, data[table.key], small=True)),  # noqa: S308 escaped
                        "url": reverse("admin:reports_report_page", args=[report.slug]) + "?" + query,
                    }
                )
        context = self._context(
            request,
            "Reports",
            cards=cards,
            errors=errors,
            form=form,
            params=params,
            zones=_zones(params.sites) if params else [],
            reports=all_reports(),
        )
        return TemplateResponse(
            request, "admin/reports/dashboard.html", context, status=400 if errors else 200
        )

    def report_view(self, request, slug: str):
        report = get_report(slug)
        if report is None:
            raise Http404("No such report.")
        params, errors, form = self._filters(request, report)
        tables = []
        if params is not None:
            data = report.compute(params)
            audit_patient_rows(request, report, data, via="admin")
            query = params.query()
            api = reverse("report", args=[report.slug])
            for table in report.tables:
                rows = data[table.key]
                tables.append(
                    {
                        "table": table,
                        "svg": mark_safe(chart_svg(table, rows)),  # noqa: S308 escaped
                        "columns": table.columns,
                        "rows": display_rows(table, rows),
                        "csv": api
                        + "?"
                        + urlencode({**query, "table": table.key, "format": "csv"}, doseq=True),
                    }
                )
        context = self._context(
            request,
            report.title,
            report=report,
            tables=tables,
            errors=errors,
            form=form,
            params=params,
            zones=_zones(params.sites) if params else [],
            reports=all_reports(),
            dashboard=reverse("admin:reports_report_changelist"),
        )
        return TemplateResponse(request, "admin/reports/report.html", context, status=400 if errors else 200)
