"""Every Overview chart as a pure function: (DataFrame, options) -> plotly figure dict.

Each clickable mark carries customdata [column, value], which the page turns into a highlight.
The highlight is drawn one way everywhere: on the chart's own dimension the other marks dim
(selectedpoints); on another dimension the whole chart dims and the highlighted member's part
is overlaid in theme.HIGHLIGHT. Every text that comes from data or a URL passes formats.text
(Plotly renders HTML in labels); tooltips are written here in Python by one number rule.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashboard.figures import theme
from dashboard.figures.colors import OTHER, Colors, text_on, with_alpha
from dashboard.figures.formats import Numbers, text
from dashboard.queries.dimensions import natural, sort_key
from dashboard.queries.registry import METRICS
from dashboard.queries.sources import Highlight

AGE_ORDER = ["0-2", "3-5", "6-8", "9-12", "13+", "Unknown"]
UNSELECTED = {"marker": {"opacity": theme.DIM_OPACITY}}
HOVER = "%{hovertext}<extra></extra>"
OTHER_NAME = "Other"


@dataclass(frozen=True)
class Look:
    """What every chart needs besides its data: number rule, colours, partial months."""

    numbers: Numbers = field(default_factory=Numbers)
    colors: Colors = field(default_factory=lambda: Colors.from_members(
        {"age_group": AGE_ORDER}, {"age_group": AGE_ORDER}))
    partial_months: dict = field(default_factory=dict)  # month start (date) -> "1–15 Dec"


DEFAULT = Look()


def _own(highlight: Highlight | None, column: str) -> bool:
    return highlight is not None and highlight.column == column


def _foreign(highlight: Highlight | None, column: str) -> bool:
    return highlight is not None and highlight.column != column


def _label(highlight: Highlight) -> str:
    return text(f"{highlight.value} (selected)")


def _month_axis(months: list) -> dict:
    """One category per month (never two ticks for one month); short two-line labels, the
    year under each January and the first month, every k-th month named when there are many."""
    keys = [_month_key(m).isoformat() for m in months]
    step = max(1, -(-len(months) // 12))
    shown = [i for i in range(len(months)) if i % step == 0]
    text_for = [months[i].strftime("%b<br>%Y" if i == 0 or months[i].month <= step else "%b")
                for i in shown]
    return {"type": "category", "categoryorder": "array", "categoryarray": keys,
            "range": [-0.5, len(months) - 0.5], "showgrid": False, "tickmode": "array",
            "tickvals": [keys[i] for i in shown], "ticktext": text_for, "tickangle": 0,
            "tickfont": {"size": 11}}


def _month_key(day) -> dt.date:
    if isinstance(day, dt.datetime):
        return day.date().replace(day=1)
    if isinstance(day, dt.date):
        return day.replace(day=1)
    return pd.Timestamp(day).date().replace(day=1)


def tooltip(look: Look, name: str, measure: str, value: float, total: float | None = None,
            previous: float | None = None, extra: str = "", share_of: str = "total") -> str:
    """Name, value in the dataset's currency, share of total and change vs the comparison."""
    numbers = look.numbers
    lines = [f"<b>{text(name)}</b>{extra}",
             f"{METRICS[measure].label}: {numbers.metric(measure, value, exact=True)}"]
    if total:
        lines.append(f"Share of {share_of}: {value / total:.1%}")
    if previous is not None:
        words, _ = numbers.change(value / previous - 1 if previous else None)
        lines.append(f"vs prev.: {words}")
    return "<br>".join(lines)


def _overlay_tip(look: Look, highlight: Highlight, member: str, measure: str, value: float,
                 whole: float) -> str:
    share = f"<br>{value / whole:.1%} of {text(member)}" if whole else ""
    return (f"<b>{text(highlight.value)}</b> in {text(member)}<br>{METRICS[measure].label}: "
            f"{look.numbers.metric(measure, value, exact=True)}{share}")


