"""The phone and keyboard parts as plain functions: each chart's table view and the drawer's
count of active filters."""

from __future__ import annotations

import datetime as dt
import importlib
import json

import pandas as pd
import plotly
import pytest

from dashboard.components import chart_table, filter_drawer
from dashboard.figures import charts
from dashboard.figures.formats import Numbers
from dashboard.queries.sources import Highlight
from tests import dash_payloads as dp


def _json(component) -> dict:
    return json.loads(json.dumps(component, cls=plotly.utils.PlotlyJSONEncoder))


def _text(node) -> str:
    return node["props"]["children"] if isinstance(node, dict) else node


def _cells(table) -> tuple[list[str], list[list[str]]]:
    """(column headers, [row header + cells]) of a rendered table, as a reader meets them."""
    found = list(dp.components(_json(table)))
    heads = [p["children"] for t, p in found if t == "Th" and p.get("scope") == "col"]
    rows = [[_text(c) for c in p["children"]] for t, p in found
            if t == "Tr" and p["children"][0]["props"].get("scope") == "row"]
    return heads, rows


def test_bar_chart_table_lists_every_bar_with_its_value_and_share():
    df = pd.DataFrame({"category": ["Dolls", "Plush", "Puzzles"],
                       "revenue": [1200.0, 3000.0, 800.0]})
    table = chart_table.figure_table(charts.bar_chart(df, "category"), "Revenue by category",
                                     "Category")
    heads, rows = _cells(table)
    assert heads == ["Category", "Revenue", "Share of total"]
    total = df["revenue"].sum()
    expected = {name: [Numbers().metric("revenue", value, exact=True),
                       f"{value / total:.1%}"]
                for name, value in zip(df["category"], df["revenue"], strict=True)}
    assert {row[0]: row[1:] for row in rows} == expected
    caption = [p for t, p in dp.components(_json(table)) if t == "Caption"]
    assert caption[0]["children"] == "Revenue by category"


def test_markup_in_data_stays_text_in_the_table():
    df = pd.DataFrame({"category": ['<a href="https://x">x</a>'], "revenue": [5.0]})
    _heads, rows = _cells(chart_table.figure_table(charts.bar_chart(df, "category"), "c", "C"))
    assert rows[0][0] == '<a href="https://x">x</a>'  # shown as the characters, not a link


def test_highlight_overlay_rows_and_notes_are_kept():
    df = pd.DataFrame({"category": ["Dolls", "Plush"], "revenue": [100.0, 300.0],
                       "hl_revenue": [25.0, 0.0]})
    figure = charts.bar_chart(df, "category", highlight=Highlight("region", "North"))
    columns, rows = chart_table.table_rows(figure)
    names = [name for name, _ in rows]
    assert names[:2] == ["Plush", "Dolls"] and "North in Dolls" in names
    dolls = dict(rows)["North in Dolls"]
    assert dolls["Revenue"] == Numbers().metric("revenue", 25.0, exact=True)
    assert dolls[chart_table.NOTE] == "25.0% of Dolls"
    assert columns[-1] == chart_table.NOTE


def test_top_toys_table_lists_each_age_group_largest_first():
    """Top toys draws its largest bar on top (listed last: bars go bottom up); the table lists
    it first, as the reader sees it."""
    df = pd.DataFrame({"age_group": ["3-5"] * 3 + ["6-8"] * 2,
                       "product_name": ["Kite", "Ball", "Doll", "Robot", "Train"],
                       "revenue": [10.0, 30.0, 20.0, 5.0, 50.0], "hl_revenue": 0.0})
    df["rank"] = df.groupby("age_group")["revenue"].rank(ascending=False)
    _columns, rows = chart_table.table_rows(charts.top_toys_chart(df))
    names = [name for name, _ in rows]
    expected = (df.sort_values(["age_group", "revenue"], ascending=[True, False])
                ["product_name"].tolist())
    assert names == expected


def test_heat_map_table_has_a_row_per_cell():
    matrix = pd.DataFrame({"region": ["North", "North", "South"],
                           "month": [dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 1, 1)],
                           "revenue": [10.0, 20.0, 30.0]})
    figure = charts.heatmap_chart(matrix.pivot_table(index="region", columns="month",
                                                     values="revenue", fill_value=0.0))
    _columns, rows = chart_table.table_rows(figure)
    assert len(rows) == 4  # 2 regions x 2 months, the empty South February included


def test_an_empty_chart_says_so():
    table = chart_table.figure_table({"data": [], "layout": {}}, "Share by gender", "Gender")
    assert "nothing to show" in table.children


@pytest.mark.parametrize(("values", "dates", "expected"), [
    ([[]] * 9, ("2025-01-01", "2025-12-31"), 0),
    ([["North"], [], ["Christmas", "Easter"]] + [[]] * 6, ("2025-01-01", "2025-12-31"), 2),
    ([[]] * 9, ("2025-03-01", "2025-12-31"), 1),
    ([["North"]] + [None] * 8, ("2025-01-01T00:00:00", "2025-12-31"), 1),
    ([[]] * 9, ("not a date", "2025-12-31"), 1),
])
def test_active_filter_count(values, dates, expected):
    default = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert filter_drawer.active_count(*dates, values, default) == expected


def test_layout_has_one_set_of_filters_a_drawer_and_a_table_button_per_chart(app, request_ctx):
    page = importlib.import_module("dashboard.pages.overview")
    layout = page.layout(region="North")
    tree = _json(layout)
    ids = [p.get("id") for _t, p in dp.components(tree)]
    ids = [i for i in ids if isinstance(i, str)]
    assert len(ids) == len(set(ids)), "every component id once"
    assert "ov-filters" in ids and "ov-f-regions" in ids
    assert {chart_table.toggle_id(k) for k in page.GRAPHS} <= set(ids)
    button = next(p for _t, p in dp.components(tree)
                  if p.get("id") == filter_drawer.OPEN)
    assert button["children"] == "Filters (1 active)"
