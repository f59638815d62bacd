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

from dashboard.queries.filters import Filter, Scope, scope_condition
from dashboard.queries.sources import sales_source

NO_EMPLOYEES = ("This data has no employees (no employee on any sales line), so the Team page "
                "has nothing to show.")
NO_TARGETS = "This data has no employee targets, so attainment is not shown."


@dataclass(frozen=True)
class TeamScan:
    """Sales per employee and month within a filter and scope, and the people in scope."""

    sales: pd.DataFrame  # month, region, employee_id, revenue, units (employee_id may be None)
    people: pd.DataFrame  # employee_id, name, store_id, region, monthly_target

    @property
    def unassigned(self) -> tuple[float, float]:
        """(revenue, lines' units) of sales with no employee (online orders, say)."""
        none = self.sales[self.sales["employee_id"].isna()]
        return float(none["revenue"].sum()), float(none["units"].sum())


def has_employees(warehouse) -> bool:
    """Does any sales line name an employee? (The rollup is small: one read per call.)"""
    catalog = warehouse.catalog()
    table, _ = catalog.table("sales", "month", {"employee_id"})
    with warehouse.cursor() as cur:
        return bool(cur.execute(
            f"SELECT count(employee_id) > 0 FROM {table}").fetchall()[0][0])


def people(warehouse, scope: Scope) -> pd.DataFrame:
    """Employees whose store is in the scope: id, name, store, region, monthly target."""
    condition, params = scope_condition(scope)
    where = f" WHERE {condition}" if condition else ""
    sql = ("SELECT * FROM (SELECT CAST(e.employee_id AS VARCHAR) AS employee_id, "
           "CAST(e.name AS VARCHAR) AS name, CAST(e.store_id AS VARCHAR) AS store_id, "
           "CAST(s.region AS VARCHAR) AS region, "
           "TRY_CAST(e.monthly_target AS DOUBLE) AS monthly_target "
           "FROM employees e LEFT JOIN stores s "
           "ON CAST(s.store_id AS VARCHAR) = CAST(e.store_id AS VARCHAR)) AS p"
           f"{where} ORDER BY employee_id")
    with warehouse.cursor() as cur:
        return cur.execute(sql, params).df()


def run_team(warehouse, flt: Filter, scope: Scope) -> TeamScan:
    """One statement for the sales, one for the people."""
    catalog = warehouse.catalog()
    source, params = sales_source(catalog, flt, scope, ("month", "region", "employee_id"))
    sql = ("SELECT month, region, CAST(employee_id AS VARCHAR) AS employee_id, "
           "sum(revenue) AS revenue, sum(units)::DOUBLE AS units "
           f"FROM ({source}) AS s GROUP BY ALL ORDER BY month, employee_id")
    with warehouse.cursor() as cur:
        sales = cur.execute(sql, params).df()
    sales["month"] = pd.to_datetime(sales["month"]).dt.date
    return TeamScan(sales, people(warehouse, scope))


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
    staff = scan.people.copy()
    sold = scan.sales.dropna(subset=["employee_id"]).groupby("employee_id", as_index=False)[
        ["revenue", "units"]].sum()
    frame = staff.merge(sold, on="employee_id", how="outer")
    # Sales by an employee who is not in the employees table (an import): named by id, and
    # their region read from the sales themselves.
    unknown = frame["name"].isna()
    if unknown.any():
        where = scan.sales.dropna(subset=["employee_id"]).groupby("employee_id")["region"].first()
        frame.loc[unknown, "name"] = frame.loc[unknown, "employee_id"]
        frame.loc[unknown, "region"] = frame.loc[unknown, "employee_id"].map(where)
    frame["revenue"] = frame["revenue"].fillna(0.0)
    frame["units"] = frame["units"].fillna(0.0)
    monthly = frame["monthly_target"].astype(float)
    if targets:
        override = frame["employee_id"].map(targets)
        monthly = override.where(override.notna(), monthly).astype(float)
    frame["monthly_target"] = monthly
    frame["target"] = monthly * months_covered(flt.start, flt.end)
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["attainment"] = np.where(frame["target"] > 0,
                                       frame["revenue"] / frame["target"], np.nan)
    frame["rank"] = frame["revenue"].rank(method="min", ascending=False).astype(int)
    return frame.sort_values(["rank", "name"], kind="stable").reset_index(drop=True)


def monthly_trend(scan: TeamScan, top: list[str]) -> pd.DataFrame:
    """month × series revenue: the top employees by id, the rest of the team as "Rest of team"."""
    sales = scan.sales.dropna(subset=["employee_id"])
    series = sales["employee_id"].where(sales["employee_id"].isin(top), "Rest of team")
    return (sales.assign(series=series).groupby(["month", "series"], as_index=False)["revenue"]
            .sum())


def by_region(scan: TeamScan, ranked: pd.DataFrame) -> pd.DataFrame:
    """Per region: revenue sold by employees, its share, headcount and revenue per employee."""
    sold = scan.sales.dropna(subset=["employee_id"]).groupby("region")["revenue"].sum()
    heads = scan.people.groupby("region")["employee_id"].nunique()
    frame = pd.DataFrame({"revenue": sold, "headcount": heads}).fillna(0.0)
    frame.index.name = "region"
    frame = frame.reset_index()
    total = frame["revenue"].sum()
    frame["share"] = frame["revenue"] / total if total else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["per_employee"] = np.where(frame["headcount"] > 0,
                                         frame["revenue"] / frame["headcount"], np.nan)
    return frame.sort_values("revenue", ascending=False, kind="stable").reset_index(drop=True)