def _member_colors(look: Look, df: pd.DataFrame, column: str, members: list[str],
                   order: np.ndarray) -> list[str] | str:
    """Colour per member of a coloured dimension; toy types take their category's colour."""
    if column in ("category", "region", "age_group", "gender", "channel"):
        return look.colors.many(column, members)
    if column == "subcategory" and "category" in df:
        return look.colors.many("category", df["category"].astype(str).to_numpy()[order])
    return theme.ACCENT


def bar_chart(
    df: pd.DataFrame, column: str, measure: str = "revenue",
    highlight: Highlight | None = None, height: int = 340, look: Look = DEFAULT,
    total: float | None = None, note: str | None = None,
) -> dict:
    """Horizontal bars of `measure` per `column` member, largest on top.

    `total` is the whole chart's total when df holds only its top rows (shares stay true);
    an optional `prev_<measure>` column gives each member's change vs the previous period.
    """
    if df.empty:
        return theme.empty(height=height)
    order = np.argsort(df[measure].to_numpy(), kind="stable")  # largest drawn last, on top
    members = [str(m) for m in df[column].to_numpy()[order]]
    values = df[measure].to_numpy(dtype=float)[order]
    total = float(df[measure].sum()) if total is None else total
    prev = (df[f"prev_{measure}"].to_numpy(dtype=float)[order]
            if f"prev_{measure}" in df else [None] * len(members))
    custom = [[column, m] for m in members]
    labels = [text(m) for m in members]
    base = {
        "type": "bar", "orientation": "h", "x": values.tolist(), "y": labels,
        "customdata": custom, "name": "All",
        "marker": {"color": _member_colors(look, df, column, members, order)},
        "opacity": theme.DIM_OPACITY if _foreign(highlight, column) else 1.0,
        "unselected": UNSELECTED, "hovertemplate": HOVER,
        "hovertext": [tooltip(look, m, measure, v, total, p)
                      for m, v, p in zip(members, values.tolist(), prev, strict=True)],
    }
    if _own(highlight, column):
        base["selectedpoints"] = [i for i, m in enumerate(members) if m == highlight.value]
    data = [base]
    if _foreign(highlight, column):
        lit = df[f"hl_{measure}"].to_numpy(dtype=float)[order]
        data.append({
            "type": "bar", "orientation": "h", "x": lit.tolist(), "y": labels,
            "customdata": custom, "name": _label(highlight),
            "marker": {"color": theme.HIGHLIGHT}, "hovertemplate": HOVER,
            "hovertext": [_overlay_tip(look, highlight, m, measure, v, w) for m, v, w
                          in zip(members, lit.tolist(), values.tolist(), strict=True)],
        })
    notes = [_note(note)] if note else []
    return theme.figure(data, height=height, legend=_foreign(highlight, column),
                        barmode="overlay", clickmode="event", annotations=notes,
                        xaxis=look.numbers.axis(measure), yaxis=_few_bars(len(members)))


MIN_BAR_SLOTS = 6


def _few_bars(n: int) -> dict:
    """A category axis where a few bars keep a normal thickness at the top, not fill the card."""
    axis = {"type": "category", "automargin": True}
    if n < MIN_BAR_SLOTS:
        return {**axis, "range": [n - MIN_BAR_SLOTS - 0.5, n - 0.5], "autorange": False}
    # Said, not left out: after a figure with a fixed range (4 states), Plotly kept that range
    # for the next one (10 stores) and showed only 5 of its bars.
    return {**axis, "autorange": True}


def _note(message: str) -> dict:
    """A sentence under a chart (e.g. why a highlighted member is or is not shown)."""
    return {"text": text(message), "showarrow": False, "xref": "paper", "yref": "paper",
            "x": 0, "y": 0, "xanchor": "left", "yanchor": "top", "yshift": -36,
            "font": {"size": 11, "color": theme.MUTED}}


# ---- Monthly trend ---------------------------------------------------------------------------


