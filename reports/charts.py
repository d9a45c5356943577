"""Report charts as server-rendered SVG: bars, lines and a heat map. Pure: plain values in, SVG text out.

Like the proposal's picture (`scheduling/optimiser/picture.py`), nothing runs in the browser; labels are
escaped. `None` values (a closed day, a rate of nothing) leave a gap. `small` draws the dashboard's
thumbnail: no axis labels beyond the first and last.
"""

from collections.abc import Sequence
from html import escape

COLOURS = ("#1d4ed8", "#b45309", "#047857", "#7c3aed", "#be123c")
LIMIT = "#6b7280"
Number = float | int | None


def _frame(width: int, height: int, label: str, kind: str) -> list[str]:
    # width and height are the natural size; the page's CSS lets a chart shrink, never grow.
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(label)}" font-family="sans-serif" '
        f'class="report-chart {kind}">',
        f"<title>{escape(label)}</title>",
    ]


def _fmt(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 10 or value == int(value) else f"{value:.1f}"


def _axes(out, *, left, top, plot_w, plot_h, high, unit, labels, small):
    out.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#9ca3af"/>'
    )
    for frac in (0, 0.5, 1) if not small else (0, 1):
        y = top + plot_h - plot_h * frac
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#e5e7eb"/>')
        if not small:
            out.append(
                f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end">'
                f"{_fmt(high * frac)}{escape(unit)}</text>"
            )
    step = plot_w / max(1, len(labels))
    every = len(labels) if small else max(1, len(labels) // 12)
    for i, label in enumerate(labels):
        if i % every == 0 or (small and i == len(labels) - 1):
            x = left + step * (i + 0.5)
            anchor = "middle"
            if small:  # the thumbnail's first and last labels stay inside it
                x, anchor = (left, "start") if i == 0 else (left + plot_w, "end")
            out.append(
                f'<text x="{x:.1f}" y="{top + plot_h + 14}" font-size="10" text-anchor="{anchor}">'
                f"{escape(label)}</text>"
            )


def _legend(out, names: Sequence[str], *, left: int, limit_name: str | None, small: bool) -> None:
    parts = [
        f'<tspan fill="{COLOURS[i % len(COLOURS)]}">&#9632; {escape(name)}</tspan>'
        for i, name in enumerate(names)
    ]
    if limit_name:
        parts.append(f'<tspan fill="{LIMIT}">- - {escape("limit" if small else limit_name)}</tspan>')
    out.append(f'<text x="{left}" y="14" font-size="{8 if small else 11}">{" ".join(parts)}</text>')


def _top(series: Sequence[tuple[str, Sequence[Number]]], limit: Sequence[Number] | None) -> float:
    values = [v for _, vs in series for v in vs if v is not None]
    values += [v for v in (limit or []) if v is not None]
    return float(max([*values, 0])) or 1.0


def xy_chart(
    kind: str,
    *,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number]]],
    unit: str = "",
    limit: tuple[str, Sequence[Number]] | None = None,
    title: str = "",
    small: bool = False,
) -> str:
    """A bar chart (series side by side) or a line chart of `series` over `labels`."""
    width, height = (320, 140) if small else (760, 300)
    left, top = (8, 20) if small else (56, 28)
    plot_w, plot_h = width - left - 12, height - top - 24
    limit_values = limit[1] if limit else None
    high = _top(series, limit_values)
    out = _frame(width, height, title or ", ".join(name for name, _ in series), kind)
    _legend(out, [name for name, _ in series], left=left, limit_name=limit[0] if limit else None, small=small)
    _axes(
        out,
        left=left,
        top=top,
        plot_w=plot_w,
        plot_h=plot_h,
        high=high,
        unit=unit,
        labels=labels,
        small=small,
    )
    step = plot_w / max(1, len(labels))

    def y_of(value: float) -> float:
        return top + plot_h - plot_h * value / high

    for n, (name, values) in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        if kind == "bar":
            bar_w = step * 0.8 / max(1, len(series))
            for i, value in enumerate(values):
                if value is None:
                    continue
                x = left + step * i + step * 0.1 + bar_w * n
                out.append(
                    f'<rect class="bar" x="{x:.1f}" y="{y_of(value):.1f}" width="{bar_w:.1f}" '
                    f'height="{top + plot_h - y_of(value):.1f}" fill="{colour}">'
                    f"<title>{escape(labels[i])} {escape(name)}: {_fmt(value)}{escape(unit)}</title></rect>"
                )
        else:
            _polyline(out, values, step=step, left=left, y_of=y_of, colour=colour, dashed=False)
            if len(values) <= 62:  # a day between two gaps is a point, not an invisible line
                out.extend(
                    f'<circle cx="{left + step * (i + 0.5):.1f}" cy="{y_of(v):.1f}" r="{2 if small else 3}" '
                    f'fill="{colour}"/>'
                    for i, v in enumerate(values)
                    if v is not None
                )
    if limit_values:
        _polyline(out, limit_values, step=step, left=left, y_of=y_of, colour=LIMIT, dashed=True)
    out.append("</svg>")
    return "\n".join(out)


