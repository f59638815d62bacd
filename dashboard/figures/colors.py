"""The colour registry: one colour per dimension member, the same on every chart and page.

A member's colour comes from its place in the warehouse's *full* member list of its dimension
(not the filtered or scoped one), so Plush keeps its colour when a filter removes Dolls. Each
dimension has its own palette and no two palettes share a colour, so Action Figures, Central
and 0-2 never look alike. Age groups are ordinal, so their palette runs light to dark.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# Categories: ten clearly different hues, then their light versions (d3's category20 order).
CATEGORY = ("#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", "#8C564B", "#E377C2",
            "#BCBD22", "#17BECF", "#393B79", "#AEC7E8", "#FFBB78", "#98DF8A", "#FF9896",
            "#C5B0D5", "#C49C94")
# Regions: ColorBrewer Dark2, then two more dark tones.
REGION = ("#1B9E77", "#D95F02", "#7570B3", "#E7298A", "#66A61E", "#E6AB02", "#A6761D",
          "#666666", "#1B4F72", "#7B3294")
# Ordinal (YlGnBu), light = youngest: age groups.
AGE = ("#A1DAB4", "#41B6C4", "#2C7FB8", "#253494", "#081D58")
GENDER = ("#AA4499", "#117733", "#DDCC77", "#88CCEE")
CHANNEL = ("#332288", "#44AA99", "#882255", "#999933")
PALETTES: dict[str, tuple[str, ...]] = {
    "category": CATEGORY, "region": REGION, "age_group": AGE, "gender": GENDER,
    "channel": CHANNEL,
}
OTHER = "#9CA3AF"  # "Other", "Unknown" and members of uncoloured dimensions
UNKNOWN = "Unknown"
ACCENT = "#2563EB"  # marks that stand for no particular member


@dataclass(frozen=True)
class Colors:
    """Colours for one warehouse version: dimension -> full member list in its natural order."""

    members: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_members(cls, members: Mapping[str, Iterable[str]],
                     orders: Mapping[str, Iterable[str]] | None = None) -> Colors:
        """Members per dimension; `orders` gives natural orders (age groups), else sorted."""
        out = {}
        for dim, values in members.items():
            values = set(values) - {UNKNOWN}
            natural = [v for v in (orders or {}).get(dim, ()) if v in values]
            out[dim] = tuple(natural + sorted(values - set(natural)))
        return cls(out)

    def of(self, dimension: str, member: str) -> str:
        palette = PALETTES.get(dimension)
        if palette is None or member == UNKNOWN:
            return OTHER if palette is not None else ACCENT
        known = self.members.get(dimension, ())
        if member in known:
            return palette[known.index(member) % len(palette)]
        # Not in the list (a figure drawn without the registry): stable within the palette.
        return palette[sum(member.encode()) % len(palette)]

    def many(self, dimension: str, members: Iterable[str]) -> list[str]:
        return [self.of(dimension, m) for m in members]


def with_alpha(color: str, alpha: float) -> str:
    """'#RRGGBB' -> 'rgba(r,g,b,alpha)': how a dimmed mark that has no opacity of its own looks."""
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def text_on(color: str) -> str:
    """Dark or white text, whichever reads better on `color` (WCAG relative luminance)."""
    if not color.startswith("#"):
        return "#111827"

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(color[i:i + 2], 16)) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    # Contrast with white vs with near-black #111827 (luminance ~0.0085).
    return "#FFFFFF" if (1.05 / (luminance + 0.05)) >= ((luminance + 0.05) / 0.0585) else \
        "#111827"
