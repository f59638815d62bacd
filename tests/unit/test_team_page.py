"""The Team page against pandas over the raw rows: revenue per employee and its competition
ranking with ties, target attainment (the data's targets and an admin's override), regional
contribution and sales per employee by region; scope (a North manager sees North's people
only, a forged region gets nothing); the page hidden with its reason where the data has no
employees; the admin target form: CSRF, admins only, bad values refused with nothing stored,
every change audited."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from dashboard.cli import main
from dashboard.pages import team_report, team_targets
from dashboard.queries import team
from dashboard.queries.filters import Filter, Scope
from dashboard.queries.options import domain
from dashboard.warehouse.store import Warehouse
from tests import dash_payloads as dp
from tests import reference as ref
from tests.flat_export import write_flat_export


def _months(lo: dt.date, hi: dt.date) -> float:
    """Months covered, a cut month counted by its days (the page's stated rule), by hand."""
    total, day = 0.0, lo
    while day <= hi:
        following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        total += 1 / (following - day.replace(day=1)).days
        day += dt.timedelta(days=1)
    return total


def expected_staff(raw, sample_dir, lo, hi, regions=None, overrides=None) -> pd.DataFrame:
    rows = ref.select(raw, lo, hi, scope=regions)
    employees = pd.read_parquet(sample_dir / "employees.parquet")
    stores = pd.read_parquet(sample_dir / "stores.parquet")
    staff = employees.merge(stores[["store_id", "region"]], on="store_id")
    staff["employee_id"] = staff["employee_id"].astype(str)
    if regions:
        staff = staff[staff["region"].isin(regions)]
    revenue = rows.groupby("employee_id")["revenue"].sum()
    staff = staff.assign(revenue=staff["employee_id"].map(revenue).fillna(0.0))
    monthly = staff["monthly_target"].astype(float)
    if overrides:
        monthly = staff["employee_id"].map(overrides).fillna(monthly)
    staff["target"] = monthly * _months(lo, hi)
    staff["attainment"] = staff["revenue"] / staff["target"]
    staff["rank"] = staff["revenue"].rank(method="min", ascending=False).astype(int)
    return staff.sort_values(["rank", "name"]).reset_index(drop=True)


def _label(row, counts) -> str:
    return f"#{row['rank']}{'=' if counts[row['rank']] > 1 else ''} {row['name']}"


def _chart(report, key):
    return next(c for c in report["charts"] if c["id"] == key)


@pytest.fixture(scope="module")
def dates(warehouse):
    return domain(warehouse, Scope.everything()).default_range()


def test_ranking_and_attainment_match_pandas(warehouse, raw, sample_dir, dates):
    report = team_report.page_report(warehouse, Scope.everything(), "")
    staff = expected_staff(raw, sample_dir, *dates)
    counts = staff["rank"].value_counts()
    top = staff.head(team_report.TOP_SHOWN)
    ranking = _chart(report, "ranking")["rows"]
    assert [r[1] for r in ranking] == [_label(row, counts) for _, row in top.iterrows()]
    for (_, _, value), want in zip(ranking, top["revenue"], strict=True):
        assert value == pytest.approx(want, abs=1e-6)
    attainment = _chart(report, "attainment")["rows"]
    for (_, _, value), want in zip(attainment, top["attainment"], strict=True):
        assert value == pytest.approx(want, rel=1e-9)
    tiles = {t["id"]: t["value"] for t in report["tiles"]}
    assert tiles["employees"] == len(staff)
    assert tiles["attainment"] == pytest.approx(staff["revenue"].sum() / staff["target"].sum())
    assert tiles["met_target"] == int((staff["attainment"] >= 1).sum())


def test_equal_sales_share_a_rank():
    scan = team.TeamScan(
        {"a": ("North", 5.0, 1.0), "b": ("North", 9.0, 1.0), "c": ("North", 9.0, 1.0),
         "d": ("North", 1.0, 1.0)}, {},
        pd.DataFrame({"employee_id": ["a", "b", "c", "d"], "name": ["A", "B", "C", "D"],
                      "store_id": ["s"] * 4, "region": ["North"] * 4,
                      "monthly_target": [10.0, 10.0, None, 10.0]}))
    ranked = team.ranking(scan, Filter(start=dt.date(2025, 1, 1), end=dt.date(2025, 1, 31)))
    assert ranked["employee_id"].tolist() == ["b", "c", "a", "d"]
    assert ranked["rank"].tolist() == [1, 1, 3, 4]
    assert pd.isna(ranked.loc[1, "attainment"])  # no target, no attainment
    labels = team_report._labels(ranked, ranked["rank"].value_counts())
    assert labels == ["#1= B", "#1= C", "#3 A", "#4 D"]


def test_an_admin_target_replaces_the_datas(warehouse, raw, sample_dir, dates):
    staff = expected_staff(raw, sample_dir, *dates)
    first = staff.loc[0, "employee_id"]
    overrides = {first: 1000.0}
    from dashboard.pages.overview_view import View

    report = team_report.report_for_view(View.of(warehouse, Scope.everything()), "", overrides)
    expected = expected_staff(raw, sample_dir, *dates, overrides=overrides)
    assert _chart(report, "attainment")["rows"][0][2] == pytest.approx(
        expected.loc[0, "attainment"], rel=1e-9)
    assert any("set by an admin" in n for n in report["notes"])


def test_regions_and_staffing_match_pandas(warehouse, raw, sample_dir, dates):
    report = team_report.page_report(warehouse, Scope.everything(), "category=Plush")
    rows = ref.select(raw, *dates, categories=["Plush"])
    by_region = rows.groupby("region")["revenue"].sum()
    staff = expected_staff(raw, sample_dir, *dates)
    heads = staff.groupby("region")["employee_id"].nunique()
    shares = {m: v for _, m, v in _chart(report, "regions")["rows"]}
    assert list(shares) == by_region.sort_values(ascending=False).index.tolist()
    for region, value in by_region.items():
        assert shares[region] == pytest.approx(value / by_region.sum(), rel=1e-9)
    per = {m: v for _, m, v in _chart(report, "staffing")["rows"]}
    for region, value in by_region.items():
        assert per[region] == pytest.approx(value / heads[region], rel=1e-9)


def test_trend_lines_are_the_top_sellers_by_month(warehouse, raw, sample_dir, dates):
    report = team_report.page_report(warehouse, Scope.everything(), "")
    staff = expected_staff(raw, sample_dir, *dates)
    best = staff.head(team_report.TREND_PEOPLE)
    rows = ref.select(raw, *dates)
    monthly = rows.groupby(["employee_id", "month"])["revenue"].sum()
    trend = _chart(report, "trend")["rows"]
    name, emp = best.loc[0, "name"], best.loc[0, "employee_id"]
    got = {m: v for s, m, v in trend if s == name}
    for month, value in monthly[emp].items():
        assert got[f"{month:%b %Y}"] == pytest.approx(value, abs=1e-6)
    average = {m: v for s, m, v in trend if s == "Team average"}
    for month, value in rows.groupby("month")["revenue"].sum().items():
        assert average[f"{month:%b %Y}"] == pytest.approx(value / len(staff), rel=1e-9)


def test_north_manager_sees_north_people_only(warehouse, raw, sample_dir):
    north = Scope(("North",))
    lo, hi = domain(warehouse, north).default_range()
    report = team_report.page_report(warehouse, north, "")
    staff = expected_staff(raw, sample_dir, lo, hi, ["North"])
    counts = staff["rank"].value_counts()
    assert [r[1] for r in _chart(report, "ranking")["rows"]] == [
        _label(row, counts) for _, row in staff.head(team_report.TOP_SHOWN).iterrows()]
    assert {t["id"]: t["value"] for t in report["tiles"]}["employees"] == len(staff)
    # a manager of one region lands inside it: the place charts compare its stores
    stores = pd.read_parquet(sample_dir / "stores.parquet")
    north_stores = set(stores.loc[stores["region"] == "North", "name"])
    assert {r[1] for r in _chart(report, "regions")["rows"]} <= north_stores
    assert _chart(report, "regions")["title"].startswith("Contribution by store in North")
    assert set(team.people(warehouse, north)["region"]) == {"North"}


def test_a_forged_region_gets_nothing(warehouse):
    report = team_report.page_report(warehouse, Scope(("North",)), "region=South")
    assert report["tiles"] == [] and all(c["rows"] == [] for c in report["charts"])
    assert "South" not in str(report)


def test_no_employees_hides_the_page_with_the_reason(tmp_path):
    path = write_flat_export(tmp_path / "superstore.csv", duplicates=0)
    root = tmp_path / "warehouse"
    assert main(["--warehouse", str(root), "import", str(path)]) == 0
    wh = Warehouse(root)
    try:
        report = team_report.page_report(wh, Scope.everything(), "")
    finally:
        wh.close()
    assert report["charts"] == [] and team.NO_EMPLOYEES in report["notes"]


def test_months_covered_counts_cut_months_by_days():
    assert team.months_covered(dt.date(2025, 1, 1), dt.date(2025, 12, 31)) == pytest.approx(12)
    assert team.months_covered(dt.date(2025, 2, 15), dt.date(2025, 3, 31)) == pytest.approx(
        14 / 28 + 1)


# ---- the admin's target form -------------------------------------------------------------


def _stored(app) -> dict:
    from dashboard.auth import db

    with app.server.app_context():
        return team_targets.stored(db.current())


def test_target_form_checks_csrf_role_and_values_and_audits(app, client_as, warehouse):
    from dashboard.auth import db

    employee = team.people(warehouse, Scope.everything())["employee_id"].iloc[0]
    admin = client_as("admin")
    answer = admin.post(team_targets.ACTION, data={"employee_id": employee,
                                                   "monthly_target": "5000"})
    assert answer.status_code == 400 and _stored(app).get(employee) is None  # no CSRF token
    token = _form_token(admin)
    for bad in ("lots", "-5", "nan", "1e99"):
        answer = admin.post(team_targets.ACTION, data={"csrf_token": token,
                                                       "employee_id": employee,
                                                       "monthly_target": bad})
        assert answer.status_code == 400 and employee in answer.get_data(as_text=True)
        assert _stored(app).get(employee) is None
    answer = admin.post(team_targets.ACTION, data={"csrf_token": token, "employee_id": "E9999X",
                                                   "monthly_target": "10"})
    assert answer.status_code == 400 and _stored(app).get("E9999X") is None
    answer = admin.post(team_targets.ACTION, data={"csrf_token": token,
                                                   "employee_id": employee,
                                                   "monthly_target": "5,000"})
    assert answer.status_code == 303 and _stored(app)[employee] == 5000.0
    with app.server.app_context():
        with db.current().begin() as conn:
            detail = conn.execute(sa.select(db.audit_log.c.detail).where(
                db.audit_log.c.action == "target_set")).scalars().all()
    assert any(employee in d and "5,000.00" in d for d in detail)
    analyst = client_as("analyst")
    answer = analyst.post(team_targets.ACTION, data={"csrf_token": _form_token(analyst, "/"),
                                                     "employee_id": employee,
                                                     "monthly_target": "1"})
    assert answer.status_code in (302, 303, 403) and _stored(app)[employee] == 5000.0
    answer = admin.post(team_targets.ACTION, data={"csrf_token": token,
                                                   "employee_id": employee,
                                                   "monthly_target": ""})
    assert answer.status_code == 303 and employee not in _stored(app)


def _form_token(client, path: str = "/team") -> str:
    """The CSRF token of the signed-in session, from a page's forms (as the browser gets it)."""
    body = dp.payload(dp.dependency(client, dp.PAGES),
                      {"_pages_location.pathname": path, "_pages_location.search": ""},
                      ["_pages_location.pathname"])
    layout = dp.post(client, body).get_json()
    return next(p["value"] for _t, p in dp.components(layout) if p.get("name") == "csrf_token")


def test_exports_and_print_pages_keep_the_scope(client_as, warehouse):
    north_people = set(team.people(warehouse, Scope(("North",)))["name"])
    others = set(team.people(warehouse, Scope.everything())["name"]) - north_people
    manager = client_as("manager")
    answer = manager.get("/export/team/ranking.csv?region=South")
    assert answer.status_code == 200
    assert not any(name in answer.get_data(as_text=True) for name in others)
    answer = manager.get("/export/team/ranking.csv")
    body = answer.get_data(as_text=True)
    assert answer.status_code == 200 and any(name in body for name in north_people)
    assert not any(name in body for name in others - north_people)
    for page in ("team", "customers"):
        shown = manager.get(f"/print/{page}")
        # no South region (North's own "South Sarahburgh Mall" store may show on Team)
        text = shown.get_data(as_text=True).replace("South Sarahburgh", "")
        assert shown.status_code == 200 and "South" not in text
