"""A saved view or saved story as a report dict (the page-data contract), for one scope.

`dashboard report --saved/--story` and `dashboard send-reports` both render saved things here:
a page view is its page's page_report at the version's query, a story is the Story report of
its scenes; either way within the scope given, with a note naming the view and its version.
"""

from __future__ import annotations

from dashboard.queries.filters import Scope
from dashboard.report.registry import page_function
from dashboard.story import saved
from dashboard.views import store


def note(view: store.SavedView, current: int) -> str:
    """Which saved view a report shows, and whether the data changed since it was saved."""
    latest = view.latest
    kind = "Story" if view.page == store.STORY else "Saved view"
    words = (f"{kind} “{view.name}” by {view.owner}, version {latest.n}, saved on data "
             f"version {latest.data_version if latest.data_version is not None else 'none'}.")
    if latest.data_version != current:
        words += f" The data has changed since: this report is on data version {current}."
    return words


def saved_report(warehouse, scope: Scope, view: store.SavedView) -> dict:
    """The latest version of `view` as a report within `scope`."""
    from dashboard.pages.story_report import story_report

    if view.page == store.STORY:
        story = saved.as_story(view.name, saved.parsed(view.latest.options))
        found = story_report(warehouse, scope, story, "")
    else:
        found = page_function(view.page)(warehouse, scope, view.latest.page_query)
    found["notes"].insert(0, note(view, found["data_version"]))
    return found
