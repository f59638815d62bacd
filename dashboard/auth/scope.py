"""The Scope of the current request, decided on the server from the signed-in account only.

Nothing the browser sends (filter values, stores, state) reaches this function: admins and
analysts see every region, a regional manager the regions assigned to them in the app database,
a store manager the stores assigned to them, and anyone else nothing. A manager with no region
gets Scope(()) and a store manager with no store Scope(None, ()), which the query layer refuses
(ScopeError), so a missing assignment fails closed.
"""

from __future__ import annotations

from dashboard.auth.permissions import current_account
from dashboard.auth.users import Account
from dashboard.queries.filters import Scope, ScopeError


def scope_for_account(account: Account | None) -> Scope:
    if account is None or not account.active:
        raise ScopeError("not signed in")
    if account.role in ("admin", "analyst"):
        return Scope.everything()
    if account.role == "manager":
        return Scope(tuple(account.regions))
    if account.role == "store_manager":  # every region, but only their stores' rows
        return Scope(None, tuple(account.stores))
    raise ScopeError(f"role {account.role!r} may see no data")


def scope_for_request() -> Scope:
    return scope_for_account(current_account())
