"""Which story a viewer asked for: the shipped default, or a saved story by id (and version)
that this account may see. The presenter, /print/story and the builder ask here, so a story
id another user may not see is "not found" everywhere alike."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.story import saved
from dashboard.story.scenes import Story, StoryError, default_story
from dashboard.views import store


class StoryNotFound(LookupError):
    """No such saved story, or one this account may not see (or an unreadable version)."""


@dataclass(frozen=True)
class Chosen:
    story: Story
    view: store.SavedView | None = None  # None: the default story
    version: store.Version | None = None

    @property
    def key(self) -> tuple:
        """What a cached scene depends on besides the scene itself."""
        return ("default",) if self.view is None else (self.view.id, self.version.n)

    @property
    def ref(self) -> dict:
        return {} if self.view is None else {"story": self.view.id, "version": self.version.n}


def saved_story(database, account, story_id, version=None) -> Chosen:
    try:
        view = store.get(database, account, story_id)
    except store.ViewNotFound as exc:
        raise StoryNotFound("there is no such story, or it is not shared with you") from exc
    if view.page != store.STORY:
        raise StoryNotFound(f"saved view {view.name!r} is a page view, not a story")
    chosen = view.latest
    if version not in (None, ""):
        chosen = next((v for v in store.history(database, account, view.id)
                       if str(v.n) == str(version)), None)
        if chosen is None:
            raise StoryNotFound(f"the story {view.name!r} has no version {str(version)[:20]!r}")
    try:
        story = saved.as_story(view.name, saved.parsed(chosen.options))
    except StoryError as exc:
        raise StoryNotFound(f"the story {view.name!r} cannot be shown: {exc}") from exc
    return Chosen(story, view, chosen)


def choose(database, account, story_id=None, version=None) -> Chosen:
    """The default story when no id is given, else that saved story (StoryNotFound)."""
    if story_id in (None, ""):
        return Chosen(default_story())
    return saved_story(database, account, story_id, version)
