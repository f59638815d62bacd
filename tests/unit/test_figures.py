"""Figures are pure functions: check their data, labels and highlight styling without a server."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard.figures import charts, colors, theme
from dashboard.figures.charts import Look
from dashboard.figures.formats import Numbers, text
from dashboard.queries.sources import Highlight

MARKUP = '<a href="https://x.example">x</a>'
REGISTRY = colors.Colors.from_members(
    {"category": ["Plush", "Dolls", "Puzzles", "Vehicles", "Outdoor", "Board Games",
                  "Action Figures", "Arts & Crafts", "Musical Toys", MARKUP],
     "region": ["North", "South", "East", "West", "Central"],
     "age_group": ["13+", "0-2", "3-5", "6-8", "9-12"]},
    {"age_group": charts.AGE_ORDER})
LOOK = Look(colors=REGISTRY)


def valid(figure: dict) -> go.Figure:
    """Figures are plain dicts for speed; plotly validates them here (invalid keys raise)."""
    json.dumps(figure)  # what Dash sends must be plain JSON (no numpy scalars)
    return go.Figure(figure)


def _bars():
    return pd.DataFrame({"category": ["Plush", "Dolls", "Puzzles"],
                         "revenue": [300.0, 200.0, 100.0], "units": [30.0, 20.0, 10.0],
                         "hl_revenue": [30.0, 0.0, 50.0], "hl_units": [3.0, 0.0, 5.0]})


def test_bar_chart_data_labels_colours_and_tooltips():
    df = _bars().assign(prev_revenue=[240.0, 200.0, 100.04])
    fig = valid(charts.bar_chart(df, "category", look=LOOK))
    bar = fig.data[0]
    assert list(bar.y) == ["Puzzles", "Dolls", "Plush"]  # largest on top
    assert list(bar.x) == [100.0, 200.0, 300.0]
    assert [c[1] for c in bar.customdata] == ["Puzzles", "Dolls", "Plush"]
    assert list(bar.marker.color) == [REGISTRY.of("category", c) for c in bar.y]
    plush = bar.hovertext[2]
    assert "<b>Plush</b>" in plush and "Revenue: $300" in plush
    assert "Share of total: 50.0%" in plush and "vs prev.: +25.0%" in plush
    assert "vs prev.: no change" in bar.hovertext[0]  # -0.04% rounds to nothing
    assert bar.hovertemplate == "%{hovertext}<extra></extra>"
    assert fig.layout.xaxis.tickprefix == "$" and fig.layout.xaxis.title.text == "Revenue ($)"


def test_dataset_currency_reaches_axes_and_tooltips():
    look = Look(numbers=Numbers("€"), colors=REGISTRY)
    fig = valid(charts.bar_chart(_bars(), "category", look=look))
    assert fig.layout.xaxis.tickprefix == "€" and "Revenue: €300" in fig.data[0].hovertext[2]
    assert fig.layout.xaxis.title.text == "Revenue (€)"


def test_own_highlight_dims_the_other_bars():
    fig = valid(charts.bar_chart(_bars(), "category", highlight=Highlight("category", "Dolls")))
    assert list(fig.data[0].selectedpoints) == [1]
    assert fig.data[0].unselected.marker.opacity == theme.DIM_OPACITY
    assert len(fig.data) == 1


def test_foreign_highlight_overlays_the_members_part_in_the_one_highlight_colour():
    fig = valid(charts.bar_chart(_bars(), "category", highlight=Highlight("region", "North")))
    assert fig.data[0].opacity == theme.DIM_OPACITY
    assert list(fig.data[1].x) == [50.0, 0.0, 30.0]
    assert fig.data[1].name == "North (selected)"
    assert fig.data[1].marker.color == theme.HIGHLIGHT


def test_units_have_no_currency():
    fig = valid(charts.bar_chart(_bars(), "category", measure="units"))
    assert "$" not in fig.data[0].hovertext[0] and list(fig.data[0].x) == [10.0, 20.0, 30.0]
    assert not fig.layout.xaxis.tickprefix and fig.layout.xaxis.title.text == "Units"


def test_empty_frames_say_so():
    fig = valid(charts.bar_chart(_bars().iloc[0:0], "category"))
    assert fig.layout.annotations[0].text == "No sales match these filters"


def _trend_frame(names, months):
    rows = [{"month": m, "series": n, "revenue": float(100 * (i + 1) + j), "units": 1.0,
             "cost": 0.0, "hl_revenue": 1.0, "hl_units": 0.0}
            for i, n in enumerate(names) for j, m in enumerate(months)]
    return pd.DataFrame(rows)


MONTHS = list(pd.date_range("2025-01-01", "2025-12-01", freq="MS").date)
CATS = ["Plush", "Dolls", "Puzzles", "Vehicles", "Outdoor", "Board Games", "Action Figures",
        "Arts & Crafts", "Musical Toys"]


def test_trend_shows_the_top_members_plus_other():
    df = _trend_frame(CATS, MONTHS)  # later names are bigger
    fig = valid(charts.trend_chart(df, "category", look=LOOK, keep=6))
    names = [t.name for t in fig.data]
    biggest = df.groupby("series")["revenue"].sum().sort_values(ascending=False)
    assert names == [text(n) for n in [*biggest.index[:6], "Other (3 categories)"]]  # & -> &amp;
    other = fig.data[-1]
    want = df[df["series"].isin(biggest.index[6:])].groupby("month")["revenue"].sum()
    assert list(other.y) == want.tolist()
    assert other.line.color == colors.OTHER
    assert other.visible is None  # shown: it does not dwarf the lines
    assert fig.data[0].line.color == REGISTRY.of("category", biggest.index[0])
    # A highlighted member that the top N leaves out is drawn anyway, lit.
    fig = valid(charts.trend_chart(df, "category", highlight=Highlight("category", "Plush"),
                                   look=LOOK, keep=6))
    assert "Plush" in [t.name for t in fig.data]
    assert {t.name: t.opacity for t in fig.data}["Plush"] == 1.0


def test_trend_festival_bands_sit_behind_and_labels_above_without_overlap():
    df = _trend_frame(["North", "South"], MONTHS)
    fest = pd.read_csv("data/calendar/festivals.csv")
    fest = fest[fest["start"].str.startswith("2025")].assign(
        start=lambda f: pd.to_datetime(f["start"]).dt.date,
        end=lambda f: pd.to_datetime(f["end"]).dt.date)
    fig = valid(charts.trend_chart(df, "region", festivals=fest, look=LOOK))
    assert all(s.layer == "below" for s in fig.layout.shapes)
    notes = fig.layout.annotations
    assert {n.text for n in notes} >= {"Christmas", "Halloween"}
    rows: dict[float, list[tuple[float, float]]] = {}
    px = charts.NARROW_PLOT_PX / len(MONTHS)
    for n in notes:
        assert n.y == 1 and n.yanchor == "bottom" and n.yref == "paper"  # above the plot
        half = len(n.text) * charts.LABEL_CHAR_PX / 2 / px
        mid = {"left": n.x + half, "right": n.x - half}.get(n.xanchor, n.x)
        assert -0.5 <= mid - half and mid + half <= len(MONTHS) - 0.5  # inside the width
        rows.setdefault(n.yshift, []).append((mid - half, mid + half))
    for spans in rows.values():  # same row: no two labels overlap at phone width
        spans.sort()
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    assert fig.layout.margin.t >= charts.LABEL_ROW_PX * len(rows)


def test_trend_over_three_years_writes_each_festival_label_once():
    months = [dt.date(y, m, 1) for y in (2023, 2024, 2025) for m in range(1, 13)]
    fest = pd.read_csv("data/calendar/festivals.csv").assign(
        start=lambda f: pd.to_datetime(f["start"]).dt.date,
        end=lambda f: pd.to_datetime(f["end"]).dt.date)
    fest = fest[(fest["start"] >= months[0]) & (fest["end"] <= dt.date(2025, 12, 31))]
    fig = valid(charts.trend_chart(_trend_frame(["North"], months), "region",
                                   festivals=fest, look=LOOK))
    labels = [n.text for n in fig.layout.annotations]
    assert len(labels) == len(set(labels)), labels  # each festival band label once
    assert "Christmas" in " · ".join(labels)
    christmas = sum(f == "Christmas" for f in fest["festival"])
    assert christmas == 3  # three Christmases, all banded
    assert len(fig.layout.shapes) > len(labels)


def test_trend_marks_partial_months_and_does_not_compare_them():
    df = _trend_frame(["North"], MONTHS)
    look = Look(colors=REGISTRY, partial_months={dt.date(2025, 12, 1): "1–15 Dec"})
    fig = valid(charts.trend_chart(df, "region", look=look))
    line = fig.data[0]
    assert list(line.marker.symbol) == ["circle"] * 11 + ["circle-open"]
    assert "partial: 1–15 Dec" in line.hovertext[-1]
    assert "not compared (partial month)" in line.hovertext[-1]
    assert "vs prev. month: +1.0%" in line.hovertext[1]  # 101 after 100
    assert any("partial" in n.text for n in fig.layout.annotations)


def _toys():
    rows = []
    for age, names in {"3-5": ["B", "A", "C"], "13+": ["A", "D", "E"],
                       "0-2": ["C", "E", "B"]}.items():
        for rank, name in enumerate(names, start=1):
            rows.append({"age_group": age, "product_name": name, "revenue": 100.0 / rank + 1,
                         "units": 10.0 - rank, "hl_revenue": 1.0, "hl_units": 0.0,
                         "rank": float(rank)})
    return pd.DataFrame(rows)


def test_top_toys_small_multiples_ranked_with_every_bar_named():
    fig = valid(charts.top_toys_chart(_toys(), look=LOOK))
    ages = [t.name for t in fig.data]
    assert ages == ["0-2", "3-5", "13+"]  # natural order, not text order
    axes = {(t.xaxis, t.yaxis) for t in fig.data}
    assert len(axes) == 3  # one subplot (own category axis) per age group
    for trace in fig.data:
        # Plotly draws horizontal bars bottom up: the largest is last, so it is on top
        # (no reversed axis, which Plotly writes back as a plain autorange).
        assert list(trace.x) == sorted(trace.x)
        assert fig.layout[trace.yaxis.replace("y", "yaxis")].autorange is None
        assert [h.split("</b>")[0][3:] for h in trace.hovertext] == list(trace.y)
        assert trace.marker.color == REGISTRY.of("age_group", trace.name)
    assert list(fig.data[1].y) == ["C", "A", "B"]  # bottom up: B, the largest, on top
    titles = [a.text for a in fig.layout.annotations]
    assert titles == ["<b>Age 0-2</b>", "<b>Age 3-5</b>", "<b>Age 13+</b>"]


def test_top_toys_add_a_highlighted_toy_ranked_lower_with_its_rank():
    df = pd.concat([_toys(), pd.DataFrame([{
        "age_group": "3-5", "product_name": "Z", "revenue": 2.0, "units": 1.0,
        "hl_revenue": 2.0, "hl_units": 1.0, "rank": 9.0}])], ignore_index=True)
    fig = valid(charts.top_toys_chart(df, highlight=Highlight("product_name", "Z"),
                                      look=LOOK, top_n=3))
    three_five = fig.data[1]
    assert list(three_five.y) == ["#9 Z", "C", "A", "B"]  # bottom up
    assert list(three_five.selectedpoints) == [0]  # Z, drawn at the bottom


def test_markup_in_data_is_shown_as_text_everywhere():
    df = pd.DataFrame({"category": [MARKUP, "Plush"], "revenue": [2.0, 1.0], "units": [1.0, 1.0],
                       "hl_revenue": [1.0, 0.0], "hl_units": [0.0, 0.0]})
    hl = Highlight("product_name", MARKUP)
    figures = [
        charts.bar_chart(df, "category", highlight=hl, look=LOOK, note=f"Top of {MARKUP}"),
        charts.trend_chart(_trend_frame([MARKUP], MONTHS), "category", highlight=hl, look=LOOK,
                           festivals=pd.DataFrame({"festival": [MARKUP],
                                                   "start": [dt.date(2025, 3, 1)],
                                                   "end": [dt.date(2025, 3, 2)]})),
        charts.share_chart(df.rename(columns={"category": "gender"}), "gender", hl, look=LOOK),
        charts.top_toys_chart(_toys().assign(product_name=MARKUP, age_group="3-5"), look=LOOK,
                              highlight=hl),
        charts.heatmap_chart(pd.DataFrame([[1.0]], index=[MARKUP],
                                          columns=[dt.date(2025, 1, 1)]), look=LOOK),
        charts.contribution_chart(pd.DataFrame({
            "region": [MARKUP], "revenue": [1.0], "previous_revenue": [1.0],
            "share_pct": [1.0], "change_share_pct": [0.5]}), look=LOOK),
    ]
    for figure in figures:
        valid(figure)
        drawn = json.dumps({**figure, "data": [{k: v for k, v in trace.items()
                                                if k != "customdata"}
                                               for trace in figure["data"]]})
        assert "<a " not in drawn  # only &lt;a ... reaches what Plotly draws
        assert "&lt;a href" in drawn
    # Clicks still carry the real value (customdata is never drawn).
    assert figures[0]["data"][0]["customdata"][-1] == ["category", MARKUP]


def test_heatmap_names_its_unit_and_marks_partial_months():
    matrix = pd.DataFrame([[1.0, 2.0], [3.0, 4.0]], index=["North", "South"],
                          columns=[dt.date(2025, 1, 1), dt.date(2025, 2, 1)])
    look = Look(colors=REGISTRY, partial_months={dt.date(2025, 2, 1): "1–14 Feb"})
    fig = valid(charts.heatmap_chart(matrix, highlight=Highlight("region", "North"), look=look))
    assert list(fig.data[0].x) == ["Jan 2025", "Feb 2025 (part)"]
    # Biggest row first, drawn from the top (as the contribution chart's bars are).
    assert list(fig.data[0].y) == ["South", "North"]
    assert fig.layout.yaxis.autorange == "reversed"
    assert list(fig.data[0].z[0]) == [3.0, 4.0]
    assert fig.data[0].colorbar.title.text == "Revenue ($)"
    assert fig.data[0].customdata[0][0] == ["region", "South"]  # a click highlights the row
    assert "Share of month: 33.3%" in fig.data[0].hovertext[1][1]  # North, Feb: 2 of 6
    assert "<b>North</b>" in fig.data[0].hovertext[1][0]
    assert [(s.y0, s.y1) for s in fig.layout.shapes] == [(-0.5, 0.5)]  # South's row dimmed
    units = valid(charts.heatmap_chart(matrix, "units", look=look))
    assert units.data[0].colorbar.title.text == "Units"


def _contrast(a: str, b: str) -> float:
    def lum(color):
        r, g, b = (int(color[i:i + 2], 16) / 255 for i in (1, 3, 5))
        f = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        return 0.2126 * f[0] + 0.7152 * f[1] + 0.0722 * f[2]
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_share_chart_colours_and_readable_labels():
    share = pd.DataFrame({"age_group": ["13+", "0-2", "3-5"], "revenue": [60.0, 40.0, 20.0],
                          "units": [1.0] * 3, "hl_revenue": [6.0, 4.0, 2.0],
                          "hl_units": [1.0] * 3})
    pie = valid(charts.share_chart(share, "age_group", highlight=Highlight("region", "North"),
                                   look=LOOK))
    assert list(pie.data[0].labels) == ["0-2", "3-5", "13+"]
    assert list(pie.data[1].values) == [4.0, 2.0, 6.0]
    for fill, ink in zip(pie.data[0].marker.colors, pie.data[0].textfont.color, strict=True):
        assert _contrast(fill, ink) >= 4.5, (fill, ink)  # WCAG AA on pastel too
    assert "Share of total: 33.3%" in pie.data[0].hovertext[0]


def test_palettes_never_share_a_colour_and_ignore_filters():
    seen: dict[str, str] = {}
    for dim, palette in colors.PALETTES.items():
        for c in palette:
            assert c.upper() not in seen, f"{c} is in {dim} and {seen.get(c.upper())}"
            seen[c.upper()] = dim
    assert colors.OTHER.upper() not in seen
    full = colors.Colors.from_members({"category": ["Puzzles", "Plush", "Dolls", "Unknown"]})
    assert full.members["category"] == ("Dolls", "Plush", "Puzzles")  # order of input ignored
    assert len(set(full.many("category", ["Dolls", "Plush", "Puzzles"]))) == 3
    assert full.of("category", "Unknown") == colors.OTHER
    assert len(colors.CATEGORY) >= 14  # the sample's 14 categories each get their own


def test_sparkline_is_an_svg_image_of_the_series():
    import base64

    uri = charts.sparkline(pd.Series([1.0, 3.0, 2.0]))
    assert uri.startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(uri.split(",", 1)[1]).decode()
    points = svg.split('<polyline points="')[1].split('"')[0].split()
    assert len(points) == 3
    heights = [float(p.split(",")[1]) for p in points]
    assert heights[1] < heights[2] < heights[0]  # SVG y grows downwards: 3 is highest


@pytest.mark.parametrize(("value", "kind", "shown"), [
    (1_234_567, "currency", "$1.2M"), (999_960, "currency", "$1.0M"), (34_500, "number", "34.5k"),
    (950, "currency", "$950"), (-1_500, "currency", "-$1.5k"), (41.271, "currency_exact", "$41.27"),
    (0.4123, "pct", "41.2%"), (None, "number", "–"), (float("nan"), "pct", "–"),
])
def test_one_number_rule(value, kind, shown):
    assert Numbers().value(value, kind) == shown


def test_changes_below_rounding_read_no_change():
    assert Numbers.change(-0.0004) == ("no change", 0)
    assert Numbers.change(-0.0004, points=True) == ("no change", 0)
    assert Numbers.change(0.0123) == ("+1.2%", 1)
    assert Numbers.change(-0.013, points=True) == ("-1.3 pt", -1)
    assert Numbers.change(None) == ("–", 0)


def test_few_bars_keep_their_thickness():
    one = valid(charts.bar_chart(_bars().iloc[:1], "category", look=LOOK))
    assert list(one.layout.yaxis.range) == [1 - charts.MIN_BAR_SLOTS - 0.5, 0.5]  # at the top
    many = valid(charts.bar_chart(pd.concat([_bars()] * 3, ignore_index=True), "category"))
    assert many.layout.yaxis.range is None


def test_festival_bands_under_a_season_sit_only_over_their_own_months():
    """Winter shows Jan, Feb and Dec 2025. Black Friday (28 Nov - 1 Dec) is banded over December
    alone, with Christmas; Easter (April) is not on the axis and gets no band."""
    months = [dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 12, 1)]
    fest = pd.DataFrame({"festival": ["Día de Reyes", "Easter", "Black Friday", "Christmas"],
                         "start": [dt.date(2025, 1, 2), dt.date(2025, 4, 13),
                                   dt.date(2025, 11, 28), dt.date(2025, 12, 1)],
                         "end": [dt.date(2025, 1, 6), dt.date(2025, 4, 21),
                                 dt.date(2025, 12, 1), dt.date(2025, 12, 24)]})
    fig = valid(charts.trend_chart(_trend_frame(["North"], months), "region",
                                   festivals=fest, look=LOOK))
    bands = sorted((s.x0, s.x1) for s in fig.layout.shapes)
    assert bands == [(-0.45, 0.45), (1.55, 2.45)]  # January; December
    assert sorted(n.text for n in fig.layout.annotations) == [
        "Black Friday · Christmas", "Día de Reyes"]


def test_top_toys_show_a_toy_whose_returns_outweigh_its_sales():
    df = _toys().assign(revenue=lambda f: f["revenue"].where(f["product_name"] != "C", -30.0))
    fig = valid(charts.top_toys_chart(df, look=LOOK))
    low, high = fig.layout.xaxis.range
    assert low <= -30.0 < 0 < df["revenue"].max() <= high  # the negative bar is on the plot
