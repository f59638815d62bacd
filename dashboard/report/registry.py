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


class UnknownPage(LookupError):
    """A page name that is not in PAGES."""


def page_function(name: str) -> Callable[..., dict]:
    """The page_report function of a registered page (its module imported on first use)."""
    if name not in PAGES:
        raise UnknownPage(f"no page {name!r}: choose one of {', '.join(sorted(PAGES))}")
    module, _, function = PAGES[name].partition(":")
    return getattr(importlib.import_module(module), function)
