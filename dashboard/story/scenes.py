"""What a story is: ordered scenes, each (page, chart id, query string with filters and drill
level, optional caption, insight kinds with their options). The default story ships as
default_story.json beside this module; `load` checks a story's shape and says what is wrong.

A scene's `span` is "default" (the page's own range: the last twelve months with data) or
"all" (every date in the data). A query may name `{top_region}` or `{top_category}`: the
viewer's leading region or category, found under their scope when the scene is built.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from dashboard.insights import KINDS

DEFAULT_FILE = Path(__file__).with_name("default_story.json")
SPANS = ("default", "all")
PLACEHOLDERS = ("top_region", "top_category")


class StoryError(ValueError):
    """A story file that does not describe scenes we can show."""


@dataclass(frozen=True)
class Scene:
    title: str
    page: str
    chart: str
    query: str = ""
    caption: str | None = None
    span: str = "default"
    insights: tuple[tuple[str, tuple[tuple[str, object], ...]], ...] = ()
    # What the scene shows instead to a viewer who sees one region, where comparing regions
    # would repeat another scene ("one_region": the keys that change).
    one_region: Scene | None = None

    @classmethod
    def from_dict(cls, raw: dict, number: int) -> Scene:
        where = f"scene {number}"
        if not isinstance(raw, dict):
            raise StoryError(f"{where} is not an object")
        override = raw.get("one_region")
        if override is not None and not isinstance(override, dict):
            raise StoryError(f"{where}: one_region must be an object of the keys that change")
        for key in ("title", "page", "chart"):
            if not isinstance(raw.get(key), str) or not raw[key]:
                raise StoryError(f"{where} needs a {key} (text)")
        span = raw.get("span", "default")
        if span not in SPANS:
            raise StoryError(f"{where}: span must be one of {', '.join(SPANS)}")
        kinds = []
        for item in raw.get("insights", []):
            if not isinstance(item, dict) or item.get("kind") not in KINDS:
                raise StoryError(f"{where}: each insight needs a kind among {', '.join(KINDS)}")
            options = tuple(sorted((k, v) for k, v in item.items() if k != "kind"))
            kinds.append((item["kind"], options))
        caption = raw.get("caption")
        if caption is not None and not isinstance(caption, str):
            raise StoryError(f"{where}: caption must be text")
        query = raw.get("query", "")
        if not isinstance(query, str):
            raise StoryError(f"{where}: query must be a URL query string")
        alternative = None
        if override:
            base = {k: v for k, v in raw.items() if k != "one_region"}
            alternative = cls.from_dict({**base, **override}, number)
        return cls(raw["title"], raw["page"], raw["chart"], query.lstrip("?"), caption, span,
                   tuple(kinds), alternative)


@dataclass(frozen=True)
class Story:
    name: str
    title: str
    scenes: tuple[Scene, ...]


def load(text: str) -> Story:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StoryError(f"the story is not valid JSON: {exc.msg} (line {exc.lineno})") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("scenes"), list) or not raw["scenes"]:
        raise StoryError("a story needs a list of scenes")
    scenes = tuple(Scene.from_dict(s, i) for i, s in enumerate(raw["scenes"], 1))
    return Story(str(raw.get("name", "story")), str(raw.get("title", "Story")), scenes)


def default_story() -> Story:
    return load(DEFAULT_FILE.read_text(encoding="utf-8"))


def scene_number(value, count: int) -> tuple[int, str | None]:
    """The 1-based scene a link or the index store asks for, kept within the story; a note when
    the asked number was not one."""
    try:
        number = int(str(value)) if value not in (None, "") else 1
    except ValueError:
        return 1, f"There is no scene {str(value)[:20]!r}; the story starts at scene 1."
    if not 1 <= number <= count:
        kept = min(max(number, 1), count)
        return kept, f"The story has {count} scenes; showing scene {kept}."
    return number, None