def _matrix(df: pd.DataFrame, measure: str) -> tuple[list[str], list, np.ndarray, np.ndarray]:
    """Series names, months, and series x month matrices of the measure and its highlight part
    (plain numpy: pandas costs ~0.3 ms an operation, and a filter change redraws every chart)."""
    names, n_idx = np.unique(df["series"].to_numpy().astype(str), return_inverse=True)
    months, m_idx = np.unique(df["month"].to_numpy(), return_inverse=True)
    values = np.zeros((len(names), len(months)))
    lit = np.zeros_like(values)
    np.add.at(values, (n_idx, m_idx), df[measure].to_numpy(dtype=float))
    np.add.at(lit, (n_idx, m_idx), df[f"hl_{measure}"].to_numpy(dtype=float))
    return names.tolist(), [_month_key(m) for m in months], values, lit


def trend_chart(
    df: pd.DataFrame, by: str, measure: str = "revenue", highlight: Highlight | None = None,
    festivals: pd.DataFrame | None = None, height: int = 360, look: Look = DEFAULT,
    keep: int = 6,
) -> dict:
    """Monthly Sales Trend: the top `keep` categories or regions plus Other, festivals banded.

    A member with no sales in a month is drawn at 0 there. Partial months (a range that starts
    or ends mid-month) get open markers and are not compared with the month before them.
    """
    if df.empty:
        return theme.empty(height=height)
    column = "category" if by == "category" else "region"
    names, months, values, lit_values = _matrix(df, measure)
    order = np.argsort(-values.sum(axis=1), kind="stable")
    shown = order.tolist() if len(names) <= keep + 1 else order[:keep].tolist()
    if _own(highlight, column) and highlight.value in names:
        lit_index = names.index(highlight.value)
        if lit_index not in shown:
            shown.append(lit_index)
    rest = np.ones(len(names), dtype=bool)
    rest[shown] = False
    month_total = values.sum(axis=0)
    keys = [m.isoformat() for m in months]
    series = [(names[i], values[i]) for i in shown]
    n_other = int(rest.sum())
    if n_other:
        other = values[rest].sum(axis=0)
        # Other can dwarf the lines it sits with; then it starts hidden, a legend click away.
        hidden = other.max() > 1.5 * values[shown].max()
        series.append((OTHER_NAME, other))
    symbols = ["circle-open" if m in look.partial_months else "circle" for m in months]
    data = []
    for name, row in series:
        other = name == OTHER_NAME
        lit = not highlight or (_own(highlight, column) and highlight.value == name)
        label = f"Other ({n_other} {'regions' if column == 'region' else 'categories'})"
        data.append({
            "type": "scatter", "mode": "lines+markers", "name": text(label if other else name),
            **({"visible": "legendonly"} if other and hidden else {}),
            "x": keys, "y": row.tolist(),
            "line": {"color": OTHER if other else look.colors.of(column, name),
                     "width": 3 if lit and highlight else 2, **({"dash": "dot"} if other else {})},
            "marker": {"size": 6, "symbol": symbols},
            "opacity": 1.0 if lit else theme.DIM_OPACITY,
            "customdata": [["", ""] if other else [column, name]] * len(months),
            "hovertemplate": HOVER,
            "hovertext": _trend_tips(look, label if other else name, measure, months,
                                     row.tolist(), month_total),
        })
    if _foreign(highlight, column):
        lit_row = lit_values.sum(axis=0).tolist()
        data.append({
            "type": "scatter", "mode": "lines+markers", "name": _label(highlight),
            "x": keys, "y": lit_row,
            "line": {"color": theme.HIGHLIGHT, "width": 3}, "marker": {"size": 6},
            "hovertemplate": HOVER,
            "hovertext": _trend_tips(look, highlight.value, measure, months, lit_row,
                                     month_total),
        })
    shapes, notes, rows = _festival_marks(festivals, months)
    partial = [f"{m:%b %Y} ({days})"
               for m, days in sorted(look.partial_months.items())]
    if partial:  # one more row above the plot, right-aligned
        notes.append({"text": text("○ partial: " + ", ".join(partial)),
                      "showarrow": False, "xref": "paper", "yref": "paper", "x": 1, "y": 1,
                      "xanchor": "right", "yanchor": "bottom", "yshift": 2 + LABEL_ROW_PX * rows,
                      "font": {"size": 10, "color": theme.MUTED}})
        rows += 1
    figure = theme.figure(
        data, height=height, shapes=shapes, annotations=notes,
        margin={"l": 8, "r": 8, "b": 8, "t": 8 + LABEL_ROW_PX * rows},
        xaxis=_month_axis(months),
        yaxis=look.numbers.axis(measure),
    )
    # Below the plot: above it sit the festival labels.
    figure["layout"]["legend"] = {"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0}
    return figure


def _trend_tips(look: Look, name: str, measure: str, months: list[dt.date],
                values: list[float], month_total: np.ndarray) -> list[str]:
    """Value, share of the month, change vs the month before (not for partial months)."""
    tips, before = [], None
    numbers = look.numbers
    for month, value, whole in zip(months, values, month_total.tolist(), strict=True):
        days = look.partial_months.get(month)
        head = f"<b>{text(name)}</b> · {month:%b %Y}"
        lines = [head + (f" (partial: {days})" if days else ""),
                 f"{METRICS[measure].label}: {numbers.metric(measure, value, exact=True)}"]
        if whole:
            lines.append(f"Share of month: {value / whole:.1%}")
        if days:
            lines.append("vs prev. month: not compared (partial month)")
        elif before is not None:
            words, _ = numbers.change(value / before[1] - 1 if before[1] else None)
            lines.append(f"vs prev. month: {words}" if not before[0] else
                         "vs prev. month: not compared (partial month)")
        tips.append("<br>".join(lines))
        before = (days, value)
    return tips


# The narrowest plot a trend gets (a 390 px phone): festival labels are packed for it.
NARROW_PLOT_PX = 320
LABEL_CHAR_PX = 6.0
LABEL_ROW_PX = 15


def _runs_on_axis(index: dict[dt.date, int], first: dt.date,
                  last: dt.date) -> list[tuple[int, int]]:
    """The axis positions of the months from `first` to `last` that the axis shows, as runs of
    neighbours. Under a season filter the axis skips months (Winter: Jan, Feb, Dec), and a
    festival from late November to early December belongs over December alone, not over
    every month from the first to the last."""
    months = pd.period_range(first, last, freq="M")
    shown = sorted(index[m] for m in (p.to_timestamp().date() for p in months) if m in index)
    runs: list[tuple[int, int]] = []
    for position in shown:
        if runs and position == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], position)
        else:
            runs.append((position, position))
    return runs


