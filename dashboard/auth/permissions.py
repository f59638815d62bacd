"""Who may do what. Sign-in and roles arrive with issue 4; until then every check passes.

Every Data-page callback and upload/download route calls `require_admin()` first, so wiring it
to real roles is a change in this one function.
"""

from __future__ import annotations


def require_admin() -> None:
    """Raise if the current request is not an admin's (a no-op until sign-in exists)."""
    return None
