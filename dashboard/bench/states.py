"""The scripted session the benchmark replays: distinct Overview states a user would click through.

Each state is what the Overview callback receives: dates, filter values, highlight and options.
Members are the sample retailer's, so both ToyPulse and the usual way see the same states.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class State:
    label: str
    start: str | None  # None: the page's default range
    end: str | None
    filters: dict[str, list[str]] = field(default_factory=dict)
    highlight: dict | None = None
    trend_by: str = "category"
    measure: str = "revenue"
    top_n: int = 5
    geo: tuple[str, ...] = ()  # drill-down path by place (region, state, city)
    prod: tuple[str, ...] = ()  # drill-down path by toy (category, toy type)

    def page_filters(self) -> dict[str, list[str]]:
        """The filters the whole page shows: a drill path narrows every chart (its region,
        category and toy type); the scripted paths stop at a region, whose stores need no list."""
        if len(self.geo) > 1:
            raise ValueError("scripted place paths stop at a region")
        out = dict(self.filters)
        for name, step in (("regions", self.geo[:1]), ("categories", self.prod[:1]),
                           ("subcategories", self.prod[1:2])):
            if step:
                out[name] = list(step)
        return out


def _hl(column: str, value: str) -> dict:
    return {"column": column, "value": value}


def scripted_states(toy: str) -> list[State]:
    """At least 40 distinct states; `toy` is a product name that exists in the data."""
    y25 = ("2025-01-01", "2025-12-31")
    return [
        State("default: last 12 months", *y25),
        State("all three years", "2023-01-01", "2025-12-31"),
        State("Q1 2025", "2025-01-01", "2025-03-31"),
        State("Q4 2025", "2025-10-01", "2025-12-31"),
        State("H1 2024", "2024-01-01", "2024-06-30"),
        State("2023", "2023-01-01", "2023-12-31"),
        State("mid-March to mid-Sept 2024 (cuts months)", "2024-03-15", "2024-09-20"),
        State("holiday weeks 2025 (cuts months)", "2025-11-20", "2025-12-24"),
        State("rolling year to 9 June 2024", "2023-06-10", "2024-06-09"),
        State("one week", "2024-11-25", "2024-12-01"),
        State("one day", "2025-02-14", "2025-02-14"),
        State("North", *y25, {"regions": ["North"]}),
        State("North and West", *y25, {"regions": ["North", "West"]}),
        State("three regions, cut months", "2024-02-10", "2025-01-20",
              {"regions": ["South", "East", "Central"]}),
        State("winter", *y25, {"seasons": ["Winter"]}),
        State("summer and autumn 2024", "2024-01-01", "2024-12-31",
              {"seasons": ["Summer", "Autumn"]}),
        State("Christmas", "2023-01-01", "2025-12-31", {"festivals": ["Christmas"]}),
        State("Black Friday, North", "2023-01-01", "2025-12-31",
              {"festivals": ["Black Friday"], "regions": ["North"]}),
        State("Plush", *y25, {"categories": ["Plush"]}),
        State("Plush and Dolls, Q4", "2025-10-01", "2025-12-31",
              {"categories": ["Plush", "Dolls"]}),
        State("three categories", *y25,
              {"categories": ["Building Sets", "Puzzles", "Board Games"]}),
        State("toy type: Brick Sets", *y25, {"subcategories": ["Brick Sets"]}),
        State("age 0-2", *y25, {"age_groups": ["0-2"]}),
        State("ages 6-8 and 9-12", *y25, {"age_groups": ["6-8", "9-12"]}),
        State("girls' toys (female)", *y25, {"genders": ["Female"]}),
        State("online", *y25, {"channels": ["Online"]}),
        State("online, plush, 0-2", *y25,
              {"channels": ["Online"], "categories": ["Plush"], "age_groups": ["0-2"]}),
        State("West, Building Sets, 6-8, cut months", "2024-05-05", "2024-10-27",
              {"regions": ["West"], "categories": ["Building Sets"], "age_groups": ["6-8"]}),
        State("Central underperforming, by region", *y25, {"regions": ["Central"]},
              trend_by="region"),
        State("trend by region", *y25, trend_by="region"),
        State("units instead of revenue", *y25, measure="units"),
        State("top 10 toys", *y25, top_n=10),
        State("top 3 toys, units", *y25, measure="units", top_n=3),
        State("highlight region North", *y25, highlight=_hl("region", "North")),
        State("highlight category Plush", *y25, highlight=_hl("category", "Plush")),
        State("highlight age 3-5", *y25, highlight=_hl("age_group", "3-5")),
        State("highlight gender Male", *y25, highlight=_hl("gender", "Male")),
        State("highlight a toy", *y25, highlight=_hl("product_name", toy)),
        State("highlight toy type", *y25, highlight=_hl("subcategory", "Dollhouses")),
        State("North with Dolls highlighted", *y25, {"regions": ["North"]},
              highlight=_hl("category", "Dolls")),
        State("drill: North by state", *y25, geo=("North",)),
        State("drill: Dolls by toy type, cut months", "2024-03-15", "2024-09-20",
              prod=("Dolls",)),
        State("cut months, highlight West", "2024-03-15", "2024-09-20",
              highlight=_hl("region", "West")),
        State("toy filter", *y25, {"products": [toy]}),
        State("everything at once", "2024-09-15", "2025-03-15",
              {"regions": ["North", "South"], "seasons": ["Winter", "Autumn"],
               "categories": ["Dolls", "Plush", "Vehicles"], "age_groups": ["3-5", "6-8"],
               "genders": ["Female", "Male"], "channels": ["Store"]},
              highlight=_hl("category", "Dolls")),
        # dates before the data are now clamped to it, so "no match" is a combination instead
        State("no match: Summer and Christmas", *y25,
              {"seasons": ["Summer"], "festivals": ["Christmas"]}),
    ]
