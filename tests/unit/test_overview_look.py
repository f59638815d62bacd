"""The Overview's look through its callback: colours from the whole warehouse, partial months,
the metric registry's definitions on the KPI tiles, and metrics the data cannot give."""

from __future__ import annotations

import datetime as dt
import importlib

import pandas as pd
import pytest

from dashboard.components.kpi import kpi_tiles
from dashboard.figures.formats import Numbers
from dashboard.queries import registry
from tests import reference as ref
from tests.unit.test_overview_callbacks import call


@pytest.fixture
def page(app):
    return importlib.import_module("dashboard.pages.overview")


def _texts(nodes) -> str:
    return " ".join(str(getattr(n, "children", "")) for tile in nodes for n in tile._traverse()
                    if isinstance(getattr(n, "children", None), str))


def _bar_colours(figure) -> dict[str, str]:
    bar = figure.data[0]
    return {c[1]: col for c, col in zip(bar.customdata, bar.marker.color, strict=True)}


def test_a_filter_never_recolours_a_member(page, request_ctx, raw):
    *_, figures, _ = call(page)
    everything = _bar_colours(figures["category"])
    assert len(set(everything.values())) == len(everything)  # 14 categories, 14 colours
    kept = sorted(everything)[-2:]
    *_, narrowed, _ = call(page, categories=kept)
    assert _bar_colours(narrowed["category"]) == {c: everything[c] for c in kept}
    trend = {t.name: t.line.color for t in narrowed["trend"].data}
    assert trend == {c: everything[c] for c in kept}


def test_partial_months_are_marked_in_the_trend_and_heat_map(page, request_ctx, raw):
    *_, figures, _ = call(page, start="2025-01-15", end="2025-06-30")
    line = figures["trend"].data[0]
    assert line.marker.symbol[0] == "circle-open" and set(line.marker.symbol[1:]) == {"circle"}
    assert "partial: 15–31 Jan" in line.hovertext[0]
    assert figures["heatmap"].data[0].x[0] == "Jan 2025 (part)"
    # The half month is plotted with what it really holds (no silent scaling).
    rows = ref.select(raw, dt.date(2025, 1, 15), dt.date(2025, 1, 31))
    first_month = sum(t.y[0] for t in figures["trend"].data)
    assert first_month == pytest.approx(rows["revenue"].sum())


def test_category_tooltips_compare_with_the_previous_period(page, request_ctx, raw):
    *_, figures, _ = call(page, start="2025-04-01", end="2025-06-30")
    now = ref.select(raw, dt.date(2025, 4, 1), dt.date(2025, 6, 30))
    before = ref.select(raw, dt.date(2024, 12, 31), dt.date(2025, 3, 31))  # 91 days before
    bar = figures["category"].data[0]
    top = bar.customdata[-1][1]
    a = now.loc[now["category"] == top, "revenue"].sum()
    b = before.loc[before["category"] == top, "revenue"].sum()
    words, _ = Numbers.change(a / b - 1)
    assert f"vs prev.: {words}" in bar.hovertext[-1]
    assert f"Share of total: {a / now['revenue'].sum():.1%}" in bar.hovertext[-1]


def test_kpi_tiles_read_the_registry_and_define_every_metric(page, request_ctx):
    _, _, kpis, _, _ = call(page)
    text = _texts(kpis)
    for name in ("revenue", "units", "orders", "aov", "margin_pct", "vs_previous",
                 "vs_year_ago"):
        assert registry.METRICS[name].definition in text, name
    helps = [n for tile in kpis for n in tile._traverse()
             if getattr(n, "className", "") == "metric-help-toggle"]
    assert len(helps) == 7 and all(h.title for h in helps)
    assert "nan" not in text.lower()


def _kpis(margin=0.25, margin_before=0.2504):
    series = pd.Series([1.0, 2.0])
    base = {"value": 100.0, "previous": 90.0, "year_ago": 80.0, "change_previous": 0.111,
            "change_year_ago": -0.0004, "trend": series}
    out = {name: dict(base) for name in ("revenue", "units", "orders", "aov")}
    out["margin_pct"] = {**base, "value": margin, "change_year_ago": None,
                         "change_previous": None if margin is None else margin - margin_before}
    return out


def test_rounding_is_not_shown_as_change():
    text = _texts(kpi_tiles(_kpis()))
    assert "no change vs last yr" in text and "-0.0" not in text
    assert "no change vs prev." in text  # margin -0.04 pt


def test_margin_without_cost_data_says_so_never_nan():
    tiles = kpi_tiles(_kpis(), unavailable=("cost",))
    text = _texts(tiles)
    assert "no cost or profit data" in text and "nan" not in text.lower()
    values = {n.id: n.children for t in tiles for n in t._traverse()
              if str(getattr(n, "id", "")).endswith("-value")}
    assert values["ov-kpi-margin_pct-value"] == "–"
    # A source whose cost column is empty gives no margin either (value None), same words.
    text = _texts(kpi_tiles(_kpis(margin=None)))
    assert "no cost or profit data" in text


def test_currency_comes_from_the_warehouse_meta():
    assert registry.currency_symbol({}) == "$"
    assert registry.currency_symbol({"currency": "eur"}) == "€"
    assert registry.currency_symbol({"currency": "SEK"}) == "SEK "
    text = _texts(kpi_tiles(_kpis(), numbers=Numbers("€")))
    assert "€100" in text


def test_markup_highlight_from_a_url_renders_as_text(page, request_ctx):
    markup = '<a href="https://x.example">x</a>'
    _, empty, kpis, figures, _ = call(page, hl={"column": "product_name", "value": markup})
    assert not empty and kpis
    names = [t.name for t in figures["category"].data]
    assert "&lt;a href=\"https://x.example\"&gt;x&lt;/a&gt; (selected)" in names
