"""In which order a reader sees a chart's marks, for the tables and exports made from it."""

from __future__ import annotations


def bottom_up(figure: dict, trace: dict) -> bool:
    """Horizontal bars are drawn from the bottom up, unless their axis is reversed (no chart
    of ours reverses one: Top toys lists its largest last instead)."""
    if trace.get("orientation") != "h":
        return False
    axis = trace.get("yaxis", "y")
    name = "yaxis" if axis == "y" else f"yaxis{axis[1:]}"
    return ((figure or {}).get("layout", {}).get(name) or {}).get("autorange") != "reversed"


def rows_bottom_up(figure: dict, trace: dict) -> bool:
    """A heat map's rows are drawn from the bottom up too (the first row listed lowest), unless
    its axis is reversed; ours list them last-to-first so the first shows on top."""
    if trace.get("type") != "heatmap":
        return False
    axis = trace.get("yaxis", "y")
    name = "yaxis" if axis == "y" else f"yaxis{axis[1:]}"
    return ((figure or {}).get("layout", {}).get(name) or {}).get("autorange") != "reversed"
