"""A page's own cross-highlight (Team, Customers): one member of one of the page's kinds
("employee", "region"; "segment", "behaviour", "rfm"), clicked on any chart and lit on every
chart, carried in the URL as the Overview's key, `hl=KIND:VALUE`.

It comes from a browser, so it is only a pair of bounded strings here; each page checks the
value against what its viewer's scope produced before anything is lit or named.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

MAX_LENGTH = 200


@dataclass(frozen=True)
class PageHighlight:
    kind: str
    value: str

    def as_query(self) -> tuple[str, str]:
        return ("hl", f"{self.kind}:{self.value}")

    def as_data(self) -> dict:
        return {"kind": self.kind, "value": self.value}


def parse(value, kinds: tuple[str, ...]) -> PageHighlight | None:
    """'kind:value' (URL), {'kind': ..., 'value': ...} (the page's store) or a chart click's
    customdata [kind, value] or [kind, value, label]; anything else is no highlight."""
    if isinstance(value, str) and ":" in value:
        kind, member = value.split(":", 1)
    elif isinstance(value, dict):
        kind, member = value.get("kind"), value.get("value")
    elif isinstance(value, list | tuple) and len(value) in (2, 3):
        kind, member = value[0], value[1]
    else:
        return None
    if kind in kinds and isinstance(member, str) and 0 < len(member) <= MAX_LENGTH:
        return PageHighlight(kind, member)
    return None


def toggle(current, clicked: PageHighlight | None, kinds: tuple[str, ...]) -> dict | None:
    """A click highlights a member; a second click on the same member clears it."""
    if clicked is None:
        return current
    return None if parse(current, kinds) == clicked else clicked.as_data()


def clicked(click_data, kinds: tuple[str, ...]) -> PageHighlight | None:
    """The member a chart click carries (its point's customdata), or None."""
    try:
        return parse(click_data["points"][0].get("customdata"), kinds)
    except (TypeError, KeyError, IndexError, AttributeError):
        return None


def with_query(query: str, highlight: PageHighlight) -> str:
    """A page query ('' or '?...') with the highlight's `hl` added."""
    pair = urlencode([highlight.as_query()])
    return f"{query}&{pair}" if query else f"?{pair}"