def _festival_marks(festivals: pd.DataFrame | None,
                    months: list) -> tuple[list[dict], list[dict], int]:
    """Bands behind the data over the months a festival falls in, labelled above the plot.

    The x axis has one category per month, so a band spans month positions. Festivals on the
    same months share one band and one label; labels go into rows above the plot so that none
    overlaps another even on a phone-width plot. Over more than a year each label is written
    once, over its first band (three years of festivals stacked nine rows of labels above a
    squeezed plot). Returns the number of label rows.
    """
    if festivals is None or festivals.empty or not months:
        return [], [], 0
    index = {_month_key(m): i for i, m in enumerate(months)}
    spans: dict[tuple[int, int], list[str]] = {}
    rows = sorted(zip(festivals["start"].tolist(), festivals["end"].tolist(),
                      festivals["festival"].tolist(), strict=True))
    for start, end, festival in rows:
        for span in _runs_on_axis(index, _month_key(start), _month_key(end)):
            names = spans.setdefault(span, [])
            if festival not in names:
                names.append(festival)
    px_per_month = NARROW_PLOT_PX / len(months)
    shapes, notes, row_ends, written = [], [], [], set()
    for (first, last), names in spans.items():
        label = " · ".join(names)
        shapes.append({
            "type": "rect", "xref": "x", "yref": "paper", "y0": 0, "y1": 1,
            "x0": first - 0.45, "x1": last + 0.45, "fillcolor": "#f59e0b",
            "opacity": 0.12, "line": {"width": 0}, "layer": "below",
        })
        if len(months) > 12 and label in written:
            continue
        written.add(label)
        mid = (first + last) / 2
        half = (len(label) * LABEL_CHAR_PX / 2 + 4) / px_per_month  # in months
        x, anchor = mid, "center"
        if mid - half < -0.5:  # keep a label at either end inside the plot's width
            x, anchor, mid = -0.5, "left", -0.5 + half
        elif mid + half > len(months) - 0.5:
            x, anchor, mid = len(months) - 0.5, "right", len(months) - 0.5 - half
        row = next((i for i, end in enumerate(row_ends) if end < mid - half), len(row_ends))
        if row == len(row_ends):
            row_ends.append(mid + half)
        row_ends[row] = mid + half
        notes.append({
            "x": x, "xanchor": anchor, "y": 1, "xref": "x", "yref": "paper", "yanchor": "bottom",
            "yshift": 2 + LABEL_ROW_PX * row, "text": text(label), "showarrow": False,
            "font": {"size": 10, "color": "#92400e"},
        })
    return shapes, notes, len(row_ends)


