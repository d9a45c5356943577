"""A report's rows as a chart, a CSV file and display cells, from its registered description."""

import csv
import io

from clinic.audit import record_page_access
from patients.models import Patient
from reports import charts
from reports.registry import Report, Row, Table


def chart_svg(table: Table, rows: list[Row], *, small: bool = False) -> str:
    """The table's chart as SVG ("" when the table has none)."""
    spec = table.chart
    if spec is None:
        return ""
    titles = {c.key: c.title for c in table.columns}
    if spec.kind == "heatmap":
        assert spec.rows is not None
        row_labels = list(dict.fromkeys(str(r[spec.rows]) for r in rows))
        col_labels = list(dict.fromkeys(str(r[spec.x]) for r in rows))
        cells = {(str(r[spec.rows]), str(r[spec.x])): r[spec.y[0]] for r in rows}
        values = [[cells.get((row, col)) for col in col_labels] for row in row_labels]
        return charts.heatmap(
            rows=row_labels, columns=col_labels, values=values, unit=spec.unit, title=table.title, small=small
        )
    labels = [str(r[spec.x]) for r in rows]
    series = [(titles[key], [r[key] for r in rows]) for key in spec.y]
    limit = (titles[spec.limit], [r[spec.limit] for r in rows]) if spec.limit else None
    return charts.xy_chart(
        spec.kind, labels=labels, series=series, unit=spec.unit, limit=limit, title=table.title, small=small
    )


# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value  # shown as text, never run (a site or product named "=HYPERLINK(...)")
    return value


def csv_text(table: Table, rows: list[Row]) -> str:
    """The table as CSV: a header of column titles, then one line per row (empty cell for no value)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.title for c in table.columns])
    writer.writerows([[_csv_cell(r.get(c.key)) for c in table.columns] for r in rows])
    return buffer.getvalue()


def cell(kind: str, value) -> str:
    if value is None:
        return "-"
    if kind == "percent":
        return f"{value:.1f}%"
    if kind in ("number", "minutes"):
        return f"{value:.1f}"
    return str(value)


def display_rows(table: Table, rows: list[Row]) -> list[list[str]]:
    return [[cell(c.kind, r.get(c.key)) for c in table.columns] for r in rows]


def audit_patient_rows(request, report: Report, data: dict[str, list[Row]], *, via: str, tables=None) -> None:
    """Record, in one audit row per table shown, the patients a per-patient table named."""
    for key in report.patient_tables:
        if tables is not None and key not in tables:
            continue
        ids = sorted({r["patient_id"] for r in data.get(key, []) if r.get("patient_id") is not None})
        if ids:
            record_page_access(request, Patient, ids, via=via, detail=f"report {report.slug}: {key}")
