"""What the Team and Customers pages share: the view state from a URL (the Overview's filters,
checked exactly as the Overview checks them), the chart look, and the report dict.

Both pages follow the Overview's filter bar and URL keys (components/view_state.py); the
Overview's highlight and drill keys are dropped from their state (the Team page reads its own
`hl`, pages/team_highlight.py).
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

from dashboard.components import view_state
from dashboard.components.view_state import ViewState
from dashboard.figures import charts, theme
from dashboard.figures.colors import Colors
from dashboard.figures.formats import Numbers
from dashboard.pages import overview_report, overview_view
from dashboard.pages.overview_view import View
from dashboard.queries.registry import currency_symbol
from dashboard.report.tables import marks
from dashboard.warehouse.schema import FILTER_COLUMNS

EMPTY_NOTE = overview_report.EMPTY_NOTE


def state_for(view: View, query: str) -> tuple[ViewState, list[str]]:
    """The checked filter state of a URL query string and the notes about it (dates moved,
    filter values the viewer cannot see: counted, never named)."""
    params = overview_view.query_dict(query)
    state = view_state.from_query(params, view.domain)
    state = replace(state, highlight=None, geo=(), prod=())
    notes = view_state.date_notes(params.get("start"), params.get("end"), view.domain)
    state, hidden = overview_report._visible(state, view)
    return state, [*notes, *hidden]


def query_string(query: dict) -> str:
    """The URL query a Dash page layout receives (one value a string, repeats a list) as text."""
    return urlencode([(k, v) for k, vs in query.items()
                      for v in (vs if isinstance(vs, list) else [vs])])


def query_of(state: ViewState, view: View) -> str:
    """The link that reproduces this view for this viewer (only values they can see)."""
    return view_state.to_query(overview_report._seen(state, view), view.domain)


def sentence(state: ViewState, view: View) -> str:
    return overview_report.filter_sentence(state, view)


def colors(view: View) -> Colors:
    """The colour registry from the warehouse's full member lists (never the filtered ones)."""
    members: dict[str, set[str]] = {}
    for fields in view.warehouse.catalog().members_by_region.values():
        for name, values in fields.items():
            members.setdefault(FILTER_COLUMNS.get(name, name), set()).update(values)
    return Colors.from_members(members, {"age_group": charts.AGE_ORDER})


def numbers(view: View) -> Numbers:
    return Numbers(currency_symbol(view.warehouse.catalog().meta))


def tile(id_: str, label: str, value, text: str, change=None, change_text: str = "") -> dict:
    return {"id": id_, "label": label, "value": value, "text": text,
            "change_previous": change, "change_previous_text": change_text,
            "change_year_ago": None, "change_year_ago_text": ""}


def report(page: str, title: str, view: View, state: ViewState, notes: list[str],
           tiles: list[dict], charts_: list[dict], narrative: list[str] | None = None) -> dict:
    out = {"page": page, "title": title, "data_version": int(view.warehouse.version),
           "filters": sentence(state, view), "query": query_of(state, view), "notes": notes,
           "tiles": tiles, "charts": charts_}
    if narrative:
        out["narrative"] = narrative
    return out


def page_dict(page: str, title: str, view: View, state: ViewState, notes: list[str],
              out: dict, charts: dict[str, tuple[str, list[str]]]) -> dict:
    """The report dict from a page's `compute` output (the Team and Customers tail): hidden
    with its reason, or every chart of `charts` (id -> title, table columns) that it drew, all
    of them empty when nothing matches (as the Overview's report does)."""
    if "hidden" in out:
        return report(page, title, view, state, [*notes, out["hidden"]], [], [])
    notes, figures = [*notes, *out["notes"]], out["figures"]
    if out["empty"]:
        notes.append(EMPTY_NOTE)
        figures = {key: theme.empty() for key in charts}
    shown = [{"id": key, "title": name, "figure": figures[key], "columns": columns,
              "rows": marks(figures[key])}
             for key, (name, columns) in charts.items() if key in figures]
    return report(page, title, view, state, notes, out["tiles"], shown)
