"""Build and read /_dash-update-component requests the way Dash's renderer does.

The request shape comes from the app's own /_dash-dependencies answer (what the browser reads),
and a browser test checks a payload captured from real Chromium has the same shape.
"""

from __future__ import annotations

import base64

import numpy as np

OVERVIEW = "ov-heatmap.figure"  # an output of the Overview's main callback (update_overview)
PAGES = "_pages_content.children"  # Dash's page router: renders a page's layout for a path


def dependency(client, output_part: str) -> dict:
    deps = client.get("/_dash-dependencies").get_json()
    matches = [d for d in deps if output_part in d["output"]]
    assert len(matches) == 1, f"{len(matches)} callbacks output {output_part}"
    return matches[0]


def output_list(output: str) -> list[dict] | dict:
    if not output.startswith(".."):
        component, prop = output.rsplit(".", 1)
        return {"id": component, "property": prop}
    return [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True))
            for part in output[2:-2].split("...")]


def payload(dep: dict, values: dict, changed: list[str] | None = None) -> dict:
    """values: {"component.property": value}; everything not given is sent as null."""
    def filled(items):
        return [{**item, "value": values.get(f"{item['id']}.{item['property']}")}
                for item in items]

    return {"output": dep["output"], "outputs": output_list(dep["output"]),
            "inputs": filled(dep["inputs"]), "state": filled(dep["state"]),
            "changedPropIds": changed or []}


def overview_values(start="2025-01-01", end="2025-12-31", **overrides) -> dict:
    """What the Overview's main callback receives on first load, with overrides."""
    values = {"ov-dates.start_date": start, "ov-dates.end_date": end,
              "ov-trend-by.value": "category", "ov-measure.value": "revenue",
              "ov-top-n.value": 5, "ov-highlight.data": None}
    for field in ("regions", "seasons", "festivals", "categories", "subcategories", "products",
                  "age_groups", "genders", "channels"):
        values[f"ov-f-{field}.value"] = []
    values.update(overrides)
    return values


def post(client, body: dict, **kwargs):
    return client.post("/_dash-update-component", json=body, **kwargs)


def outputs(response) -> dict:
    """{"component.property": value} from a multi-output answer."""
    body = response.get_json()
    return {f"{component}.{prop}": value
            for component, props in body["response"].items() for prop, value in props.items()}


def array(value) -> list:
    """A figure array as a list, whether plain or base64 typed-array encoded."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    return list(value or [])


def heatmap_regions(out: dict) -> set[str]:
    return {str(y) for trace in out["ov-heatmap.figure"]["data"] for y in array(trace.get("y"))}


def category_revenue(out: dict) -> float:
    """Sum of the category bars (the 'All' trace)."""
    data = out["ov-category.figure"]["data"]
    return float(sum(array(data[0]["x"]))) if data else 0.0


def components(node):
    """Every component (its props dict and type) in a Dash layout JSON tree."""
    if isinstance(node, list):
        for item in node:
            yield from components(item)
    elif isinstance(node, dict):
        if "props" in node and "type" in node:
            yield node["type"], node["props"]
        for value in node.values():
            yield from components(value)


def layout_props(client, key: str) -> list:
    """Values of one prop (e.g. 'href') anywhere in the signed-in user's /_dash-layout."""
    layout = client.get("/_dash-layout").get_json()
    return [props[key] for _type, props in components(layout) if key in props]


def sign_out_token(client) -> str:
    """The CSRF token of the top bar's sign-out form."""
    layout = client.get("/_dash-layout").get_json()
    return next(props["value"] for _type, props in components(layout)
                if props.get("name") == "csrf_token")


def page_area(client, path: str, search: str = ""):
    """What the shell's page area shows at `path`: the JSON Dash's router callback returns."""
    dep = dependency(client, "_pages_content.children")
    body = payload(dep, {"_pages_location.pathname": path, "_pages_location.search": search})
    response = post(client, body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()["response"]["_pages_content"]["children"]


def texts(node) -> str:
    """Every string child in a layout JSON tree, joined: what a reader of the page sees."""
    out = []
    for _type, props in components(node):
        children = props.get("children")
        for child in children if isinstance(children, list) else [children]:
            if isinstance(child, str):
                out.append(child)
    return " ".join(out)


def routed_page(client, path: str, search: str = "") -> dict:
    """The page router's answer for a path, as the browser asks for it."""
    body = payload(dependency(client, PAGES),
                   {"_pages_location.pathname": path, "_pages_location.search": search},
                   ["_pages_location.pathname"])
    response = post(client, body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()
