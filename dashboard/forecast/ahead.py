"""Forecasts kept per data version and scope, computed ahead after each load.

A result is a JSON file `WAREHOUSE/forecasts/NNNN/<key>.json`, where the key hashes the spec's
series key and the scope key (scope is always in it), written whole or not at all
(durable.write_text), so every worker and the CLI share it and a new version starts empty.
After a load, `after_load` starts `dashboard forecast --ahead` in the background
(DASHBOARD_FORECAST_AHEAD=background, the default; `inline` waits for it; `off` skips it),
which fits the default views for every region's manager and for everyone.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from dashboard import config, durable
from dashboard.forecast.compute import MAX_MEMBERS, compute
from dashboard.forecast.spec import ForecastSpec
from dashboard.queries.filters import Scope
from dashboard.queries.options import domain

# The views a page opens on, computed ahead (the rest are computed on first request).
AHEAD = (ForecastSpec("revenue", "month", "total"), ForecastSpec("revenue", "month", "category"),
         ForecastSpec("units", "month", "total"), ForecastSpec("revenue", "week", "total"))
FORMAT = 3  # bump when a change to the forecast code must not reuse files already kept
KEEP_VERSIONS = 2  # forecast folders of older versions are removed


def _folder(warehouse) -> Path | None:
    root = getattr(warehouse, "root", None)
    return None if root is None else Path(root) / "forecasts" / f"{int(warehouse.version):04d}"


def _file(folder: Path, scope: Scope, spec: ForecastSpec,
          max_members: int = MAX_MEMBERS) -> Path:
    raw = json.dumps([FORMAT, max_members, scope.key(), repr(spec.key())])
    return folder / f"{hashlib.sha256(raw.encode()).hexdigest()[:32]}.json"


def result_file(warehouse, scope: Scope, spec: ForecastSpec,
                max_members: int = MAX_MEMBERS) -> Path | None:
    """Where this view's result is kept (None: a warehouse without a folder keeps nothing)."""
    folder = _folder(warehouse)
    return None if folder is None else _file(folder, scope, spec, max_members)


def kept(warehouse, scope: Scope, spec: ForecastSpec,
         max_members: int = MAX_MEMBERS) -> dict | None:
    """The kept result of this view, or None (not fitted yet, or its file is damaged)."""
    path = result_file(warehouse, scope, spec, max_members)
    if path is not None and path.exists():
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass  # a damaged file is computed anew
    return None


def result(warehouse, scope: Scope, spec: ForecastSpec, dom=None,
           max_members: int = MAX_MEMBERS, progress=None) -> dict:
    """The forecast result for this view: from the version's folder, else computed and kept."""
    path = result_file(warehouse, scope, spec, max_members)
    found = kept(warehouse, scope, spec, max_members)
    if found is not None:
        return found
    out = compute(warehouse, scope, dom or domain(warehouse, scope), spec, max_members,
                  progress)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            durable.write_text(path, json.dumps(out))
        except OSError:
            pass  # a read-only folder: the result is still right, only not kept
    return out


def scopes_ahead(warehouse) -> list[Scope]:
    """Everyone's scope and each single region's (a regional manager's)."""
    regions = sorted(warehouse.catalog().members_by_region)
    return [Scope.everything(), *(Scope((r,)) for r in regions)]


def compute_ahead(warehouse, specs=AHEAD, scopes=None) -> dict:
    """Fit the default views for each scope; returns counts and seconds."""
    started = time.perf_counter()
    count = 0
    for scope in scopes or scopes_ahead(warehouse):
        dom = domain(warehouse, scope)
        for spec in specs:
            result(warehouse, scope, spec, dom)
            count += 1
    _prune(warehouse)
    return {"views": count, "seconds": time.perf_counter() - started}


def _prune(warehouse) -> None:
    folder = _folder(warehouse)
    if folder is None or not folder.parent.exists():
        return
    for old in sorted(p for p in folder.parent.iterdir() if p.is_dir())[:-KEEP_VERSIONS]:
        if old != folder:
            shutil.rmtree(old, ignore_errors=True)


def after_load(root: Path) -> None:
    """Start computing the default forecasts of the version just published."""
    start(root, "forecast", "--ahead")


def start(root: Path, *args: str) -> None:
    """Run `dashboard --warehouse ROOT ARGS` as DASHBOARD_FORECAST_AHEAD says: in the
    background (its own session, so a web worker never waits for a fit), inline, or not."""
    mode = config.get("forecast_ahead")
    if mode == "off":
        return
    command = [sys.executable, "-m", "dashboard", "--warehouse", str(root), *args]
    if mode == "inline":
        subprocess.run(command, check=False, stdout=subprocess.DEVNULL)
        return
    subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True)