# ---- Top toys by age group: small multiples ---------------------------------------------------

BAR_PX = 24
GROUP_GAP_PX = 34


def top_toys_chart(
    df: pd.DataFrame, measure: str = "revenue", highlight: Highlight | None = None,
    height: int | None = None, look: Look = DEFAULT, top_n: int | None = None,
) -> dict:
    """Top Toys by Age: one small bar chart per age group, its own axis, largest on top.

    Rows ranked past `top_n` are the highlighted toy, added so that it is never silently
    missing; their label says their rank.
    """
    if df.empty:
        return theme.empty(height=height or 420)
    age_of = df["age_group"].to_numpy().astype(str)
    toy_of = df["product_name"].to_numpy().astype(str)
    value_of = df[measure].to_numpy(dtype=float)
    rank_of = df["rank"].to_numpy(dtype=float)
    lit_of = df[f"hl_{measure}"].to_numpy(dtype=float)
    present = set(age_of.tolist())
    ages = natural("age_group", present)
    own = _own(highlight, "product_name") or _own(highlight, "age_group")
    order = np.lexsort((toy_of, -value_of))  # by value, then name; stable per age group
    groups = {age: order[age_of[order] == age] for age in ages}
    plot_px = sum(len(rows) * BAR_PX + GROUP_GAP_PX for rows in groups.values())
    bottom_px, top_px = 40, 4
    total_px = plot_px + bottom_px + top_px
    numbers = look.numbers
    # Returns can outweigh sales (a toy's net revenue below zero in one store's month): the
    # axis reaches below zero then, or its bar would be drawn off the plot, a blank row.
    biggest = max(float(value_of.max()), 0.0) or 1.0
    lowest = min(float(value_of.min()), 0.0)
    data, notes, layout = [], [], {}
    y_top = 1.0 - top_px / total_px
    for i, age in enumerate(ages):
        # Plotly draws horizontal bars from the bottom up, so the largest goes last. (Not the
        # axis' autorange "reversed": Plotly writes it back as true, and a later redraw of the
        # first group, sometimes, came out upside down.)
        rows = groups[age][::-1]
        names = toy_of[rows].tolist()
        ranks = rank_of[rows].tolist()
        values = value_of[rows].tolist()
        group_total = sum(values)
        named = [n if not top_n or r <= top_n else f"#{int(r)} {n}"
                 for n, r in zip(names, ranks, strict=True)]
        shown = [text(n) for n in named]
        span = (len(names) * BAR_PX + GROUP_GAP_PX) / total_px
        y0 = y_top - span
        suffix = "" if i == 0 else str(i + 1)
        layout[f"yaxis{suffix}"] = theme.axis(
            domain=[max(y0, 0.0), y_top - GROUP_GAP_PX / total_px], type="category",
            anchor=f"x{suffix}", showgrid=False, ticks="",
            tickfont={"size": 11})
        layout[f"xaxis{suffix}"] = theme.axis(
            anchor=f"y{suffix}", range=[lowest * 1.22, biggest * 1.22], showgrid=True,
            showticklabels=i == len(ages) - 1,
            **({"matches": "x"} if suffix else {}),
            **(numbers.axis(measure) if i == len(ages) - 1 else {}))
        notes.append({
            "text": f"<b>Age {text(age)}</b>", "showarrow": False, "xref": "paper",
            "yref": "paper", "x": 0, "xanchor": "left",
            "y": y_top - GROUP_GAP_PX / total_px, "yanchor": "bottom", "yshift": 2,
            "font": {"size": 12, "color": theme.INK}})
        color = look.colors.of("age_group", age)
        custom = [["product_name", n] for n in names]
        bar = {
            "type": "bar", "orientation": "h", "x": values, "y": shown,
            "xaxis": f"x{suffix}", "yaxis": f"y{suffix}", "name": text(age),
            "showlegend": False, "customdata": custom,
            "marker": {"color": color},
            "text": [numbers.metric(measure, v) for v in values], "textposition": "outside",
            "cliponaxis": False, "textfont": {"size": 11, "color": theme.INK},
            "opacity": theme.DIM_OPACITY if highlight and not own else 1.0,
            "unselected": UNSELECTED, "hovertemplate": HOVER,
            "hovertext": [tooltip(look, n, measure, v, group_total,
                                  extra=f"<br>Age {text(age)}, rank {int(r)}",
                                  share_of=f"age {text(age)}'s top toys")
                          for n, v, r in zip(named, values, ranks, strict=True)],
        }
        if _own(highlight, "product_name"):
            bar["selectedpoints"] = [j for j, n in enumerate(names) if n == highlight.value]
        elif _own(highlight, "age_group"):
            bar["selectedpoints"] = list(range(len(names))) if age == highlight.value else []
        data.append(bar)
        if highlight and not own:
            lit = lit_of[rows].tolist()
            data.append({
                "type": "bar", "orientation": "h", "x": lit, "y": shown,
                "xaxis": f"x{suffix}", "yaxis": f"y{suffix}", "name": _label(highlight),
                "showlegend": i == 0, "marker": {"color": theme.HIGHLIGHT},
                "customdata": custom, "hovertemplate": HOVER,
                "hovertext": [_overlay_tip(look, highlight, n, measure, v, w)
                              for n, v, w in zip(names, lit, values, strict=True)],
            })
        y_top = y0
    figure = theme.figure(data, height=height or total_px, barmode="overlay",
                          clickmode="event", annotations=notes,
                          legend=bool(highlight and not own),
                          margin={"l": 8, "r": 8, "t": top_px, "b": bottom_px})
    figure["layout"].update(layout)
    return figure


