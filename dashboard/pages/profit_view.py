"""The profit and loss page's numbers and figures for one view, pure of Flask and Dash.

The page (profit.py) and its page-data twin (profit_report.py) both call `compute`, so a chart
is built by one code path whoever asks. The view is the Overview's (overview_view.View: the
warehouse, the viewer's scope, its domain, a cache) and the state the Overview's filters and
drill paths plus the delivery promise in days; URLs carry both the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from dashboard.components import view_state
from dashboard.components.view_state import ViewState
from dashboard.figures import profit_charts as pc
from dashboard.figures import theme
from dashboard.figures.formats import text
from dashboard.figures.us_states import all_us_states
from dashboard.pages import overview_view
from dashboard.pages.overview_view import View
from dashboard.queries import drill
from dashboard.queries import profit as q

GRAPHS = ("pl-prod", "pl-geo", "pl-map", "pl-loss-toys", "pl-loss-types", "pl-loss-states",
          "pl-loss-stores", "pl-discount", "pl-channel", "pl-ship", "pl-late", "pl-weekday")
NEEDS_COST = ("pl-loss-toys", "pl-loss-types", "pl-loss-states", "pl-loss-stores",
              "pl-discount")
NEEDS_SHIP_DATES = ("pl-ship", "pl-late")
DEFAULT_PROMISE = 4  # days from order to ship the retailer promises (set on the page)
MAX_PROMISE = 60
LOSERS_SHOWN = 10
# Discount bands: (upper bound, label); a line's discount falls in the first band it fits.
BANDS = ((0.0, "No discount"), (0.10, "Up to 10%"), (0.20, "11–20%"), (0.30, "21–30%"),
         (0.40, "31–40%"), (0.50, "41–50%"), (float("inf"), "Over 50%"))
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # ISO 1..7
NO_COST_NOTE = ("This data has no cost or profit, so the page shows sales only: profit, "
                "margin and the loss analysis are hidden.")
NO_SHIP_NOTE = ("This data has no ship dates, so days to ship and late shipments are hidden "
                "(orders by weekday are still shown).")
NO_STORES_NOTE = "This data has no stores, so loss-making stores are hidden."
NO_CHANNEL_NOTE = "This data has no sales channel, so website vs store is hidden."
HIGHLIGHT_NOTE = ("The highlight marks the sales, loss and margin charts; the map and the "
                  "orders and shipping charts show every line.")
NOT_US_NOTE = ("The states in this data are not all US states, so there is no map: the "
               "ranked bars by place show them.")


@dataclass(frozen=True)
class ProfitState(ViewState):
    promise: int = DEFAULT_PROMISE


def as_promise(value) -> int:
    """Days promised from order to ship: a whole number 0..MAX_PROMISE, else the default."""
    try:
        days = int(str(value).strip()) if value is not None and str(value).strip() else None
    except ValueError:
        return DEFAULT_PROMISE
    return DEFAULT_PROMISE if days is None or not 0 <= days <= MAX_PROMISE else days


def with_promise(state: ViewState, promise: int) -> ProfitState:
    base = {f.name: getattr(state, f.name) for f in fields(ViewState)}
    return ProfitState(**base, promise=promise)


def state_from_query(view: View, query: dict) -> tuple[ProfitState, bool]:
    """The checked state of a URL (as the Overview checks it) and whether a drill step was
    dropped; `promise` is read here."""
    state, dropped = overview_view.state_from_query(view, query)
    return with_promise(state, as_promise(query.get("promise"))), dropped


def to_query(state: ProfitState, view: View) -> str:
    """The query string that reproduces this view (defaults left out)."""
    query = view_state.to_query(state, view.domain)
    if state.promise != DEFAULT_PROMISE:
        query += ("&" if query else "?") + f"promise={state.promise}"
    return query


def hidden_graphs(view: View, out: dict) -> set[str]:
    """Charts this data cannot support (kept in the layout, not shown)."""
    hidden = set(out.get("hide", ()))
    hidden |= set() if out["has_cost"] else set(NEEDS_COST)
    if not out["has_ship_dates"]:
        hidden |= set(NEEDS_SHIP_DATES)
    if not out["is_us"]:
        hidden.add("pl-map")
    return hidden


def compute(view: View, state: ProfitState) -> dict:
    """Every figure, tile and note of one state, within the view's scope (cached per scope)."""
    return view.cached("profit", view.scope, (state,), lambda: _compute(view, state))


def _ranked(frame: pd.DataFrame, value: str, column: str) -> pd.DataFrame:
    """Largest `value` first, ties by member name (the page's order, stated for tests)."""
    return frame.sort_values([value, column], ascending=[False, True],
                             kind="stable").reset_index(drop=True)


