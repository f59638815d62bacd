"""Bounded load test of a running deployment: simulated users of mixed roles and regions.

Each user signs in once through the real form, then posts Overview states to
`/_dash-update-component` as the browser does, until the deadline (and at most
`max_requests` each). Every answer is checked: the regions in its heat map must be within the
user's scope, and its category bars must equal pandas over the raw sample rows of those regions
only (`usual.py`, sharing no code with queries/): a number from another region is counted as
out of scope. Optionally one web instance is killed mid-run (`kill`); users must carry on
through the other without signing in again (an answer that sends them to /login counts).
Loopback only: the URL must be 127.0.0.1 or localhost.
"""

from __future__ import annotations

import html
import json
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib import error, parse

import numpy as np
import pandas as pd

from dashboard.bench import http, usual
from dashboard.bench.compare import mismatches
from dashboard.bench.run import _array
from dashboard.bench.states import State


@dataclass(frozen=True)
class User:
    username: str
    password: str
    role: str
    regions: tuple[str, ...] | None  # None: every region


@dataclass
class LoadResults:
    users: int
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    out_of_scope: list[str] = field(default_factory=list)
    sign_ins: int = 0
    signed_out: int = 0  # answers that asked an already signed-in user to sign in again
    killed_at: float | None = None
    after_kill: int = 0  # answers received after the kill
    error_times: list[tuple[float, str]] = field(default_factory=list)  # (s since start, kind)

    def fail(self, at: float, user: str, kind: str, detail: str = "") -> None:
        """One failed request: kept whole for the log, and by kind and time for the table."""
        self.errors.append(f"{user}: {kind}{(' ' + detail) if detail else ''}")
        self.error_times.append((at, kind))

    def error_breakdown(self) -> str:
        """'HTTP 502: 12 (10 within 5 s after the kill)' per kind, so errors can be diagnosed."""
        kinds = Counter(kind for _, kind in self.error_times)
        parts = []
        for kind, count in kinds.most_common():
            near = sum(1 for at, k in self.error_times if k == kind
                       and self.killed_at is not None and 0 <= at - self.killed_at <= 5)
            parts.append(f"{kind}: {count}" + (f" ({near} within 5 s after the kill)"
                                                if self.killed_at is not None else ""))
        return "; ".join(parts) or "none"

    def table(self) -> str:
        done = len(self.latencies_ms)
        med = statistics.median(self.latencies_ms) if done else float("nan")
        p95 = float(np.percentile(self.latencies_ms, 95)) if done else float("nan")
        rows = [
            ("simulated users", f"{self.users}"),
            ("duration (s)", f"{self.seconds:.0f}"),
            ("requests answered", f"{done:,}"),
            ("throughput (requests/s)", f"{done / self.seconds:.1f}" if self.seconds else "-"),
            ("median / p95 latency (ms)", f"{med:.0f} / {p95:.0f}"),
            ("errors", f"{len(self.errors)}"),
            ("errors by kind", self.error_breakdown()),
            ("out-of-scope numbers found", f"{len(self.out_of_scope)}"),
            ("sign-ins / asked to sign in again", f"{self.sign_ins} / {self.signed_out}"),
        ]
        if self.killed_at is not None:
            rows.append(("instance killed at (s) / answers after it",
                         f"{self.killed_at:.0f} / {self.after_kill:,}"))
        return "\n".join(["| measure | value |", "| --- | --- |",
                          *[f"| {a} | {b} |" for a, b in rows]]) + "\n"


def expected_bars(df: pd.DataFrame, state: State, regions: tuple[str, ...] | None) -> dict:
    """Category bars the user may see, by pandas over the raw rows of their regions only."""
    rows = df[usual._mask(df, state, state.start, state.end)]
    if regions is not None:
        rows = rows[rows["region"].isin(regions)]
    sums = rows.groupby("category", observed=True)[state.measure].sum()
    return {str(k): float(v) for k, v in sums.items() if float(v) != 0.0}


