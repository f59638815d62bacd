"""Users, roles and region assignments: the one place that reads and changes them.

Every change is written with its audit entry in one transaction. The CLI and the Admin page both
call these functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa

from dashboard.auth import audit, counters, db, lockout, passwords

ROLES = ("admin", "analyst", "manager", "store_manager")
ROLE_LABELS = {"admin": "Admin", "analyst": "Analyst", "manager": "Regional manager",
               "store_manager": "Store manager"}
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")
EMAIL = re.compile(r"^[^@\s<>,;\"]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
MAX_REGIONS = 200
MAX_STORES = 500


class UserError(ValueError):
    """A change that cannot be made; the message says why, in words for a person."""


LockedOut = lockout.LockedOut


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    display_name: str
    role: str
    active: bool
    regions: tuple[str, ...]
    session_epoch: int = 0
    email: str = ""
    stores: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.display_name or self.username

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def normalize_username(username: str) -> str:
    name = (username or "").strip().lower()
    if not USERNAME.match(name):
        raise UserError("a user name is 1-64 letters, digits, '.', '_', '@' or '-' "
                        f"(got {username!r})")
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)} (got {role!r})")
    return role


def clean_email(email: str) -> str:
    """One plain address (name@host.domain) or "" for none; no display names, lists or header
    tricks (a newline, a comma) ever reach a mail header."""
    address = (email or "").strip()
    if address and (len(address) > 254 or not EMAIL.match(address)):
        raise UserError(f"not an email address: {address[:80]!r} (write it as name@example.com)")
    return address


def clean_regions(regions) -> tuple[str, ...]:
    if isinstance(regions, str):
        regions = [regions]
    if not isinstance(regions, list | tuple | set | frozenset):
        raise UserError("regions must be a list of region names")
    out = sorted({r.strip() for r in regions if isinstance(r, str) and r.strip()})
    if len(out) > MAX_REGIONS or any(len(r) > 128 for r in out):
        raise UserError("too many or too long region names")
    return tuple(out)


def clean_stores(stores) -> tuple[str, ...]:
    """Store ids as text (the warehouse's ids: '1', 'S004'), sorted, without blanks."""
    if isinstance(stores, str | int):
        stores = [stores]
    if not isinstance(stores, list | tuple | set | frozenset):
        raise UserError("stores must be a list of store ids")
    out = sorted({str(s).strip() for s in stores if isinstance(s, str | int) and str(s).strip()})
    if len(out) > MAX_STORES or any(len(s) > 64 for s in out):
        raise UserError("too many or too long store ids")
    return tuple(out)


def _account(conn, row) -> Account:
    regions = tuple(sorted(r.region for r in conn.execute(
        sa.select(db.user_regions.c.region).where(db.user_regions.c.user_id == row.id))))
    stores = tuple(sorted(r.store_id for r in conn.execute(
        sa.select(db.user_stores.c.store_id).where(db.user_stores.c.user_id == row.id))))
    return Account(row.id, row.username, row.display_name, row.role, bool(row.active), regions,
                   row.session_epoch, row.email or "", stores)


def get(database: db.AppDB, user_id: int) -> Account | None:
    with database.begin() as conn:
        row = conn.execute(sa.select(db.users).where(db.users.c.id == user_id)).first()
        return _account(conn, row) if row else None


def by_username(database: db.AppDB, username: str) -> Account | None:
    with database.begin() as conn:
        row = conn.execute(sa.select(db.users).where(
            db.users.c.username == username.strip().lower())).first()
        return _account(conn, row) if row else None


def list_accounts(database: db.AppDB) -> list[Account]:
    with database.begin() as conn:
        rows = conn.execute(sa.select(db.users).order_by(db.users.c.username)).all()
        return [_account(conn, row) for row in rows]


def count_active_admins(conn) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(db.users).where(
        db.users.c.role == "admin", db.users.c.active.is_(True))).scalar_one()


