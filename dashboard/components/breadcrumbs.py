"""Drill-down breadcrumbs ("All regions › North › Nuevo León") and the titles that name the level.

Each step above the current one is a button whose id says the axis and the depth to go back to;
the current level is plain text. Member names are children (text), never markup.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dashboard.queries.drill import DROPPED_NOTE, NAMES, level_of

TOPS = {"geo": "All regions", "prod": "All categories"}
AXIS_LABELS = {"geo": "Places", "prod": "Toys"}
HINT = ("Drill down: click a region bar or heat-map row, or a category bar; every tile and "
        "chart then shows that place or toy group, and the breadcrumbs go back up. Other charts "
        "highlight a member. Choose “Highlight” to highlight regions and categories instead.")


def crumb_id(axis: str, depth: int, kind: str = "ov-crumb") -> dict:
    return {"type": kind, "axis": axis, "depth": depth}


def trail(axis: str, path: tuple[str, ...], top: str | None = None,
          kind: str = "ov-crumb", shown: str | None = None) -> html.Nav:
    """One axis' breadcrumb: every step but the last goes back up to it (`kind`: the id type
    of its buttons, one per page, so each page's callback hears only its own; `shown`: what
    the charts compare at this level, when the page's levels differ from the drill's)."""
    steps = [top or TOPS[axis], *path]
    items = []
    for depth, name in enumerate(steps):
        if depth == len(steps) - 1:
            items.append(html.Li(name, className="breadcrumb-item active",
                                 **{"aria-current": "page"}))
        else:
            items.append(html.Li(html.Button(
                name, id=crumb_id(axis, depth, kind), n_clicks=0, type="button",
                className="btn btn-link btn-sm p-0 align-baseline"),
                className="breadcrumb-item"))
    shown = shown or NAMES[level_of(axis, path)][1]
    items.append(html.Li(f"({shown})", className="ms-2 text-muted"))
    return html.Nav(
        [html.Span(f"{AXIS_LABELS[axis]}:", className="me-2 text-muted"),
         html.Ol(items, className="breadcrumb mb-0 d-inline-flex flex-wrap",
                 style={"--bs-breadcrumb-divider": "'›'"})],
        className="d-flex align-items-center small", id=f"ov-trail-{axis}",
        **{"aria-label": f"{AXIS_LABELS[axis]} drill-down"},
    )


def crumbs(geo: tuple[str, ...], prod: tuple[str, ...], dropped: bool = False,
           scoped: bool = False, stores: bool = False) -> list:
    """Both trails (a user limited to some regions starts at "Your regions"; `stores`: the
    charts compare the stores under the place, not its next level), and the note when a step
    from the link or the store was dropped."""
    out = [trail("geo", geo, "Your regions" if scoped else None,
                 shown="stores" if stores else None), trail("prod", prod)]
    if dropped:
        out.append(dbc.Alert(DROPPED_NOTE, color="warning", className="py-1 px-2 mb-0 small",
                             id="ov-drill-dropped"))
    return out


def _where(path: tuple[str, ...]) -> str:
    return f" in {' › '.join(path)}" if path else ""


def titles(geo: tuple[str, ...], prod: tuple[str, ...],
           stores: bool = False) -> tuple[str, str, str]:
    """Titles of the contribution, heat-map and category cards for these paths (`stores`: the
    two place cards compare every store under the place path)."""
    if geo or stores:
        place = "store" if stores else NAMES[level_of("geo", geo)][0]
        contrib = f"Contribution % by {place}{_where(geo)}"
        heat = f"Demand by month, by {place}{_where(geo)}"
    else:
        contrib, heat = "Regional contribution %", "Regional demand by month"
    category = (f"Revenue by {NAMES[level_of('prod', prod)][0]}{_where(prod)}" if prod
                else "Revenue by category")
    return contrib, heat, category
