"""The proposal's picture: nurse load and chair occupancy before and after, as one server-rendered SVG.

Pure: it takes the curves as plain lists (labels such as "Tue 10:00", values per slot) and returns SVG
text; nothing in it comes from the user except the labels, which are escaped.
"""

from html import escape

WIDTH, HEIGHT, LEFT, TOP, PANEL, GAP = 760, 420, 56, 28, 150, 46
BEFORE, AFTER, LIMIT = "#b45309", "#1d4ed8", "#6b7280"


def _panel(out, *, y0, title, unit, labels, before, after, limit=None):
    top = max([*before, *after, *(limit or []), 1])
    step = (WIDTH - LEFT - 16) / max(1, len(labels))

    def point(i, v):
        return f"{LEFT + step * (i + 0.5):.1f},{y0 + PANEL - PANEL * v / top:.1f}"

    out.append(f'<text x="{LEFT}" y="{y0 - 8}" font-size="13" font-weight="bold">{escape(title)}</text>')
    out.append(f'<line x1="{LEFT}" y1="{y0 + PANEL}" x2="{WIDTH - 16}" y2="{y0 + PANEL}" stroke="#9ca3af"/>')
    for frac in (0, 0.5, 1):
        value = top * frac
        y = y0 + PANEL - PANEL * frac
        out.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{value:g}</text>'
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - 16}" y2="{y:.1f}" stroke="#e5e7eb"/>'
        )
    every = max(1, len(labels) // 10)
    for i, label in enumerate(labels):
        if i % every == 0:
            x = LEFT + step * (i + 0.5)
            out.append(
                f'<text x="{x:.1f}" y="{y0 + PANEL + 14}" font-size="10" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    if limit:
        pts = " ".join(point(i, v) for i, v in enumerate(limit))
        out.append(f'<polyline points="{pts}" fill="none" stroke="{LIMIT}" stroke-dasharray="4 3"/>')
    for values, colour, name in ((before, BEFORE, "before"), (after, AFTER, "after")):
        pts = " ".join(point(i, v) for i, v in enumerate(values))
        out.append(
            f'<polyline class="{name}" points="{pts}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
        )
    out.append(f'<text x="{WIDTH - 16}" y="{y0 - 8}" font-size="11" text-anchor="end">{escape(unit)}</text>')


def proposal_svg(*, labels, load_before, load_after, occupancy_before, occupancy_after, chairs, zone_label):
    """An SVG of two panels (nurse load in patients per nurse; chairs in use, with the chair count)."""
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="Nurse load and chair occupancy before and after" font-family="sans-serif">',
        f'<text x="{LEFT}" y="14" font-size="11"><tspan fill="{BEFORE}">&#9632; before</tspan> '
        f'<tspan fill="{AFTER}">&#9632; after</tspan> <tspan fill="{LIMIT}">- - chairs</tspan> '
        f"(times {escape(zone_label)})</text>",
    ]
    _panel(
        out,
        y0=TOP + 20,
        title="Nurse load",
        unit="patients per nurse",
        labels=labels,
        before=load_before,
        after=load_after,
    )
    _panel(
        out,
        y0=TOP + 20 + PANEL + GAP,
        title="Chair occupancy",
        unit="chairs in use",
        labels=labels,
        before=occupancy_before,
        after=occupancy_after,
        limit=[chairs] * len(labels),
    )
    out.append("</svg>")
    return "\n".join(out)