def _polyline(out, values, *, step, left, y_of, colour, dashed) -> None:
    # A gap (None) ends one line and starts the next.
    runs: list[list[str]] = [[]]
    for i, value in enumerate(values):
        if value is None:
            runs.append([])
        else:
            runs[-1].append(f"{left + step * (i + 0.5):.1f},{y_of(value):.1f}")
    dash = ' stroke-dasharray="4 3"' if dashed else ""
    for run in runs:
        if run:
            out.append(
                f'<polyline class="line" points="{" ".join(run)}" fill="none" stroke="{colour}" '
                f'stroke-width="2"{dash}/>'
            )


def heatmap(
    *,
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[Number]],
    unit: str = "",
    title: str = "",
    small: bool = False,
) -> str:
    """A grid of `rows` x `columns`, each cell shaded by its value (white 0 -> dark blue the highest)."""
    cell_w, cell_h = (12, 12) if small else (44, 26)
    left, top = (4, 4) if small else (44, 30)
    width = left + cell_w * max(1, len(columns)) + 8
    height = top + cell_h * max(1, len(rows)) + (8 if small else 30)
    high = max([v for row in values for v in row if v is not None] + [0]) or 1.0
    out = _frame(width, height, title or "Heat map", "heatmap")
    if not small:
        for j, column in enumerate(columns):
            out.append(
                f'<text x="{left + cell_w * (j + 0.5):.1f}" y="{top - 8}" font-size="10" '
                f'text-anchor="middle">{escape(column)}</text>'
            )
    for i, row in enumerate(rows):
        y = top + cell_h * i
        if not small:
            out.append(
                f'<text x="{left - 6}" y="{y + cell_h * 0.7:.1f}" font-size="10" '
                f'text-anchor="end">{escape(row)}</text>'
            )
        for j, column in enumerate(columns):
            value = values[i][j]
            x = left + cell_w * j
            if value is None:
                fill, text = "#f3f4f6", "closed"
            else:
                shade = value / high
                fill = f"rgb({int(255 - 226 * shade)},{int(255 - 177 * shade)},{int(255 - 39 * shade)})"
                text = f"{_fmt(value)}{unit}"
            out.append(
                f'<rect class="cell" x="{x}" y="{y}" width="{cell_w - 1}" height="{cell_h - 1}" '
                f'fill="{fill}">'
                f"<title>{escape(row)} {escape(column)}: {escape(text)}</title></rect>"
            )
            if not small and value is not None:
                ink = "#fff" if value / high > 0.55 else "#111"
                out.append(
                    f'<text x="{x + cell_w / 2:.1f}" y="{y + cell_h * 0.65:.1f}" font-size="10" '
                    f'text-anchor="middle" fill="{ink}">{escape(text)}</text>'
                )
    if not small:
        out.append(
            f'<text x="{left}" y="{height - 10}" font-size="10">White: 0{escape(unit)}; darkest: '
            f"{_fmt(high)}{escape(unit)}; grey: closed</text>"
        )
    out.append("</svg>")
    return "\n".join(out)