def check_answer(content: bytes, want: dict, regions: tuple[str, ...] | None) -> list[str]:
    """What in one answer the user should not have seen."""
    response = json.loads(content)["response"]
    problems = []
    heat = response["ov-heatmap"]["figure"].get("data") or []
    # names reach Plotly HTML-escaped (figures/formats.text), as the page draws them
    shown = {html.unescape(str(r)) for trace in heat for r in trace.get("y") or []}
    if regions is not None and shown - set(regions):
        problems.append(f"heat map shows {sorted(shown - set(regions))}")
    bars = response["ov-category"]["figure"].get("data") or []
    sent = {}
    if bars:
        names, values = _array(bars[0]["y"]), _array(bars[0]["x"])
        sent = {html.unescape(str(k)): float(v) for k, v in zip(names, values, strict=True)
                if float(v) != 0.0}
    problems += mismatches({"bars": sent}, {"bars": want})
    return problems


def _loopback(url: str) -> None:
    host = parse.urlsplit(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"the load test runs on loopback only, not {host!r}")


def run_load(url: str, users: list[User], states: list[State], df: pd.DataFrame,
             seconds: float = 120.0, kill: Callable[[], None] | None = None,
             kill_after: float | None = None, max_requests: int = 10_000) -> LoadResults:
    """Run `users` against `url` for `seconds`; kill one instance after `kill_after` seconds."""
    _loopback(url)
    results = LoadResults(users=len(users))
    lock = threading.Lock()
    scopes = {u.regions for u in users}
    expected = {(i, scope): expected_bars(df, state, scope)
                for i, state in enumerate(states) for scope in scopes}
    server = http.Server(None, url, 0.0, None)  # type: ignore[arg-type]
    deps = None
    started = time.perf_counter()
    deadline = started + seconds

    def one_user(index: int, user: User) -> None:
        account = http.Account("", user.username, user.password)
        try:
            opener = http.sign_in(url, account)
        except (OSError, AttributeError) as exc:
            with lock:
                results.fail(time.perf_counter() - started, user.username, "sign-in failed",
                             str(exc))
            return
        with lock:
            results.sign_ins += 1
        mine = http.Server(None, url, 0.0, opener)  # type: ignore[arg-type]
        callback = http.main_callback(deps)
        for n in range(max_requests):
            if time.perf_counter() >= deadline:
                return
            i = (index * 7 + n) % len(states)
            body = http.payload(callback, states[i])
            try:
                took, content = http.post_json(mine, "/_dash-update-component", body)
            except error.HTTPError as exc:
                with lock:
                    if exc.code == 401 or "/login" in (exc.headers.get("Location") or ""):
                        results.signed_out += 1
                    results.fail(time.perf_counter() - started, user.username,
                                 f"HTTP {exc.code}")
                continue
            except OSError as exc:
                with lock:
                    results.fail(time.perf_counter() - started, user.username,
                                 type(exc).__name__, str(exc))
                continue
            try:
                problems = check_answer(content, expected[(i, user.regions)], user.regions)
            except (ValueError, KeyError) as exc:  # e.g. the sign-in page instead of JSON
                with lock:
                    results.signed_out += 1
                    results.fail(time.perf_counter() - started, user.username,
                                 "not an answer", str(exc))
                continue
            with lock:
                results.latencies_ms.append(took * 1000)
                if results.killed_at is not None:
                    results.after_kill += 1
                results.out_of_scope += [f"{user.username} {states[i].label}: {p}"
                                         for p in problems]

    first = users[0]
    server.opener = http.sign_in(url, http.Account("", first.username, first.password))
    deps = json.loads(http.get(server, "/_dash-dependencies"))
    threads = [threading.Thread(target=one_user, args=(i, u), daemon=True)
               for i, u in enumerate(users)]
    for thread in threads:
        thread.start()
    if kill is not None and kill_after is not None:
        time.sleep(max(0.0, started + kill_after - time.perf_counter()))
        kill()
        with lock:
            results.killed_at = time.perf_counter() - started
    for thread in threads:
        thread.join(timeout=max(1.0, deadline - time.perf_counter() + 90))
    results.seconds = time.perf_counter() - started
    return results
