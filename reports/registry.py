"""The reports and what each one is: the one interface the API, the admin pages and the dashboard read.

A report is a module of `reports/` that calls `register(Report(...))` when imported, and one line in
`reports.apps.REPORT_MODULES`. Nothing else needs to change: the API endpoint
(`/api/v1/reports/<slug>/`, JSON and CSV), the admin page (`/admin/reports/report/<slug>/`), its place on
the dashboard and its OpenAPI description are made from the `Report`.

    register(
        Report(
            slug="safety",                          # URL part; lowercase letters and hyphens
            title="Safety",
            definition="What is counted, which statuses, which local day ...",  # shown beside the chart
            tables=(
                Table(
                    key="by_product",               # `?table=by_product` for CSV
                    title="Reactions by product",
                    columns=(Column("product", "Product", "text"), Column("rate", "Rate", "percent")),
                    chart=Chart("bar", x="product", y=("rate",), unit="%"),
                    definition="Optional, what this table counts beyond the report's definition.",
                ),
            ),
            compute=safety_rows,                    # (ReportParams) -> {table key: [row dict, ...]}
            uses_product=True,                      # the `product` filter applies
            patient_tables=frozenset(),             # tables whose rows name patients (see below)
        )
    )

`compute` runs the report's SQL (aggregation in PostgreSQL: `reports.sql.rows`) and returns, for each
table key, its rows as dicts holding at least the columns' keys, in display order. Its query count must
not depend on the range or the data. Values are plain JSON: str, int, float or None (dates as ISO text).

A table whose rows name patients (a per-patient list, e.g. "infusions ended short of dose") lists its key
in `patient_tables`, and its rows carry `patient_id`: every page, JSON answer and CSV export showing it is
recorded in the audit trail (`clinic.audit.record_page_access`, one row per request).

Column kinds: "text", "date" (ISO date), "int", "number" (one decimal shown), "percent" (a number 0-100,
shown with %), "minutes". Chart kinds (`reports.charts`, server-side SVG): "bar" and "line" (x: a column
of labels; y: one or more numeric columns, one series each; `limit`: a column drawn dashed, e.g. a
capacity), "heatmap" (x: the column labels, `rows`: the row labels, y: the one value column).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reports.params import ReportParams

Row = dict[str, Any]
COLUMN_KINDS = frozenset({"text", "date", "int", "number", "percent", "minutes"})
CHART_KINDS = frozenset({"bar", "line", "heatmap"})


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: str = "number"

    def __post_init__(self) -> None:
        if self.kind not in COLUMN_KINDS:
            raise ValueError(f"Column {self.key}: unknown kind {self.kind!r}")


@dataclass(frozen=True)
class Chart:
    kind: str
    x: str
    y: tuple[str, ...]
    rows: str | None = None  # heatmap: the column naming each row
    unit: str = ""
    limit: str | None = None  # bar/line: a column drawn as a dashed line

    def __post_init__(self) -> None:
        if self.kind not in CHART_KINDS:
            raise ValueError(f"Chart: unknown kind {self.kind!r}")
        if self.kind == "heatmap" and (self.rows is None or len(self.y) != 1):
            raise ValueError("A heat map names its rows column and one value column.")


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: tuple[Column, ...]
    chart: Chart | None = None
    definition: str = ""


@dataclass(frozen=True)
class Report:
    slug: str
    title: str
    definition: str
    tables: tuple[Table, ...]
    compute: Callable[[ReportParams], dict[str, list[Row]]]
    uses_product: bool = False
    patient_tables: frozenset[str] = field(default_factory=frozenset)

    def table(self, key: str | None) -> Table | None:
        """The table of this key; the first table for None."""
        if key is None:
            return self.tables[0]
        return next((t for t in self.tables if t.key == key), None)


_REPORTS: dict[str, Report] = {}


def register(report: Report) -> Report:
    if report.slug in _REPORTS:
        raise ValueError(f"Report {report.slug!r} is registered twice.")
    keys = [t.key for t in report.tables]
    if not keys or len(set(keys)) != len(keys):
        raise ValueError(f"Report {report.slug!r}: give each table a key of its own.")
    for table in report.tables:
        names = {c.key for c in table.columns}
        chart = table.chart
        if chart is not None:
            wanted = {chart.x, *chart.y} | ({chart.rows} if chart.rows else set())
            wanted |= {chart.limit} if chart.limit else set()
            if not wanted <= names:
                raise ValueError(f"Report {report.slug!r}, table {table.key!r}: chart names unknown columns.")
    _REPORTS[report.slug] = report
    return report


def all_reports() -> list[Report]:
    return list(_REPORTS.values())


def get_report(slug: str) -> Report | None:
    return _REPORTS.get(slug)
