"""The Wordbee projects the Library follows, per Wordbee account: named once by the user
(pasting `pr7214`), remembered in the catalog's settings, refreshed with everything else."""

from __future__ import annotations

import sqlite3

from assetdesk.core.ids import WordbeeScope
from assetdesk.store.settings import Settings

__all__ = ["follow_project", "followed_projects"]


def _name(account_id: int) -> str:
    return f"library.wordbee_projects.{account_id}"


def followed_projects(conn: sqlite3.Connection, account_id: int) -> list[str]:
    """The scopes followed for this Wordbee account, in the order they were named."""
    text = Settings(conn).get(_name(account_id)) or ""
    return [scope for scope in text.split(",") if scope]


def follow_project(conn: sqlite3.Connection, account_id: int, scope: WordbeeScope) -> bool:
    """Follow `scope` from now on; False when it was followed already."""
    scopes = followed_projects(conn, account_id)
    if str(scope) in scopes:
        return False
    Settings(conn).put(_name(account_id), ",".join([*scopes, str(scope)]))
    return True
