"""Sign-in limits per user name and per client address, each of which locks only itself.

A user name with LOGIN_MAX_FAILURES failed sign-ins within LOGIN_LOCKOUT_MINUTES is locked, the
right password too: that name only. An address with LOGIN_ADDRESS_MAX_FAILURES failures must wait
for its window to end: that address only. So failures with made-up names never lock a real user
out, and behind a proxy (TRUSTED_PROXIES) each client keeps its own address.

Each attempt is counted before its password is checked (counters.py), so parallel attempts get
exactly the limit of checks; a successful sign-in clears the name's count and gives the address
its attempt back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dashboard import config


class LockedOut(PermissionError):
    def __init__(self, until: dt.datetime, reason: str):
        super().__init__(f"locked until {until:%H:%M} UTC ({reason})")
        self.until = until
        self.reason = reason  # "account" or "address"


@dataclass(frozen=True)
class Attempt:
    user_key: str
    address_key: str | None


def window() -> dt.timedelta:
    return dt.timedelta(minutes=config.get_int("login_lockout_minutes"))


def user_key(username: str) -> str:
    return f"user:{username}"


def begin(counters, username: str, address: str | None) -> Attempt:
    """Count this attempt; LockedOut (and no password check) when the address or name is over."""
    seconds = window().total_seconds()
    address_key = f"addr:{address}" if address else None
    if address_key is not None:
        count, ends = counters.hit(address_key, seconds)
        if count > config.get_int("login_address_max_failures"):
            raise LockedOut(_time(ends), "address")
    count, ends = counters.hit(user_key(username), seconds)
    if count > config.get_int("login_max_failures"):
        if address_key is not None:
            counters.release(address_key)  # no password was checked for this address
        raise LockedOut(_time(ends), "account")
    return Attempt(user_key(username), address_key)


def succeeded(counters, attempt: Attempt) -> None:
    counters.reset(attempt.user_key)
    if attempt.address_key is not None:
        counters.release(attempt.address_key)


def forget(counters, username: str) -> None:
    """A new password unlocks the name at once."""
    counters.reset(user_key(username))


def _time(unix_seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(unix_seconds, dt.UTC)
