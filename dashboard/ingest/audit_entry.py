"""The audit-log entries of imports, written by the import itself (CLI and Data page alike).

The entry for a new version is committed before the switch to it, so a served version always
has one; an import killed before its switch gets an "interrupted" entry from the next import
that cleans up after it. The app database is opened per call: imports run in their own process.
"""

from __future__ import annotations

import sqlalchemy as sa

from dashboard.ingest.errors import ImportProblem


def record(action: str, actor: str, subject: str, detail: str) -> None:
    """One committed entry; a database that cannot take it stops the import with a message."""
    from dashboard.auth.audit import record as add
    from dashboard.auth.commands import open_db

    try:
        database = open_db()
        try:
            with database.begin() as conn:
                if conn.dialect.name == "sqlite":  # this commit is synced, not just written
                    conn.exec_driver_sql("PRAGMA synchronous = FULL")
                add(conn, action, actor, subject[:128], detail)
        finally:
            database.dispose()
    except sa.exc.SQLAlchemyError as exc:
        raise ImportProblem(f"could not write the audit-log entry ({type(exc).__name__}: "
                            f"{exc.orig if hasattr(exc, 'orig') else exc}); nothing was "
                            "changed: check DASHBOARD_APP_DB_URL") from exc


def new_version(user: str, files: list[str], via: str, version: int, rows: int) -> None:
    record("import", user, ", ".join(files), f"{via}: version {version}, {rows:,} sales rows")


def interrupted(notes: list[dict]) -> None:
    """Killed imports whose versions were never served (their files have been removed)."""
    for note in notes:
        if note.get("source") != "import":
            continue
        record("import", note.get("user") or "", ", ".join(note.get("files", [])),
               f"{note.get('via', 'import')} interrupted: version {note['version']} was never "
               "served (the import process stopped before the switch); its files were removed")