# ---- Regions ---------------------------------------------------------------------------------


def contribution_chart(df: pd.DataFrame, highlight: Highlight | None = None,
                       height: int = 340, look: Look = DEFAULT, column: str = "region") -> dict:
    """Contribution % of each region (or, drilled down, each state, city or store in `column`):
    share of revenue (solid) and share of the change (hatched)."""
    if df.empty:
        return theme.empty(height=height)
    order = np.argsort(df["share_pct"].to_numpy(dtype=float), kind="stable")
    col = {c: df[c].to_numpy()[order] for c in (column, "revenue", "previous_revenue",
                                                 "share_pct", "change_share_pct")}
    regions = col[column].astype(str).tolist()
    labels = [text(r) for r in regions]
    colors = look.colors.many(column, regions)
    numbers = look.numbers
    series = [("share_pct", "Share of revenue", {})]
    if not np.isnan(col["change_share_pct"].astype(float)).any():  # NaN: no previous data
        series.append(("change_share_pct", "Share of the change",
                       {"pattern": {"shape": "/", "fgcolor": "white", "solidity": 0.3}}))
    changes = [numbers.change(now / before - 1 if before else None)[0] for now, before in
               zip(col["revenue"].tolist(), col["previous_revenue"].tolist(), strict=True)]
    data = []
    for share_col, name, extra in series:
        tips = [f"<b>{label}</b><br>{name}: {share:.1%}<br>"
                f"Revenue: {numbers.exact(revenue, 'currency')}<br>vs prev.: {change}"
                for label, share, revenue, change in zip(
                    labels, col[share_col].tolist(), col["revenue"].tolist(), changes,
                    strict=True)]
        trace = {
            "type": "bar", "orientation": "h", "x": col[share_col].tolist(), "y": labels,
            "name": name, "marker": {"color": colors, **extra},
            "customdata": [[column, r] for r in regions],
            "opacity": theme.DIM_OPACITY if _foreign(highlight, column) else 1.0,
            "unselected": UNSELECTED, "hovertemplate": HOVER, "hovertext": tips,
        }
        if _own(highlight, column):
            trace["selectedpoints"] = [i for i, r in enumerate(regions) if r == highlight.value]
        data.append(trace)
    # The key is text, not a legend: a legend swatch takes one member's colour (and the
    # white hatch of a small swatch reads as nothing), while every bar has its member's colour.
    key = [] if len(series) == 1 else [{
        "text": "■ Share of revenue (solid)    ▨ Share of the change (hatched)", "showarrow": False,
        "xref": "paper", "yref": "paper", "x": 0, "y": 1, "xanchor": "left",
        "yanchor": "bottom", "font": {"size": 12, "color": theme.MUTED}}]
    return theme.figure(data, height=height, barmode="group", clickmode="event",
                        legend=False, annotations=key,
                        margin={"l": 8, "r": 8, "t": 28 if key else 8, "b": 8},
                        xaxis={"tickformat": ".0%", "title": {
                            "text": "Share (%)", "font": {"size": 11}, "standoff": 4}},
                        yaxis=_few_bars(len(regions)))


