"""Account commands: `dashboard users ...`, `dashboard create-admin`, `dashboard demo-users`.

Passwords are read from standard input (--password-stdin) or generated and printed once; there is
no default password anywhere.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from dashboard import config
from dashboard.auth import db, passwords, users
from dashboard.command_line import shown

DEMO_ACCOUNTS = (  # username, role, regions, display name
    ("demo-analyst", "analyst", (), "Demo Analyst"),
    ("demo-north", "manager", ("North",), "Demo North Manager"),
    ("demo-south-west", "manager", ("South", "West"), "Demo South & West Manager"),
)
# A store manager of the first North store (by id) of the loaded sample.
DEMO_STORE_MANAGER = ("demo-store-north", "North", "Demo North Store Manager")


def open_db() -> db.AppDB:
    return db.AppDB(config.app_db_url())


def regions_arg(text: str) -> list[str]:
    return [r.strip() for r in text.split(",") if r.strip()]


def _password(args) -> tuple[str, bool]:
    """(password, generated?) from stdin when asked, else a new random one."""
    if getattr(args, "password_stdin", False):
        return sys.stdin.readline().rstrip("\r\n"), False
    return passwords.generate_password(), True


def _show_password(username: str, secret: str) -> None:
    print(f"password for {username}: {secret}")
    print("  (shown once: pass it on privately; it is stored only as an argon2 hash)")


def _describe(account: users.Account) -> str:
    regions = (", ".join(account.regions) if account.role == "manager" else
               "stores " + (", ".join(account.stores) or "none")
               if account.role == "store_manager" else "all regions")
    state = "" if account.active else " [inactive]"
    email = f" <{account.email}>" if account.email else ""
    return f"{account.username:<24} {account.role:<8} {regions}{email}{state}"


def cmd_users_create(args) -> int:
    secret, generated = _password(args)
    database = open_db()
    if getattr(args, "email", None):
        users.clean_email(args.email)  # refused before the account is made
    account = users.create(database, args.username, secret, args.role,
                           regions_arg(args.regions or ""), args.name or "", "cli",
                           regions_arg(getattr(args, "stores", None) or ""))
    if getattr(args, "email", None):
        account = users.set_email(database, account.username, args.email, "cli")
    print(f"created {_describe(account)}")
    if generated:
        _show_password(account.username, secret)
    return 0


def cmd_create_admin(args) -> int:
    args.role, args.regions = "admin", ""
    return cmd_users_create(args)


def cmd_users_list(_args) -> int:
    for account in users.list_accounts(open_db()):
        print(_describe(account))
    return 0


def cmd_users_set_role(args) -> int:
    print(f"updated {_describe(users.set_role(open_db(), args.username, args.role, 'cli'))}")
    return 0


def cmd_users_set_regions(args) -> int:
    account = users.set_regions(open_db(), args.username, regions_arg(args.regions), "cli")
    print(f"updated {_describe(account)}")
    return 0


def cmd_users_set_stores(args) -> int:
    account = users.set_stores(open_db(), args.username, regions_arg(args.stores), "cli")
    print(f"updated {_describe(account)}")
    return 0


def cmd_users_active(args) -> int:
    account = users.set_active(open_db(), args.username, args.active, "cli")
    print(f"updated {_describe(account)}")
    return 0


def cmd_users_set_email(args) -> int:
    account = users.set_email(open_db(), args.username, args.email, "cli")
    print(f"updated {_describe(account)}")
    return 0


def cmd_users_reset_password(args) -> int:
    secret, generated = _password(args)
    account = users.set_password(open_db(), args.username, secret, "cli")
    print(f"new password set for {account.username}; their sessions have ended")
    if generated:
        _show_password(account.username, secret)
    return 0


def warehouse_source(root: Path) -> str | None:
    """The `source` the current warehouse version was loaded from ('sample' for the demo)."""
    from dashboard.warehouse.backends import open_warehouse
    from dashboard.warehouse.store import NoWarehouseError

    warehouse = open_warehouse(root)
    try:
        with warehouse.cursor() as cur:
            rows = cur.execute("SELECT value FROM meta WHERE key = 'source'").fetchall()
    except NoWarehouseError:
        return None
    finally:
        warehouse.close()
    return json.loads(rows[0][0]) if rows else None


def first_store_of(root: Path, region: str) -> str | None:
    """The lowest store id of `region` in the current warehouse version (as text)."""
    from dashboard.warehouse.backends import open_warehouse

    warehouse = open_warehouse(root)
    try:
        with warehouse.cursor() as cur:
            rows = cur.execute("SELECT CAST(store_id AS VARCHAR) FROM stores WHERE region = ? "
                               "ORDER BY store_id LIMIT 1", [region]).fetchall()
    finally:
        warehouse.close()
    return rows[0][0] if rows else None


def create_demo_users(root: Path) -> int:
    """Demo accounts, only over the sample retailer; prints each generated password."""
    source = warehouse_source(root)
    if source != "sample":
        print(f"demo users are only for the sample data; the loaded data comes from "
              f"{source or 'nowhere (nothing loaded)'}", file=sys.stderr)
        return 2
    database = open_db()
    for username, role, regions, name in DEMO_ACCOUNTS:
        secret = passwords.generate_password()
        if users.by_username(database, username) is None:
            users.create(database, username, secret, role, regions, name, "cli (demo)")
        else:
            users.set_password(database, username, secret, "cli (demo)")
        print(f"demo user {username:<16} {role:<8} {', '.join(regions) or 'all regions':<12} "
              f"password: {secret}")
    username, region, name = DEMO_STORE_MANAGER
    store = first_store_of(root, region)
    if store is not None:
        secret = passwords.generate_password()
        if users.by_username(database, username) is None:
            users.create(database, username, secret, "store_manager", (), name, "cli (demo)",
                         (store,))
        else:
            users.set_password(database, username, secret, "cli (demo)")
            users.set_stores(database, username, (store,), "cli (demo)")
        print(f"demo user {username:<16} store_manager store {store} ({region})  "
              f"password: {secret}")
    return 0


def cmd_demo_users(args) -> int:
    return create_demo_users(Path(args.warehouse))


def ensure_first_admin() -> None:
    """First run of the app: when there is no active admin, make `admin` and print its password."""
    database = open_db()
    with database.begin() as conn:
        admins = users.count_active_admins(conn)
    if admins:
        return
    if users.by_username(database, "admin") is not None:
        print(f"no active admin: run `{shown('users', 'reset-password', 'admin')}` or "
              f"`{shown('create-admin', 'NAME')}`", file=sys.stderr)
        return
    secret = passwords.generate_password()
    users.create(database, "admin", secret, "admin", (), "Administrator", "first run")
    print("first run: created the admin account")
    print("  user name: admin")
    print(f"  password:  {secret}")
    print(f"  (shown once; change it with `{shown('users', 'reset-password', 'admin')}`)")


def prepare_run(args) -> None:
    """What `dashboard run` does to accounts before serving (see add_run_options)."""
    if args.admin_if_none:
        ensure_first_admin()
    if args.demo:
        create_demo_users(Path(args.warehouse))


def add_run_options(run_parser: argparse.ArgumentParser) -> None:
    run_parser.add_argument("--admin-if-none", action="store_true",
                            help="first run: create user 'admin' with a printed password when "
                                 "there is no active admin")
    run_parser.add_argument("--demo", action="store_true",
                            help="create demo users (sample data only) and print their passwords")


def add_parsers(sub) -> None:
    """Add the account commands to the `dashboard` parser's subcommands."""

    def password_option(p):
        p.add_argument("--password-stdin", action="store_true",
                       help="read the password from standard input instead of generating one")

    sp = sub.add_parser("create-admin", help="create an admin account (password printed once)")
    sp.add_argument("username", nargs="?", default="admin")
    sp.add_argument("--name", help="display name")
    password_option(sp)
    sp.set_defaults(func=guarded(cmd_create_admin))

    sp = sub.add_parser("demo-users", help="create demo accounts for the sample data")
    sp.set_defaults(func=guarded(cmd_demo_users))

    sp = sub.add_parser("users", help="list and change accounts, roles and regions")
    cmds = sp.add_subparsers(dest="users_command", required=True)
    c = cmds.add_parser("create", help="create an account")
    c.add_argument("username")
    c.add_argument("--role", required=True, choices=users.ROLES)
    c.add_argument("--regions", help="comma-separated regions (managers), e.g. North,South")
    c.add_argument("--stores", help="comma-separated store ids (store managers), e.g. 1,4")
    c.add_argument("--name", help="display name")
    c.add_argument("--email", help="address report subscriptions are mailed to")
    password_option(c)
    c.set_defaults(func=guarded(cmd_users_create))
    c = cmds.add_parser("list", help="list accounts")
    c.set_defaults(func=guarded(cmd_users_list))
    c = cmds.add_parser("set-role", help="change an account's role")
    c.add_argument("username")
    c.add_argument("role", choices=users.ROLES)
    c.set_defaults(func=guarded(cmd_users_set_role))
    c = cmds.add_parser("set-regions", help="assign a manager's regions ('' for none)")
    c.add_argument("username")
    c.add_argument("regions", help="comma-separated, e.g. North,South")
    c.set_defaults(func=guarded(cmd_users_set_regions))
    c = cmds.add_parser("set-stores", help="assign a store manager's stores ('' for none)")
    c.add_argument("username")
    c.add_argument("stores", help="comma-separated store ids, e.g. 1,4")
    c.set_defaults(func=guarded(cmd_users_set_stores))
    for name, active in (("activate", True), ("deactivate", False)):
        c = cmds.add_parser(name, help=f"{name} an account")
        c.add_argument("username")
        c.set_defaults(func=guarded(cmd_users_active), active=active)
    c = cmds.add_parser("set-email", help="set the address reports are mailed to ('' for none)")
    c.add_argument("username")
    c.add_argument("email")
    c.set_defaults(func=guarded(cmd_users_set_email))
    c = cmds.add_parser("reset-password", help="set a new password (printed once if generated)")
    c.add_argument("username")
    password_option(c)
    c.set_defaults(func=guarded(cmd_users_reset_password))


def guarded(func):
    """Run an account command, turning a UserError into a clear message and exit code 2."""

    def call(args) -> int:
        try:
            return func(args)
        except users.UserError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2

    return call
