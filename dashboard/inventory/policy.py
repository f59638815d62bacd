"""Reorder arithmetic and stock classes, pure of the database (tests check it by hand).

- safety stock = z × σ_daily × √lead_days, z = NormalDist().inv_cdf(service level)
- reorder point = mean_daily × lead_days + safety stock
- days of cover = on hand ÷ mean_daily (none without demand)
- suggested order = (mean_daily × target_days + safety stock − on hand) when on hand is at or
  below the reorder point, raised to the minimum order quantity, rounded up to whole packs
- ABC by revenue: items sorted by revenue, A up to 80% of the cumulative revenue, B to 95%, C the
  rest (and items without sales); XYZ by the coefficient of variation of weekly units: X < 0.5,
  Y < 1.0, Z otherwise (and items without sales)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

from dashboard import config

ABC_LIMITS = (0.80, 0.95)
XYZ_LIMITS = (0.5, 1.0)
ALERT_KINDS = ("stockout", "low", "excess", "dead", "expiring", "expired")
ALERT_LABELS = {"stockout": "Stockout", "low": "Low stock", "excess": "Excess stock",
                "dead": "Dead stock", "expiring": "Expiring soon", "expired": "Expired"}


@dataclass(frozen=True)
class Settings:
    lead_days: int = 7
    service_level: float = 0.95
    target_days: int = 28
    excess_days: int = 120
    dead_days: int = 56
    expiry_days: int = 30
    moq: int = 6
    pack_size: int = 6

    def __post_init__(self) -> None:
        if not 0.5 <= self.service_level < 1:
            raise ValueError(f"service level {self.service_level} is not within 0.5-0.999")
        for name in ("lead_days", "target_days", "excess_days", "dead_days", "expiry_days",
                     "moq", "pack_size"):
            if getattr(self, name) < (1 if name in ("pack_size", "moq") else 0):
                raise ValueError(f"{name} must not be negative")
        if self.dead_days > 56:
            raise ValueError("dead_days is at most 56 (the 8-week sales window)")

    @classmethod
    def from_config(cls) -> Settings:
        return cls(config.get_int("inventory_lead_days"),
                   config.get_float("inventory_service_level"),
                   config.get_int("inventory_target_days"),
                   config.get_int("inventory_excess_days"),
                   config.get_int("inventory_dead_days"),
                   config.get_int("inventory_expiry_days"),
                   config.get_int("inventory_moq"), config.get_int("inventory_pack_size"))

    @property
    def z(self) -> float:
        return NormalDist().inv_cdf(self.service_level)

    def describe(self) -> str:
        return (f"Lead time {self.lead_days} days, service level {self.service_level:.0%} "
                f"(z = {self.z:.2f}), order up to {self.target_days} days of cover plus safety "
                f"stock, minimum order {self.moq}, packs of {self.pack_size}; excess above "
                f"{self.excess_days} days of cover, dead stock after {self.dead_days} days "
                f"without a sale, expiry within {self.expiry_days} days.")


def safety_stock(std_daily: float, s: Settings) -> float:
    return s.z * std_daily * math.sqrt(s.lead_days)


def reorder_point(mean_daily: float, std_daily: float, s: Settings) -> float:
    return mean_daily * s.lead_days + safety_stock(std_daily, s)


def days_of_cover(on_hand: float, mean_daily: float) -> float | None:
    if mean_daily <= 0:
        return None
    return max(on_hand, 0) / mean_daily


def order_quantity(on_hand: float, mean_daily: float, std_daily: float, s: Settings) -> int:
    if mean_daily <= 0 or on_hand > reorder_point(mean_daily, std_daily, s):
        return 0
    need = mean_daily * s.target_days + safety_stock(std_daily, s) - max(on_hand, 0)
    if need <= 0:
        return 0
    qty = max(math.ceil(need - 1e-9), s.moq)
    return math.ceil(qty / s.pack_size) * s.pack_size


def order_quantities(on_hand, mean_daily, std_daily, s: Settings):
    """order_quantity over numpy arrays (the page's thousands of items at once)."""
    import numpy as np

    on_hand, mean, std = (np.asarray(a, float) for a in (on_hand, mean_daily, std_daily))
    safety = s.z * std * math.sqrt(s.lead_days)
    due = (mean > 0) & (on_hand <= mean * s.lead_days + safety)
    need = mean * s.target_days + safety - np.maximum(on_hand, 0)
    qty = np.maximum(np.ceil(need - 1e-9), s.moq)
    qty = np.ceil(qty / s.pack_size) * s.pack_size
    return np.where(due & (need > 0), qty, 0).astype(int)


def abc(revenues: dict) -> dict:
    """key -> 'A' | 'B' | 'C' from cumulative revenue share (ties broken by key)."""
    total = sum(v for v in revenues.values() if v > 0)
    out, running = {}, 0.0
    for key, value in sorted(revenues.items(), key=lambda kv: (-kv[1], str(kv[0]))):
        if total <= 0 or value <= 0:
            out[key] = "C"
            continue
        share_before = running / total
        running += value
        out[key] = "A" if share_before < ABC_LIMITS[0] else "B" if share_before < ABC_LIMITS[1] \
            else "C"
    return out


def xyz(cv: float | None) -> str:
    if cv is None or math.isnan(cv):
        return "Z"
    return "X" if cv < XYZ_LIMITS[0] else "Y" if cv < XYZ_LIMITS[1] else "Z"


def stock_alerts(on_hand: float, mean_daily: float, std_daily: float, days_since_sale,
                 s: Settings) -> list[str]:
    """The item's alerts (expiry alerts are per batch, from `batch_alerts`)."""
    if on_hand <= 0:
        return ["stockout"]
    alerts = []
    if mean_daily > 0 and on_hand <= reorder_point(mean_daily, std_daily, s):
        alerts.append("low")
    cover = days_of_cover(on_hand, mean_daily)
    if cover is not None and cover > s.excess_days:
        alerts.append("excess")
    if days_since_sale is None or days_since_sale >= s.dead_days:
        alerts.append("dead")
    return alerts


def xyz_classes(cvs) -> list[str]:
    """xyz over many items at once (NaN or None: Z)."""
    import numpy as np

    cv = _floats(cvs)
    return np.where(cv < XYZ_LIMITS[0], "X", np.where(cv < XYZ_LIMITS[1], "Y", "Z")).tolist()


def _floats(values):
    """Numbers with None as NaN (comparisons with NaN are False)."""
    import numpy as np
    import pandas as pd

    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def stock_alerts_many(on_hand, mean_daily, std_daily, days_since_sale, s: Settings) -> list:
    """stock_alerts over arrays: one tuple per item, in the same order of kinds. A NaN
    days_since_sale means no sale in the window."""
    import numpy as np

    have, mean, std = (np.asarray(a, float) for a in (on_hand, mean_daily, std_daily))
    since = _floats(days_since_sale)
    out = have <= 0
    rop = mean * s.lead_days + s.z * std * math.sqrt(s.lead_days)
    low = ~out & (mean > 0) & (have <= rop)
    with np.errstate(divide="ignore", invalid="ignore"):
        excess = ~out & (mean > 0) & (np.maximum(have, 0) / mean > s.excess_days)
    dead = ~out & (np.isnan(since) | (since >= s.dead_days))
    # One code per item (bit 0 low, 1 excess, 2 dead; 8 for a stockout) picks one of nine
    # shared tuples: a fresh list per item cost ~10 ms at 10,000 items.
    code = np.where(out, 8, low * 1 + excess * 2 + dead * 4)
    kinds = [tuple(k for bit, k in enumerate(("low", "excess", "dead")) if c >> bit & 1)
             for c in range(8)] + [("stockout",)]
    return [kinds[c] for c in code.tolist()]


def batch_alerts(days_to_expiry, s: Settings) -> list[str]:
    """Per batch: "expired" (past its date), "expiring" (within expiry_days) or ""."""
    import numpy as np

    days = np.asarray(days_to_expiry)
    return np.select([days < 0, days <= s.expiry_days], ["expired", "expiring"], "").tolist()
