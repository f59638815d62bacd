"""Cross-highlight on the Customers page: one customer group (a segment, New / Returning /
Loyal, or an RFM group), clicked on its bar, lit on every per-customer chart.

On its own chart the other bars dim; on the other bar charts a third bar per group shows how
the highlighted customers split across that chart's groups (beside the share of all
customers); the cohort heat map follows the highlighted customers only. The highlight travels
as `hl=segment:NAME`, `hl=behaviour:Loyal`, `hl=rfm:Champions` and is kept only when the
viewer's data has customers in that group, so a forged one lights and names nothing.
"""

from __future__ import annotations

import numpy as np

from dashboard.components import page_highlight
from dashboard.components.page_highlight import PageHighlight

KINDS = ("segment", "behaviour", "rfm")
HINT = ("Click a segment, New / Returning / Loyal or RFM bar to highlight those customers on "
        "every customer chart; click it again to undo.")
AGE_NOTE = ("The age group × category chart shows every sale: it is read from sales lines, "
            "not per customer, so it does not follow the highlight.")


def parse(value) -> PageHighlight | None:
    return page_highlight.parse(value, KINDS)


def members(highlight: PageHighlight | None, segment: np.ndarray, behaviour: np.ndarray,
            rfm: np.ndarray) -> np.ndarray | None:
    """Which customers the highlight lights (a boolean per customer), or None when it lights
    nobody the viewer can see. A segment counts customers active in the period, as its chart
    does."""
    if highlight is None:
        return None
    if highlight.kind == "segment":
        lit = (segment == highlight.value) & (behaviour != "")
    elif highlight.kind == "behaviour":
        lit = behaviour == highlight.value
    else:
        lit = rfm == highlight.value
    return lit if lit.any() else None


def label(highlight: PageHighlight) -> str:
    return {"segment": highlight.value, "behaviour": f"{highlight.value} customers",
            "rfm": f"{highlight.value} (RFM)"}[highlight.kind]


def sentence(highlight: PageHighlight, lit: np.ndarray, active: np.ndarray,
             revenue: np.ndarray, money) -> str:
    """How many customers the highlight lights and what they bought in the period."""
    count, total = int(lit.sum()), int(active.sum())
    spent, whole = float(revenue[lit].sum()), float(revenue[active].sum())
    of_customers = f" ({count / total:.1%} of the period's customers)" if total and \
        highlight.kind != "rfm" else ""
    share = f" ({spent / whole:.1%} of customer revenue)" if whole else ""
    return (f"Highlighting {label(highlight)}: {count:,} customers{of_customers}, who bought "
            f"{money(spent)} in the period{share}. Click it again or “Clear highlight” to undo.")