def create(database: db.AppDB, username: str, password: str, role: str,
           regions=(), display_name: str = "", actor: str | None = None,
           stores=()) -> Account:
    name, role = normalize_username(username), check_role(role)
    regions, stores = clean_regions(regions), clean_stores(stores)
    display_name = (display_name or "").strip()[:128]
    if role != "manager" and regions:
        raise UserError("only regional managers have assigned regions")
    if role != "store_manager" and stores:
        raise UserError("only store managers have assigned stores")
    try:
        password_hash = passwords.hash_password(password)
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    with database.begin() as conn:
        if conn.execute(sa.select(db.users.c.id).where(db.users.c.username == name)).first():
            raise UserError(f"user {name!r} already exists")
        user_id = conn.execute(sa.insert(db.users).values(
            username=name, display_name=display_name, password_hash=password_hash, role=role,
            active=True, session_epoch=0, created_at=db.now())).inserted_primary_key[0]
        _write(conn, REGIONS, user_id, regions)
        _write(conn, STORES, user_id, stores)
        audit.record(conn, "user_created", actor, name,
                     f"role {role}" + (f", regions {', '.join(regions)}" if regions else "")
                     + (f", stores {', '.join(stores)}" if stores else ""))
    account = get(database, user_id)
    assert account is not None
    return account


@dataclass(frozen=True)
class _Assigned:
    """Regions or stores a user is assigned: one table, the one role that may hold them."""

    table: sa.Table
    column: str
    role: str
    attribute: str  # the Account field
    event: str  # the audit event
    holders: str  # who may hold them, as the refusal says it


REGIONS = _Assigned(db.user_regions, "region", "manager", "regions", "regions_changed",
                    "regional managers have assigned regions")
STORES = _Assigned(db.user_stores, "store_id", "store_manager", "stores", "stores_changed",
                   "store managers have assigned stores")


def _write(conn, kind: _Assigned, user_id: int, values: tuple[str, ...]) -> None:
    conn.execute(sa.delete(kind.table).where(kind.table.c.user_id == user_id))
    if values:
        conn.execute(sa.insert(kind.table), [{"user_id": user_id, kind.column: v}
                                             for v in values])


def _change(conn, kind: _Assigned, row, role: str, values: tuple[str, ...],
            actor: str | None) -> None:
    """New assignments, audited; the user's sessions end, so the new scope applies at once."""
    if role != kind.role and values:
        raise UserError(f"{row.username} is {role}: only {kind.holders}")
    before = getattr(_account(conn, row), kind.attribute)
    if before != values:
        _write(conn, kind, row.id, values)
        _end_sessions(conn, row.id)
        audit.record(conn, kind.event, actor, row.username,
                     f"{', '.join(before) or 'none'} -> {', '.join(values) or 'none'}")


def set_stores(database: db.AppDB, username: str, stores, actor: str | None = None) -> Account:
    stores = clean_stores(stores)
    with database.begin() as conn:
        row = _row_for_update(conn, username)
        _change(conn, STORES, row, row.role, stores, actor)
    return by_username(database, row.username)


def _row_for_update(conn, username: str):
    row = conn.execute(sa.select(db.users).where(
        db.users.c.username == normalize_username(username))).first()
    if row is None:
        raise UserError(f"no user {username!r}")
    return row


def _keep_an_admin(conn, row, new_role: str, new_active: bool) -> None:
    losing = row.role == "admin" and row.active and (new_role != "admin" or not new_active)
    if losing and count_active_admins(conn) <= 1:
        raise UserError("this is the last active admin; make another admin first")


def _end_sessions(conn, user_id: int) -> None:
    """Every session of this user stops working (the session epoch moves on)."""
    conn.execute(sa.update(db.users).where(db.users.c.id == user_id).values(
        session_epoch=db.users.c.session_epoch + 1))
    conn.execute(sa.delete(db.sessions).where(db.sessions.c.user_id == user_id))


def _change_role(conn, row, role: str, actor: str | None) -> None:
    if row.role != role:
        _keep_an_admin(conn, row, role, bool(row.active))
        conn.execute(sa.update(db.users).where(db.users.c.id == row.id).values(role=role))
        _end_sessions(conn, row.id)
        audit.record(conn, "role_changed", actor, row.username, f"{row.role} -> {role}")


def _change_active(conn, row, role: str, active: bool, actor: str | None) -> None:
    if bool(row.active) != active:
        _keep_an_admin(conn, row, role, active)
        conn.execute(sa.update(db.users).where(db.users.c.id == row.id).values(active=active))
        _end_sessions(conn, row.id)
        audit.record(conn, "user_reactivated" if active else "user_deactivated", actor,
                     row.username)


