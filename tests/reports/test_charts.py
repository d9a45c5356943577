"""Report charts as SVG, from plain values (reports/charts.py)."""

from reports import charts


def test_a_bar_chart_draws_one_bar_per_value_and_leaves_a_gap_for_none():
    svg = charts.xy_chart("bar", labels=["Mon", "Tue", "Wed"], series=[("Booked", [50, None, 100])], unit="%")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count('class="bar"') == 2
    assert "Mon Booked: 50%" in svg and "Wed Booked: 100%" in svg


def test_a_line_chart_breaks_at_a_gap_and_draws_the_limit_dashed():
    svg = charts.xy_chart(
        "line", labels=list("abcd"), series=[("Starts", [1, 2, None, 1])], limit=("Limit", [2, 2, 2, 2])
    )
    assert svg.count('class="line"') == 3  # a-b, d, and the limit
    assert 'stroke-dasharray="4 3"' in svg


def test_labels_are_escaped():
    svg = charts.xy_chart("bar", labels=["<script>x</script>"], series=[("<b>", [1])])
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_a_heat_map_shades_each_cell_and_marks_closed_ones():
    svg = charts.heatmap(
        rows=["Mon", "Tue"], columns=["08:00", "09:00"], values=[[0, 50], [100, None]], unit="%"
    )
    assert svg.count('class="cell"') == 4
    assert "Tue 09:00: closed" in svg
    assert "rgb(29,78,216)" in svg  # the highest value is the darkest
    assert "rgb(255,255,255)" in svg  # zero is white


def test_a_small_chart_is_a_thumbnail_without_axis_values():
    svg = charts.xy_chart("bar", labels=["a", "b"], series=[("x", [1, 2])], unit="%", small=True)
    assert 'viewBox="0 0 320 140"' in svg
    assert "2%</text>" not in svg