def losers(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Members that lose money, the biggest loss first (at most LOSERS_SHOWN)."""
    losing = frame[frame["profit"] < 0].assign(loss=lambda f: -f["profit"])
    return _ranked(losing, "loss", column).head(LOSERS_SHOWN)


def discount_bands(frame: pd.DataFrame) -> pd.DataFrame:
    """Revenue, cost and profit per discount band, bands in order (only those with lines)."""
    discount = frame["discount"].astype(float).fillna(0.0)
    band = np.full(len(frame), len(BANDS) - 1)
    for i, (upper, _) in reversed(list(enumerate(BANDS))):
        band = np.where(discount <= upper + 1e-9, i, band)
    sums = [c for c in ("revenue", "cost", "profit", "lines", "hl_revenue", "hl_cost",
                        "hl_profit") if c in frame]
    grouped = frame.assign(band=band).groupby("band")[sums]
    out = grouped.sum().reset_index().sort_values("band")
    out["band"] = [BANDS[i][1] for i in out["band"]]
    return out.reset_index(drop=True)


def shipping(frame: pd.DataFrame, promise: int) -> dict[str, pd.DataFrame]:
    """From orders per (region, channel, mode, days, weekday): average days to ship by mode x
    region, late orders by mode against the promise, and orders by weekday.

    Shipped orders are those with a ship date and a mode other than IN_STORE."""
    shipped = frame[frame["ship_days"].notna() & (frame["ship_mode"] != q.IN_STORE)]
    shipped = shipped.assign(day_orders=shipped["ship_days"].astype(float) * shipped["orders"])
    by_cell = shipped.groupby(["ship_mode", "region"])[["day_orders", "orders"]].sum()
    days = (by_cell["day_orders"] / by_cell["orders"]).unstack("region")
    counts = by_cell["orders"].unstack("region")
    by_mode = shipped.groupby("ship_mode")[["day_orders", "orders"]].sum()
    fastest = (by_mode["day_orders"] / by_mode["orders"]).sort_values(kind="stable").index
    days, counts = days.reindex(fastest), counts.reindex(fastest)  # fastest mode first
    late = shipped.assign(late=np.where(shipped["ship_days"] > promise, shipped["orders"], 0))
    late = late.groupby("ship_mode")[["late", "orders", "day_orders"]].sum().reset_index()
    late["share"] = late["late"] / late["orders"]
    late = late.sort_values(["share", "ship_mode"], ascending=[False, True]).reset_index(drop=True)
    week = frame.groupby("weekday")["orders"].sum().reindex(range(1, 8), fill_value=0)
    week = pd.DataFrame({"weekday": list(WEEKDAYS), "orders": week.to_numpy()})
    return {"days": days, "counts": counts, "late": late, "week": week,
            "shipped": int(shipped["orders"].sum()), "late_total": int(late["late"].sum())}


def _compute(view: View, state: ProfitState) -> dict:
    wh, flt, scope = view.warehouse, state.filter, view.scope
    has_cost = "cost" not in view.domain.unavailable
    look = overview_view.chart_look(view, state)
    value = "profit" if has_cost else "revenue"
    out: dict = {"has_cost": has_cost, "notes": [] if has_cost else [NO_COST_NOTE],
                 "numbers": look.numbers, "hide": []}

    prod_col = drill.level_of("prod", state.prod)
    geo_col = drill.level_of("geo", state.geo)
    requests = {
        "prod": (drill.LEVELS["prod"][: len(state.prod) + 1],
                 tuple(zip(drill.LEVELS["prod"], state.prod, strict=False))),
        "geo": (drill.LEVELS["geo"][: len(state.geo) + 1],
                tuple(zip(drill.LEVELS["geo"], state.geo, strict=False))),
        "states": (("state",), ()),
        "channels": (("channel",), ()),
    }
    if has_cost:
        requests |= {"toys": (("category", "product_name"), ()),
                     "types": (("category", "subcategory"), ()),
                     "stores": (("store_id",), ()), "discounts": (("discount",), ())}
    hl = state.highlight
    frames = q.sales_many(wh, flt, scope, requests, hl)
    prod = frames["prod"]
    if prod.empty or not prod["lines"].sum():
        blank = theme.empty()
        return {**out, "empty": True, "tiles": [], "has_ship_dates": True, "is_us": True,
                **{key: blank for key in GRAPHS}}
    out["empty"] = False
    out["tiles"] = _tiles(prod, has_cost)
    if hl is not None:
        out["highlight_note"] = highlight_sentence(hl, prod, has_cost, look.numbers)
        out["notes"].append(HIGHLIGHT_NOTE)
    prod = _ranked(prod, value, prod_col)
    out["pl-prod"] = pc.ranked_bars(prod, prod_col, value, look, has_cost,
                                    colored_by="category", highlight=hl)

    geo = _ranked(frames["geo"], value, geo_col)
    names = view.cached("store-names", scope, (), lambda: q.store_names(wh, scope))
    out["pl-geo"] = pc.ranked_bars(geo, geo_col, value, look, has_cost,
                                   labels=_store_labels(geo, geo_col, names), highlight=hl)

    states = frames["states"]
    out["is_us"] = all_us_states(states["state"])
    out["pl-map"] = pc.state_map(states, look, has_cost) if out["is_us"] else theme.empty()
    if not out["is_us"]:
        out["notes"].append(NOT_US_NOTE)

    if has_cost:
        toys, types, stores = frames["toys"], frames["types"], frames["stores"]
        discounts = frames["discounts"]
        for key, frame, column, what in (
                ("pl-loss-toys", toys, "product_name", "toy"),
                ("pl-loss-types", types, "subcategory", "toy type"),
                ("pl-loss-states", states, "state", "state"),
                ("pl-loss-stores", stores, "store_id", "store")):
            losing = losers(frame, column)
            labels = _store_labels(losing, column, names) if column == "store_id" else None
            out[key] = pc.ranked_bars(losing, column, "loss", look, True, labels=labels,
                                      message=f"No {what} loses money under these filters",
                                      highlight=hl)
        if set(stores["store_id"]) <= {"Unknown"}:  # a flat export: lines without stores
            out["hide"].append("pl-loss-stores")
            out["notes"].append(NO_STORES_NOTE)
        out["pl-discount"] = pc.margin_bars(discount_bands(discounts), "band", look,
                                            highlight=hl)
    else:
        for key in NEEDS_COST:
            out[key] = theme.empty("No cost or profit in this data")
    channels = _ranked(frames["channels"], "revenue", "channel")
    if "channel" in view.domain.unavailable:
        out["hide"].append("pl-channel")
        out["notes"].append(NO_CHANNEL_NOTE)
    out["pl-channel"] = (pc.margin_bars(channels, "channel", look, highlight=hl) if has_cost
                         else pc.ranked_bars(channels, "channel", "revenue", look, False,
                                             highlight=hl))
    out.update(_shipping_figures(q.orders_by_shipping(wh, flt, scope), state.promise))
    if not out["has_ship_dates"]:
        out["notes"].append(NO_SHIP_NOTE)
    return out


def highlight_sentence(hl, prod: pd.DataFrame, has_cost: bool, numbers) -> str:
    """What the highlighted member sold in this view (its part of the view's whole)."""
    revenue, whole = float(prod["hl_revenue"].sum()), float(prod["revenue"].sum())
    share = f" ({revenue / whole:.1%} of the view)" if whole else ""
    words = f"Highlighting {hl.value}: revenue {numbers.value(revenue, 'currency')}{share}"
    if has_cost:
        profit = float(prod["hl_profit"].sum())
        words += (f", gross profit {numbers.value(profit, 'currency')}, margin "
                  f"{numbers.value(pc.margin(revenue, profit), 'pct')}")
    return words + ". Click it again or “Clear highlight” to undo."


def _store_labels(frame: pd.DataFrame, column: str, names: dict[str, str]) -> list[str] | None:
    if column != "store_id":
        return None
    return [names.get(str(m), f"Store {m}") for m in frame[column]]


def _tiles(frame: pd.DataFrame, has_cost: bool) -> list[dict]:
    revenue, profit = float(frame["revenue"].sum()), float(frame["profit"].sum())
    tiles = [{"id": "revenue", "label": "Revenue", "value": revenue, "kind": "currency"}]
    if has_cost:
        tiles += [{"id": "profit", "label": "Gross profit", "value": profit, "kind": "currency"},
                  {"id": "margin_pct", "label": "Gross margin", "value": pc.margin(revenue,
                                                                                   profit),
                   "kind": "pct"}]
    return tiles


def _shipping_figures(frame: pd.DataFrame, promise: int) -> dict:
    has_dates = bool(frame["ship_days"].notna().any())
    ship = shipping(frame, promise)
    week_tips = [f"<b>{day}</b><br>Orders: {n:,.0f}"
                 for day, n in zip(ship["week"]["weekday"], ship["week"]["orders"], strict=True)]
    late = ship["late"]
    late_tips = [f"<b>{text(m)}</b><br>Late: {s:.1%}<br>Late orders: {n:,.0f}"
                 f"<br>Shipped orders: {o:,.0f}<br>Average days to ship: {d / o:.1f}"
                 for m, s, n, o, d in zip(late["ship_mode"], late["share"], late["late"],
                                          late["orders"], late["day_orders"], strict=True)]
    return {
        "has_ship_dates": has_dates,
        "late_share": ship["late_total"] / ship["shipped"] if ship["shipped"] else None,
        "shipped": ship["shipped"],
        "pl-ship": pc.ship_heatmap(ship["days"], ship["counts"]),
        "pl-late": pc.count_bars(late, "ship_mode", "share",
                                 f"Shipped later than {promise} days", late_tips, percent=True,
                                 message="No shipped orders match these filters"),
        "pl-weekday": pc.count_bars(ship["week"], "weekday", "orders", "Orders", week_tips),
    }
