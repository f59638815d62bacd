"""Saving, listing and restoring views, and who may see them.

A view is visible to its owner; a shared one also to everyone of its role (admins see every
shared view), or to every signed-in user when shared with "all". Private views are seen by their
owner only, admins included. Anything a user may not see is "not found" to them, so an id
cannot tell whether someone else's private view exists. Only the owner saves new versions or
restores one.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa

from dashboard.auth.db import AppDB, as_utc, now
from dashboard.auth.users import Account
from dashboard.views import content
from dashboard.views.tables import saved_view_versions as versions_t
from dashboard.views.tables import saved_views as views_t

SHARES = {"private": "Private (only me)", "analyst": "Analysts", "manager": "Regional managers",
          "admin": "Admins", "all": "Everyone signed in"}
PAGES = ("overview",)  # pages whose whole state is a query string (components/view_state.py)
STORY = "story"  # a user-built story (dashboard/story/saved.py), saved and versioned alike
MAX_NAME = 80
MAX_NOTE = 200


class ViewProblem(ValueError):
    """Something the user can fix (a bad name, an unknown sharing choice), in words."""


class ViewNotFound(LookupError):
    """No such view, or one this user may not see."""


class ViewForbidden(PermissionError):
    """A view this user may see but not change (someone else's shared view)."""


@dataclass(frozen=True)
class Version:
    view_id: int
    n: int
    query: str
    options: str
    data_version: int | None
    author: str
    saved_at: dt.datetime
    note: str

    @property
    def page_query(self) -> str:
        """The page's query string (no "?") that reproduces this version."""
        return content.joined(self.query, self.options)


@dataclass(frozen=True)
class SavedView:
    id: int
    name: str
    owner: str
    shared_role: str | None
    page: str
    created: dt.datetime
    versions: int
    latest: Version

    @property
    def sharing(self) -> str:
        return SHARES[self.shared_role or "private"]


def clean_name(name) -> str:
    if not isinstance(name, str):
        raise ViewProblem("give the view a name")
    name = " ".join(name.split())
    if not name:
        raise ViewProblem("give the view a name")
    if len(name) > MAX_NAME:
        raise ViewProblem(f"the name is too long (at most {MAX_NAME} characters)")
    if any(unicodedata.category(c).startswith("C") for c in name):
        raise ViewProblem("the name cannot hold control characters")
    return name


def clean_share(share) -> str | None:
    share = share or "private"
    if share not in SHARES:
        raise ViewProblem(f"share with one of: {', '.join(v for v in SHARES.values())}")
    return None if share == "private" else share


def may_see(account: Account, owner: str, shared_role: str | None) -> bool:
    if owner == account.username:
        return True
    if shared_role is None:
        return False
    return shared_role in ("all", account.role) or account.is_admin


def _version(row) -> Version:
    return Version(row.view_id, row.n, row.query, row.options, row.data_version, row.author,
                   as_utc(row.saved_at), row.note)


def _insert_version(conn, view_id: int, query: str, options: str, data_version, author: str,
                    note: str) -> int:
    last = conn.execute(sa.select(sa.func.max(versions_t.c.n))
                        .where(versions_t.c.view_id == view_id)).scalar() or 0
    conn.execute(versions_t.insert().values(
        view_id=view_id, n=last + 1, query=query, options=options,
        data_version=None if data_version is None else int(data_version), author=author,
        saved_at=now(), note=note[:MAX_NOTE]))
    return last + 1


def save(db: AppDB, account: Account, name, page_query: str, data_version: int | None,
         share=None, note: str = "", page: str = "overview") -> tuple[int, int]:
    """Save the page state under `name` for `account`: a new view, or a new version of their
    view of that name (its sharing follows the latest save). Returns (view id, version)."""
    if page not in PAGES:
        raise ViewProblem(f"views of the {page!r} page cannot be saved")
    try:
        query, options = content.split(page_query)
    except content.ContentProblem as exc:
        raise ViewProblem(str(exc)) from exc
    return _save(db, account, name, page, query, options, data_version, share, note)


def save_story(db: AppDB, account: Account, name, story_json: str, data_version: int | None,
               share=None, note: str = "") -> tuple[int, int]:
    """Save a story (already checked by dashboard/story/saved.check, as JSON) like a view:
    page "story", the JSON in the version's `options`, no query."""
    return _save(db, account, name, STORY, "", story_json, data_version, share, note)


def _save(db: AppDB, account: Account, name, page: str, query: str, options: str,
          data_version, share, note) -> tuple[int, int]:
    name, shared_role = clean_name(name), clean_share(share)
    note = " ".join(note.split()) if isinstance(note, str) else ""
    with db.begin_write() as conn:
        found = conn.execute(sa.select(views_t.c.id, views_t.c.page).where(
            views_t.c.owner == account.username, views_t.c.name == name)).first()
        if found is not None and found.page != page:
            kind = "story" if found.page == STORY else "saved view"
            raise ViewProblem(f"you already have a {kind} called {name!r}: choose another name")
        if found is None:
            view_id = conn.execute(views_t.insert().values(
                name=name, owner=account.username, shared_role=shared_role, page=page,
                created=now())).inserted_primary_key[0]
        else:
            view_id = found.id
            conn.execute(views_t.update().where(views_t.c.id == view_id)
                         .values(shared_role=shared_role))
        n = _insert_version(conn, view_id, query, options, data_version, account.username, note)
    return view_id, n


def _owned(db: AppDB, account: Account, view_id) -> SavedView:
    view = get(db, account, view_id)
    if view.owner != account.username:
        raise ViewForbidden("only the owner of a view can rename or delete it")
    return view


def rename(db: AppDB, account: Account, view_id, new_name) -> SavedView:
    """A new name for the owner's view; its id (and every subscription to it) stays."""
    view, name = _owned(db, account, view_id), clean_name(new_name)
    with db.begin_write() as conn:
        taken = conn.execute(sa.select(views_t.c.id).where(
            views_t.c.owner == account.username, views_t.c.name == name,
            views_t.c.id != view.id)).scalar()
        if taken is not None:
            raise ViewProblem(f"you already have a view or story called {name!r}")
        conn.execute(views_t.update().where(views_t.c.id == view.id).values(name=name))
    return get(db, account, view.id)


def delete(db: AppDB, account: Account, view_id) -> str:
    """Delete the owner's view and its versions; returns its name. Subscriptions to it stay
    and say why they stopped (report/subscriptions.py)."""
    view = _owned(db, account, view_id)
    with db.begin_write() as conn:
        conn.execute(versions_t.delete().where(versions_t.c.view_id == view.id))
        conn.execute(views_t.delete().where(views_t.c.id == view.id))
    return view.name


def exists(db: AppDB, view_id: int) -> bool:
    """Whether a view of this id exists at all (for saying why a subscription stopped; it
    tells its owner nothing about anyone else's views beyond the one they subscribed to)."""
    with db.begin() as conn:
        return conn.execute(sa.select(views_t.c.id).where(views_t.c.id == int(view_id))
                            ).scalar() is not None


def _views(conn, where) -> list[SavedView]:
    counts = (sa.select(versions_t.c.view_id, sa.func.max(versions_t.c.n).label("last"))
              .group_by(versions_t.c.view_id).subquery())
    rows = conn.execute(
        sa.select(views_t, counts.c.last, versions_t)
        .join(counts, counts.c.view_id == views_t.c.id)
        .join(versions_t, sa.and_(versions_t.c.view_id == views_t.c.id,
                                  versions_t.c.n == counts.c.last))
        .where(where)).all()
    return [SavedView(r.id, r.name, r.owner, r.shared_role, r.page, as_utc(r.created), r.last,
                      _version(r)) for r in rows]


def visible_views(db: AppDB, account: Account) -> list[SavedView]:
    """The views this account may open, last saved first."""
    shared = views_t.c.shared_role.is_not(None)
    role_ok = sa.true() if account.is_admin else views_t.c.shared_role.in_(("all", account.role))
    with db.begin() as conn:
        found = _views(conn, sa.or_(views_t.c.owner == account.username,
                                    sa.and_(shared, role_ok)))
    return sorted(found, key=lambda v: (v.latest.saved_at, v.id), reverse=True)


def get(db: AppDB, account: Account, view_id) -> SavedView:
    """The view with this id, if this account may see it; ViewNotFound otherwise."""
    try:
        view_id = int(view_id)
    except (TypeError, ValueError) as exc:
        raise ViewNotFound("no such view") from exc
    with db.begin() as conn:
        found = _views(conn, views_t.c.id == view_id)
    if not found or not may_see(account, found[0].owner, found[0].shared_role):
        raise ViewNotFound("no such view")
    return found[0]


def history(db: AppDB, account: Account, view_id) -> list[Version]:
    """Every version of a view this account may see, oldest first."""
    view = get(db, account, view_id)
    with db.begin() as conn:
        rows = conn.execute(sa.select(versions_t).where(versions_t.c.view_id == view.id)
                            .order_by(versions_t.c.n)).all()
    return [_version(r) for r in rows]


def restore(db: AppDB, account: Account, view_id, n, data_version: int | None) -> int:
    """A new version with the content of version n (the history stays as it was)."""
    view = get(db, account, view_id)
    if view.owner != account.username:
        raise ViewForbidden("only the owner of a view can restore its versions")
    old = next((v for v in history(db, account, view.id) if str(v.n) == str(n)), None)
    if old is None:
        raise ViewNotFound(f"view {view.name!r} has no version {str(n)[:20]!r}")
    with db.begin_write() as conn:
        return _insert_version(conn, view.id, old.query, old.options, data_version,
                               account.username, f"Restored version {old.n}")


def by_name(db: AppDB, account: Account, name: str, kind: str | None = None) -> SavedView:
    """A view by name for this account: their own first, else the one shared view of that
    name they may see ("owner/name" picks among several; a name may itself hold a "/").
    `kind` STORY looks among stories only, "view" among page views only."""
    visible = [v for v in visible_views(db, account)
               if kind is None or (v.page == STORY) == (kind == STORY)]
    found = [v for v in visible if v.name == " ".join(name.split())]
    if not found and "/" in name:
        owner, _, bare = name.partition("/")
        found = [v for v in visible if v.owner == owner and v.name == " ".join(bare.split())]
    own = [v for v in found if v.owner == account.username]
    if own:
        return own[0]
    if len(found) == 1:
        return found[0]
    if not found:
        what = "story" if kind == STORY else "saved view"
        raise ViewNotFound(f"no {what} {name!r} that {account.username} may see")
    owners = ", ".join(sorted(f"{v.owner}/{v.name}" for v in found))
    raise ViewProblem(f"several views are called {name!r}: name one as OWNER/NAME ({owners})")