def heatmap_chart(matrix: pd.DataFrame, measure: str = "revenue",
                  highlight: Highlight | None = None, height: int = 340,
                  look: Look = DEFAULT, column: str = "region") -> dict:
    """Demand heat map: region (or the drilled level in `column`) x month, colour = revenue or
    units (unit on the bar). Rows run biggest first from the top, as the contribution chart's
    bars do, so a member sits at the same rank in both."""
    if matrix.empty:
        return theme.empty(height=height)
    matrix = matrix.iloc[np.argsort(-matrix.to_numpy(dtype=float).sum(axis=1), kind="stable")]
    regions = matrix.index.astype(str).tolist()
    keys = [_month_key(m) for m in matrix.columns]
    months = [f"{m:%b %Y}" + (" (part)" if m in look.partial_months
                                                   else "") for m in keys]
    z = matrix.to_numpy(dtype=float)
    month_totals = z.sum(axis=0)
    numbers = look.numbers
    tips = []
    for i, region in enumerate(regions):
        row = []
        for j, month in enumerate(months):
            share = f"<br>Share of month: {z[i, j] / month_totals[j]:.1%}" \
                if month_totals[j] else ""
            row.append(f"<b>{text(region)}</b> · {month}<br>{METRICS[measure].label}: "
                       f"{numbers.metric(measure, z[i, j], exact=True)}{share}")
        tips.append(row)
    shapes = []
    if _own(highlight, column):
        shapes = [{"type": "rect", "xref": "paper", "x0": 0, "x1": 1, "y0": i - 0.5,
                   "y1": i + 0.5, "fillcolor": "white", "opacity": 1 - theme.DIM_OPACITY,
                   "line": {"width": 0}}
                  for i, region in enumerate(regions) if region != highlight.value]
    currency = METRICS[measure].kind.startswith("currency")
    data = [{
        "type": "heatmap", "z": z.tolist(), "x": months, "y": [text(r) for r in regions],
        "colorscale": theme.SEQUENTIAL,
        "customdata": [[[column, r]] * len(months) for r in regions],
        "hovertemplate": HOVER, "hovertext": tips,
        "colorbar": {"thickness": 10, "exponentformat": "B",
                     "tickprefix": numbers.currency if currency else "",
                     "title": {"text": numbers.unit_label(measure), "side": "right",
                               "font": {"size": 11}}},
    }]
    return theme.figure(data, height=height, legend=False, shapes=shapes, clickmode="event",
                        xaxis={"type": "category", "tickangle": -45, "showgrid": False},
                        yaxis={"type": "category", "showgrid": False,
                               "autorange": "reversed"})