def update(database: db.AppDB, username: str, role: str, regions, active: bool,
           actor: str | None = None, stores=None) -> Account:
    """Role, regions, stores and active together, all or nothing. A non-manager keeps no
    regions, a non-store-manager no stores; `stores=None` leaves a store manager's stores."""
    role, regions = check_role(role), clean_regions(regions)
    if role != "manager":
        regions = ()
    with database.begin() as conn:
        row = _row_for_update(conn, username)
        keep = _account(conn, row).stores if stores is None else clean_stores(stores)
        _change_role(conn, row, role, actor)
        _change(conn, REGIONS, row, role, regions, actor)
        _change(conn, STORES, row, role, keep if role == "store_manager" else (), actor)
        _change_active(conn, row, role, active, actor)
    return by_username(database, row.username)


def set_role(database: db.AppDB, username: str, role: str, actor: str | None = None) -> Account:
    """A new role; leaving the manager role drops the region assignments."""
    role = check_role(role)
    with database.begin() as conn:
        row = _row_for_update(conn, username)
        _change_role(conn, row, role, actor)
        if role != "manager":
            _change(conn, REGIONS, row, role, (), actor)
        if role != "store_manager":
            _change(conn, STORES, row, role, (), actor)
    return by_username(database, row.username)


def set_regions(database: db.AppDB, username: str, regions, actor: str | None = None) -> Account:
    regions = clean_regions(regions)
    with database.begin() as conn:
        row = _row_for_update(conn, username)
        _change(conn, REGIONS, row, row.role, regions, actor)
    return by_username(database, row.username)


def set_active(database: db.AppDB, username: str, active: bool,
               actor: str | None = None) -> Account:
    """Deactivating also ends the user's sessions (the session epoch moves on)."""
    with database.begin() as conn:
        row = _row_for_update(conn, username)
        _change_active(conn, row, row.role, active, actor)
    return by_username(database, row.username)


def set_email(database: db.AppDB, username: str, email: str,
              actor: str | None = None) -> Account:
    """Where this user's report subscriptions are mailed; "" removes the address."""
    address = clean_email(email)
    with database.begin() as conn:
        row = _row_for_update(conn, username)
        if (row.email or "") != address:
            conn.execute(sa.update(db.users).where(db.users.c.id == row.id).values(email=address))
            audit.record(conn, "email_changed", actor, row.username,
                         f"{row.email or 'none'} -> {address or 'none'}")
    return by_username(database, row.username)


def set_password(database: db.AppDB, username: str, password: str,
                 actor: str | None = None) -> Account:
    try:
        password_hash = passwords.hash_password(password)
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    with database.begin() as conn:
        row = _row_for_update(conn, username)
        conn.execute(sa.update(db.users).where(db.users.c.id == row.id).values(
            password_hash=password_hash))
        _end_sessions(conn, row.id)
        audit.record(conn, "password_reset", actor, row.username)
    lockout.forget(counters.open_counters(database), row.username)
    return by_username(database, row.username)


def authenticate(database: db.AppDB, username: str, password: str,
                 address: str | None = None) -> Account | None:
    """The account if the password is right; None if not; LockedOut after too many failures.

    Unknown names, wrong passwords and inactive accounts look the same to the caller, and an
    unknown name still costs one hash verification, so neither answer nor timing tells them apart.
    Repeated failures and locked attempts are audited as one entry with a count.
    """
    name = (username or "").strip().lower()[:64]
    attempts = counters.open_counters(database)
    try:
        attempt = lockout.begin(attempts, name, address)
    except LockedOut as exc:
        by_address = exc.reason == "address"
        with database.begin_write() as conn:  # an address's locked tries: one entry, any name
            audit.record_repeated(conn, "sign_in_locked", None if by_address else name,
                                  "too many failed sign-ins from this address" if by_address
                                  else "too many failed sign-ins for this user name",
                                  address, lockout.window())
        raise
    with database.begin() as conn:
        row = conn.execute(sa.select(db.users).where(db.users.c.username == name)).first()
    ok = passwords.verify_password(row.password_hash if row else None, password or "")
    with database.begin_write() as conn:
        if not ok or not row.active:
            audit.record_repeated(conn, "sign_in_failed", name,
                                  "inactive account" if ok else "wrong user name or password",
                                  address, lockout.window())
            return None
        if passwords.needs_rehash(row.password_hash):
            conn.execute(sa.update(db.users).where(db.users.c.id == row.id).values(
                password_hash=passwords.rehash(password)))
        audit.record(conn, "sign_in", name, name, "", address)
        account = _account(conn, row)
    lockout.succeeded(attempts, attempt)
    return account
