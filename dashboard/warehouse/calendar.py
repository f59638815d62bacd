"""The calendar table: date -> year, quarter, month, season, festival.

Seasons and festivals come from CSV files a retailer can edit (data/calendar/), not from code.
Where festival ranges overlap, the row that comes first in festivals.csv wins.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from dashboard import config

NO_FESTIVAL = "No festival"


def read_festivals(calendar_dir: Path | None = None) -> pd.DataFrame:
    folder = Path(calendar_dir or config.get("calendar_dir"))
    df = pd.read_csv(folder / "festivals.csv", dtype=str, encoding="utf-8")
    df["start"] = pd.to_datetime(df["start"], format="%Y-%m-%d")
    df["end"] = pd.to_datetime(df["end"], format="%Y-%m-%d")
    return df


def read_seasons(calendar_dir: Path | None = None) -> dict[int, str]:
    folder = Path(calendar_dir or config.get("calendar_dir"))
    df = pd.read_csv(folder / "seasons.csv", dtype={"month": int, "season": str})
    return dict(zip(df["month"], df["season"], strict=True))


def build_calendar(start: dt.date, end: dt.date, calendar_dir: Path | None = None) -> pd.DataFrame:
    """One row per day from start to end inclusive."""
    dates = pd.date_range(start, end, freq="D")
    seasons = read_seasons(calendar_dir)
    festivals = read_festivals(calendar_dir)
    festival = pd.Series(NO_FESTIVAL, index=dates, dtype=object)
    # Walk the rows last to first so that the first matching row is the one that stays.
    for row in festivals.iloc[::-1].itertuples(index=False):
        festival[(dates >= row.start) & (dates <= row.end)] = row.festival
    return pd.DataFrame(
        {
            "date": dates.date,
            "year": dates.year.astype("int32"),
            "quarter": dates.quarter.astype("int32"),
            "month": dates.to_period("M").to_timestamp().date,
            "season": dates.month.map(seasons).astype(object),
            "festival": festival.to_numpy(),
        }
    )


def festival_names(calendar_dir: Path | None = None) -> list[str]:
    return list(dict.fromkeys(read_festivals(calendar_dir)["festival"]))
