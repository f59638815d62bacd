"""The Team page's numbers: sales per employee and month, and the employees a scope may see.

Sales come through `sales_source` (the `r_employee_month` rollup for whole months, the fact
table for edge days and for filters that rollup lacks), so Filter and Scope apply as on every
page. The employee list (name, store, region, monthly target) is the `employees` table joined
with `stores`; its region goes through `scope_condition` like every other query, so a manager
sees only the people of their regions, sold or not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.queries.filters import Filter, Scope, in_list, scope_condition
from dashboard.queries.sources import sales_source

NO_EMPLOYEES = ("This data has no employees (no employee on any sales line), so the Team page "
                "has nothing to show.")
NO_TARGETS = "This data has no employee targets, so attainment is not shown."


@dataclass(frozen=True)
class TeamScan:
    """Sales per employee (and per employee and month) within a filter and scope, and the
    people in scope. Plain dicts: a few thousand rows, cheaper than frames to build."""

    totals: dict  # employee id (None: no employee) -> (region, revenue, units)
    monthly: dict  # (month, employee id) -> revenue
    people: pd.DataFrame  # employee_id, name, store_id, region, monthly_target

    @property
    def unassigned(self) -> float:
        """Revenue of sales with no employee (online orders, say)."""
        return sum(revenue for emp, (_, revenue, _) in self.totals.items() if emp is None)


def has_employees(warehouse) -> bool:
    """Does any sales line name an employee? (Stops at the first row that does.)"""
    table, _ = warehouse.catalog().table("sales", "month", {"employee_id"})
    with warehouse.cursor() as cur:
        return bool(cur.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE employee_id IS NOT NULL "
            "LIMIT 1) AS one").fetchall()[0][0])


def people(warehouse, scope: Scope, regions: tuple[str, ...] = ()) -> pd.DataFrame:
    """Employees whose store is in the scope (and in `regions`, the filter's, when given): id,
    name, store, region, monthly target."""
    condition, params = scope_condition(scope)
    conditions = [condition] if condition else []
    if regions:
        conditions.append(in_list("region", len(regions)))
        params = [*params, *regions]
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    sql = ("SELECT * FROM (SELECT CAST(e.employee_id AS VARCHAR) AS employee_id, "
           "CAST(e.name AS VARCHAR) AS name, CAST(e.store_id AS VARCHAR) AS store_id, "
           "CAST(s.region AS VARCHAR) AS region, "
           "TRY_CAST(e.monthly_target AS DOUBLE) AS monthly_target "
           "FROM employees e LEFT JOIN stores s "
           "ON CAST(s.store_id AS VARCHAR) = CAST(e.store_id AS VARCHAR)) AS p"
           f"{where} ORDER BY employee_id")
    with warehouse.cursor() as cur:
        rows = cur.execute(sql, params).fetchall()
    return pd.DataFrame(rows, columns=["employee_id", "name", "store_id", "region",
                                       "monthly_target"])


def run_team(warehouse, flt: Filter, scope: Scope) -> TeamScan:
    """One statement for the sales (totals and months as grouping sets), one for the people."""
    catalog = warehouse.catalog()
    source, params = sales_source(catalog, flt, scope, ("month", "region", "employee_id"))
    sql = ("SELECT grouping(month) AS whole, month, CAST(employee_id AS VARCHAR), "
           "max(region), sum(revenue), CAST(sum(units) AS DOUBLE) "
           f"FROM ({source}) AS s GROUP BY GROUPING SETS ((employee_id), (month, employee_id))")
    with warehouse.cursor() as cur:
        rows = cur.execute(sql, params).fetchall()
    totals, monthly = {}, {}
    for whole, month, emp, region, revenue, units in rows:
        if whole:
            totals[emp] = (region, float(revenue or 0), float(units or 0))
        else:
            monthly[(month, emp)] = float(revenue or 0)
    return TeamScan(totals, monthly, people(warehouse, scope, flt.regions))


def months_covered(start, end) -> float:
    """Months in [start, end], a month cut by the range counted pro rata by its days."""
    days = pd.date_range(start, end, freq="D")
    return float((1.0 / days.days_in_month.to_numpy()).sum())


def ranking(scan: TeamScan, flt: Filter, targets: dict[str, float] | None = None
            ) -> pd.DataFrame:
    """One row per employee in scope, best first: revenue, competition rank (equal revenue
    shares a rank: 1, 2, 2, 4), target for the period and attainment.

    The period's target is the monthly target (an admin's override wins over the data's)
    times the months the range covers; employees with no target have no attainment.
    """
    targets = targets or {}
    rows = {emp: [emp, name, store, region, target]
            for emp, name, store, region, target in scan.people.itertuples(index=False)}
    # Sales by an employee who is not in the employees table (an import): named by id, their
    # region read from the sales themselves.
    for emp, (region, _, _) in scan.totals.items():
        if emp is not None and emp not in rows:
            rows[emp] = [emp, emp, None, region, None]
    ids = list(rows)
    revenue = np.array([scan.totals.get(e, (None, 0.0, 0.0))[1] for e in ids], dtype=float)
    units = np.array([scan.totals.get(e, (None, 0.0, 0.0))[2] for e in ids], dtype=float)
    monthly = np.array([targets.get(e, rows[e][4]) for e in ids], dtype=float)
    target = monthly * months_covered(flt.start, flt.end)
    with np.errstate(divide="ignore", invalid="ignore"):
        attainment = np.where(target > 0, revenue / target, np.nan)
    ordered = -revenue
    rank = np.searchsorted(np.sort(ordered), ordered, side="left") + 1
    names = [str(rows[e][1]) for e in ids]
    frame = pd.DataFrame({
        "employee_id": ids, "name": names,
        "store_id": [rows[e][2] for e in ids], "region": [rows[e][3] for e in ids],
        "monthly_target": monthly, "revenue": revenue, "units": units, "target": target,
        "attainment": attainment, "rank": rank.astype(int)})
    order = sorted(range(len(ids)), key=lambda i: (rank[i], names[i]))
    return frame.iloc[order].reset_index(drop=True)


def monthly_trend(scan: TeamScan, top: list[str]) -> tuple[list, dict[str, list[float]],
                                                             list[float]]:
    """(months, employee id -> revenue per month for `top`, the whole team per month)."""
    months = sorted({month for month, _ in scan.monthly})
    wanted = set(top)
    lines = {emp: [0.0] * len(months) for emp in top}
    team = [0.0] * len(months)
    where = {month: i for i, month in enumerate(months)}
    for (month, emp), revenue in scan.monthly.items():
        if emp is None:
            continue
        team[where[month]] += revenue
        if emp in wanted:
            lines[emp][where[month]] += revenue
    return months, lines, team


def by_place(scan: TeamScan, level: str = "region") -> pd.DataFrame:
    """Per region (or, with level "store", per employee's store): revenue sold by employees,
    its share, headcount and revenue per employee, the biggest first. An employee's sales
    count at their own store (a team is its store's people); `place` holds the region name or
    store id."""
    stores = dict(zip(scan.people["employee_id"], scan.people["store_id"], strict=True))
    sold: dict = {}
    for emp, (region, revenue, _) in scan.totals.items():
        if emp is not None:
            place = region if level == "region" else stores.get(emp) or "Unknown"
            sold[place] = sold.get(place, 0.0) + revenue
    column = "region" if level == "region" else "store_id"
    heads = scan.people.groupby(column)["employee_id"].nunique().to_dict() \
        if len(scan.people) else {}
    places = sorted(set(sold) | set(heads), key=lambda r: (-sold.get(r, 0.0), str(r)))
    revenue = np.array([sold.get(r, 0.0) for r in places])
    count = np.array([heads.get(r, 0) for r in places], dtype=float)
    total = revenue.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        return pd.DataFrame({"place": places, "revenue": revenue, "headcount": count,
                             "share": revenue / total if total else np.zeros(len(places)),
                             "per_employee": np.where(count > 0, revenue / count, np.nan)})
