"""What a click on a drillable chart means, for every page that drills (Overview, Profit).

The drill store holds one path per axis (queries/drill.py LEVELS); a page names which of its
graphs drill along which axis. Both the store and the click come from the browser, so anything
odd counts as no path / no drill.
"""

from __future__ import annotations

from dashboard.components import view_state
from dashboard.queries import drill


def drill_paths(data) -> dict[str, tuple[str, ...]]:
    """The drill store's paths (forgeable: anything odd counts as no path)."""
    data = data if isinstance(data, dict) else {}
    return {axis: view_state.as_path(data.get(axis), drill.max_depth(axis))
            for axis in drill.LEVELS}


def drill_target(data, graph, click_data,
                 graphs: dict[str, str]) -> tuple[str, tuple[str, ...]] | None:
    """(axis, the path one level down) when this click on this graph drills, else None: the
    click must be on a member of the level the chart shows, and that level not the last.
    `graphs` maps the page's drillable graph ids to their axis."""
    axis = graphs.get(graph) if isinstance(graph, str) else None
    if axis is None:
        return None
    try:
        column, member = click_data["points"][0]["customdata"]
    except (TypeError, KeyError, IndexError, ValueError):
        return None
    path = drill_paths(data)[axis]
    if not isinstance(member, str) or len(path) >= drill.max_depth(axis):
        return None
    if column != drill.level_of(axis, path):
        return None
    return axis, (*path, member)
