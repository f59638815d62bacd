"""The pages that have a machine-readable twin, as "module:function" strings (imported lazily).

Each function is `page_report(warehouse, scope, query: str) -> dict` (docs/ARCHITECTURE.md, "The
page-data contract"); a page added here gets JSON, CSV, PNG, PDF and the print page for free.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

PAGES = {"overview": "dashboard.pages.overview_report:page_report",
         "story": "dashboard.pages.story_report:page_report",
         "team": "dashboard.pages.team_report:page_report",
         "customers": "dashboard.pages.customers_report:page_report",
         "forecast": "dashboard.pages.forecast_report:page_report",
         "profit": "dashboard.pages.profit_report:page_report",
         "inventory": "dashboard.pages.inventory_report:page_report"}
# A page whose report can take long to compute (a model fit) offers a twin for requests: it
# starts the work in the background and says so, so a web worker is never held for it.
IN_REQUEST = {"forecast": "dashboard.pages.forecast_report:background_report"}


class UnknownPage(LookupError):
    """A page name that is not in PAGES."""


def page_function(name: str, in_request: bool = False) -> Callable[..., dict]:
    """The page_report function of a registered page (its module imported on first use);
    `in_request`: its IN_REQUEST twin where it has one (the command line waits instead)."""
    if name not in PAGES:
        raise UnknownPage(f"no page {name!r}: choose one of {', '.join(sorted(PAGES))}")
    module, _, function = (IN_REQUEST.get(name) if in_request and name in IN_REQUEST
                           else PAGES[name]).partition(":")
    return getattr(importlib.import_module(module), function)
