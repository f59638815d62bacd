"""Cross-highlight on the Team page (`hl=employee:ID`, `hl=region:NAME`): the lit bars and lines
are the highlighted employee's or region's, the sentence's figures match pandas over the raw
rows, an employee below the top 15 is added rather than silently missing, a second click
clears, and a North manager's forged highlight of a South employee shows and names nothing."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.pages import team_highlight, team_report
from dashboard.queries.filters import Scope
from dashboard.queries.options import domain
from tests import reference as ref
from tests.unit.test_team_page import _chart, expected_staff


@pytest.fixture(scope="module")
def dates(warehouse):
    return domain(warehouse, Scope.everything()).default_range()


def _lit_labels(figure) -> list[str]:
    """The labels of the bars a highlight leaves lit (Plotly's selectedpoints index the trace's
    points, which are listed bottom-up)."""
    trace = figure["data"][0]
    return [trace["y"][i] for i in trace["selectedpoints"]]


def test_an_employee_lights_their_bar_line_and_region(warehouse, raw, sample_dir, dates):
    staff = expected_staff(raw, sample_dir, *dates)
    pick = staff.iloc[2]
    report = team_report.page_report(warehouse, Scope.everything(),
                                     f"hl=employee:{pick['employee_id']}")
    ranking = _chart(report, "ranking")["figure"]
    assert _lit_labels(ranking) == [f"#{pick['rank']} {pick['name']}"]
    assert ranking["data"][0]["unselected"]["marker"]["opacity"] < 1
    assert _lit_labels(_chart(report, "regions")["figure"]) == [pick["region"]]
    assert _lit_labels(_chart(report, "staffing")["figure"])[0].startswith(pick["region"])
    trend = {t["name"]: t for t in _chart(report, "trend")["figure"]["data"]}
    assert trend[pick["name"]]["opacity"] == 1.0 and trend[pick["name"]]["line"]["width"] == 3
    assert trend["Team average"]["opacity"] < 1
    total = staff["revenue"].sum()
    assert f"{pick['revenue'] / total:.1%} of employee sales" in report["highlight"]
    assert f"rank #{pick['rank']} of {len(staff):,}" in report["highlight"]
    assert f"hl=employee%3A{pick['employee_id']}" in report["query"]


def test_an_employee_below_the_top_is_added_and_gets_a_line(warehouse, raw, sample_dir,
                                                            dates):
    staff = expected_staff(raw, sample_dir, *dates)
    low = staff.iloc[-1]
    report = team_report.page_report(warehouse, Scope.everything(),
                                     f"hl=employee:{low['employee_id']}")
    rows = _chart(report, "ranking")["rows"]
    assert len(rows) == team_report.TOP_SHOWN + 1
    assert rows[-1][1].endswith(low["name"]) and rows[-1][2] == pytest.approx(low["revenue"])
    assert any("added as the last bar" in n for n in report["notes"])
    months = ref.select(raw, *dates)
    months = months[months["employee_id"].astype(str) == low["employee_id"]]
    got = {m: v for s, m, v in _chart(report, "trend")["rows"] if s == low["name"]}
    for month, value in months.groupby("month")["revenue"].sum().items():
        assert got[f"{month:%b %Y}"] == pytest.approx(value, abs=1e-6)


def test_a_region_lights_its_people_and_draws_its_average(warehouse, raw, sample_dir, dates):
    staff = expected_staff(raw, sample_dir, *dates)
    report = team_report.page_report(warehouse, Scope.everything(), "hl=region:South")
    top = staff.head(team_report.TOP_SHOWN)
    counts = staff["rank"].value_counts()
    south = [f"#{r}{'=' if counts[r] > 1 else ''} {n}"
             for r, n, g in zip(top["rank"], top["name"], top["region"], strict=True)
             if g == "South"]
    assert sorted(_lit_labels(_chart(report, "ranking")["figure"])) == sorted(south)
    rows = ref.select(raw, *dates)
    people = staff[staff["region"] == "South"]
    sold = rows[rows["employee_id"].astype(str).isin(people["employee_id"])]
    by_month = sold.groupby("month")["revenue"].sum() / len(people)
    got = {m: v for s, m, v in _chart(report, "trend")["rows"] if s == "South average"}
    for month, value in by_month.items():
        assert got[f"{month:%b %Y}"] == pytest.approx(value, rel=1e-9)
    assert f"{len(people):,} employees sold" in report["highlight"]


def test_a_forged_highlight_outside_the_scope_names_nothing(warehouse, raw, sample_dir, dates):
    staff = expected_staff(raw, sample_dir, *dates)
    south = staff[staff["region"] == "South"].iloc[0]
    north = Scope(("North",))
    for hl in (f"employee:{south['employee_id']}", "region:South", "region:Nowhere",
               "employee:" + "x" * 500, "bogus:1"):
        report = team_report.page_report(warehouse, north, f"hl={hl}")
        assert report["highlight"] == ""
        assert "hl=" not in report["query"]
        # never the South member itself ("South Sarahburgh Mall", a North store, may show)
        assert south["name"] not in str(report) and "'South'" not in str(report)
        assert all("selectedpoints" not in c["figure"]["data"][0] for c in report["charts"]
                   if c["figure"]["data"])


def test_a_second_click_clears_and_bad_clicks_change_nothing():
    first = team_highlight.parse(["employee", "E1"])
    assert team_highlight.toggle(None, first) == {"kind": "employee", "value": "E1"}
    assert team_highlight.toggle({"kind": "employee", "value": "E1"}, first) is None
    assert team_highlight.toggle({"kind": "region", "value": "North"}, None) == {
        "kind": "region", "value": "North"}
    for bad in (None, 5, ["member", "#1 Ann"], {"kind": "employee", "value": 3}, "region"):
        assert team_highlight.parse(bad) is None



# --- drill-down: a region's stores ------------------------------------------------------


def _store_labels(sample_dir) -> dict[str, str]:
    stores = pd.read_parquet(sample_dir / "stores.parquet").astype({"store_id": str})
    twice = stores["name"].duplicated(keep=False)
    return {sid: (f"{name} (#{sid})" if dup else name)
            for sid, name, dup in zip(stores["store_id"], stores["name"], twice, strict=True)}


def test_a_region_drill_compares_its_stores(warehouse, raw, sample_dir, dates):
    report = team_report.page_report(warehouse, Scope.everything(), "geo=West")
    staff = expected_staff(raw, sample_dir, *dates, ["West"])
    counts = staff["rank"].value_counts()
    ranking = [r[1] for r in _chart(report, "ranking")["rows"]]
    assert ranking == [f"#{r}{'=' if counts[r] > 1 else ''} {n}" for r, n in
                       zip(staff["rank"], staff["name"], strict=True)][:team_report.TOP_SHOWN]
    assert {t["id"]: t["value"] for t in report["tiles"]}["employees"] == len(staff)
    by_store = staff.groupby(staff["store_id"].astype(str))["revenue"].sum()
    heads = staff.groupby(staff["store_id"].astype(str))["employee_id"].nunique()
    names = _store_labels(sample_dir)
    regions = _chart(report, "regions")
    assert regions["title"] == "Contribution by store in West (employee sales)"
    got = {m: v for _, m, v in regions["rows"]}
    assert list(got) == [names[s] for s in by_store.sort_values(ascending=False).index]
    for store, value in by_store.items():
        assert got[names[store]] == pytest.approx(value / by_store.sum(), rel=1e-9)
    per = {m.rsplit(" (", 1)[0]: v for _, m, v in _chart(report, "staffing")["rows"]}
    for store, value in by_store.items():
        assert per[names[store]] == pytest.approx(value / heads[store], rel=1e-9)
    assert report["filters"].startswith("West, ") and "geo=West" in report["query"]


def test_a_north_manager_starts_at_their_stores_and_cannot_drill_elsewhere(warehouse, raw,
                                                                           sample_dir):
    north = Scope(("North",))
    lo, hi = domain(warehouse, north).default_range()
    landing = team_report.page_report(warehouse, north, "")
    stores = expected_staff(raw, sample_dir, lo, hi, ["North"])["store_id"].astype(str)
    names = _store_labels(sample_dir)
    assert sorted(m for _, m, _ in _chart(landing, "regions")["rows"]) == sorted(
        {names[s] for s in stores})
    forged = team_report.page_report(warehouse, north, "geo=South")
    assert any("dropped" in n.lower() or "not" in n for n in forged["notes"])
    assert "'South'" not in str(forged) and "places: South" not in forged["filters"]
    assert [m for _, m, _ in _chart(forged, "regions")["rows"]] == ["North"]


def test_a_store_highlight_lights_its_people(warehouse, raw, sample_dir, dates):
    staff = expected_staff(raw, sample_dir, *dates, ["West"])
    store = str(staff.iloc[0]["store_id"])
    report = team_report.page_report(warehouse, Scope.everything(),
                                     f"geo=West&hl=store:{store}")
    people = staff[staff["store_id"].astype(str) == store]
    assert report["highlight"].startswith(f"Highlighting {_store_labels(sample_dir)[store]}: "
                                          f"{len(people):,} employees sold")
    lit = _lit_labels(_chart(report, "ranking")["figure"])
    shown = {n for n in staff.head(team_report.TOP_SHOWN)["name"]}
    assert {label.split(" ", 1)[1] for label in lit} == set(people["name"]) & shown