# ---- Shares ----------------------------------------------------------------------------------


def share_chart(df: pd.DataFrame, column: str, highlight: Highlight | None = None,
                height: int = 300, look: Look = DEFAULT) -> dict:
    """Donut of revenue share; a highlight elsewhere adds an inner ring for that member."""
    if df.empty:
        return theme.empty(height=height)
    names = df[column].to_numpy().astype(str)
    order = sorted(range(len(names)), key=lambda i: sort_key(column, names[i]))
    members = names[order].tolist()
    colors = look.colors.many(column, members)
    own = _own(highlight, column)
    if own:
        colors = [c if m == highlight.value else with_alpha(c, theme.DIM_OPACITY)
                  for c, m in zip(colors, members, strict=True)]
    values = df["revenue"].to_numpy(dtype=float)[order].tolist()
    lit_values = df["hl_revenue"].to_numpy(dtype=float)[order].tolist()
    total = sum(values)
    custom = [[column, m] for m in members]
    labels = [text(m) for m in members]
    data = [{
        "type": "pie", "labels": labels, "values": values, "hole": 0.55,
        "sort": False, "direction": "clockwise", "customdata": custom, "name": "All",
        "marker": {"colors": colors, "line": {"color": "white", "width": 2}},
        "pull": [0.08 if own and m == highlight.value else 0 for m in members],
        "opacity": theme.DIM_OPACITY if _foreign(highlight, column) else 1.0,
        "textinfo": "percent", "insidetextorientation": "horizontal",
        "textfont": {"color": [text_on(c) if c.startswith("#") else theme.INK
                               for c in colors]},
        "hovertemplate": HOVER,
        "hovertext": [tooltip(look, m, "revenue", v, total) for m, v in
                      zip(members, values, strict=True)],
    }]
    if _foreign(highlight, column):
        lit = lit_values
        data.append({
            "type": "pie", "labels": labels, "values": lit,
            "hole": 0.35, "sort": False, "direction": "clockwise", "customdata": custom,
            "marker": {"colors": colors}, "textinfo": "none", "name": _label(highlight),
            "domain": {"x": [0.22, 0.78], "y": [0.22, 0.78]}, "hovertemplate": HOVER,
            "hovertext": [_overlay_tip(look, highlight, m, "revenue", v, w)
                          for m, v, w in zip(members, lit, values, strict=True)],
        })
    return theme.figure(data, height=height, clickmode="event")


def sparkline(series: pd.Series, width: int = 200, height: int = 40) -> str:
    """The small trend line inside a KPI tile, as an SVG data URI for an <img>.

    An image, not a plotly graph: five more plotly graphs would cost the browser far more than
    the charts they sit above, on every filter change.
    """
    values = np.nan_to_num(series.to_numpy(dtype=float), nan=0.0)
    if len(values) == 0:
        values = np.zeros(1)
    low, high = min(values.min(), 0.0), values.max()
    span = (high - low) or 1.0
    xs = np.linspace(0, width, len(values)) if len(values) > 1 else np.array([0.0, width])
    ys = height - 2 - (values - low) / span * (height - 4)
    if len(values) == 1:
        ys = np.repeat(ys, 2)
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
    area = f"0,{height} {line} {width},{height}"
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'preserveAspectRatio="none"><polygon points="{area}" fill="rgba(37,99,235,0.08)"/>'
           f'<polyline points="{line}" fill="none" stroke="{theme.ACCENT}" stroke-width="2" '
           f'vector-effect="non-scaling-stroke"/></svg>')
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
