"""What a version holds: the page's query string, split into filters and chart options.

The query comes from a browser (a hidden form field) or the command line, so only the keys the
Overview understands (components/view_state.py) are kept, in a bounded amount; the page checks
the values again, under the viewer's scope, whenever the view is opened.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlencode

from dashboard.components.view_state import DRILL_KEYS, URL_KEYS

OPTION_KEYS = ("trend", "measure", "top", "places")
FILTER_KEYS = ("start", "end", *URL_KEYS, "hl", *DRILL_KEYS)
MAX_QUERY = 4000  # characters of a saved query string
MAX_PAIRS = 200


class ContentProblem(ValueError):
    """A query that cannot be saved, said in words."""


def pairs(query: str) -> list[tuple[str, str]]:
    """The known (key, value) pairs of a query string, in order ("?" optional)."""
    if not isinstance(query, str):
        raise ContentProblem("the view's query must be text")
    if len(query) > MAX_QUERY:
        raise ContentProblem(f"the view is too long to save (over {MAX_QUERY:,} characters)")
    found = [(k, v) for k, v in parse_qsl(query.lstrip("?"), keep_blank_values=False)
             if k in FILTER_KEYS or k in OPTION_KEYS]
    if len(found) > MAX_PAIRS:
        raise ContentProblem(f"the view has too many filter values (over {MAX_PAIRS})")
    return found


def split(query: str) -> tuple[str, str]:
    """(filter query with "?", or "", options as JSON) of a page query string."""
    found = pairs(query)
    filters = [(k, v) for k, v in found if k in FILTER_KEYS]
    options = {k: v for k, v in found if k in OPTION_KEYS}
    return ("?" + urlencode(filters) if filters else ""), json.dumps(options, sort_keys=True)


def options_of(options_json: str) -> dict[str, str]:
    try:
        value = json.loads(options_json or "{}")
    except ValueError:
        return {}
    return {k: v for k, v in value.items() if k in OPTION_KEYS and isinstance(v, str)} \
        if isinstance(value, dict) else {}


def joined(query: str, options_json: str) -> str:
    """The whole page query (no "?") that reproduces a version: filters, then options."""
    found = pairs(query) + sorted(options_of(options_json).items())
    return urlencode(found)
