"""Where the catalog's assets live, counted: the rows of the Library's source tree.

One row per place (provider, account, Google account, Google Flow project, Wordbee scope and
segment) with how many assets it holds, how many the service says were uploads or generations,
and how many are gone. The tree is provider -> account -> project (Google Flow), account
(Runway), project -> segment (Wordbee); the UI folds these rows into it. One GROUP BY over the
`assets_source` index of migration 4.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from assetdesk.core.provider import Provider

__all__ = ["SourceCount", "source_counts"]


@dataclass(frozen=True, slots=True)
class SourceCount:
    """The assets of one place; `uploads` + `generated` <= `assets` (the rest: not said)."""

    provider: Provider
    account_id: int | None
    account_email: str | None
    project_id: str | None  # Google Flow
    scope: str | None  # Wordbee
    segment_id: int | None  # Wordbee
    assets: int
    uploads: int
    generated: int
    gone: int


_COUNTS = """
    SELECT provider, account_id, account_email, project_id, scope, segment_id,
           count(*),
           count(CASE WHEN uploaded = 1 THEN 1 END),
           count(CASE WHEN uploaded = 0 THEN 1 END),
           count(gone_at)
    FROM assets
    GROUP BY provider, account_id, account_email, project_id, scope, segment_id
    ORDER BY provider, account_id, account_email, project_id, scope, segment_id
"""


def source_counts(conn: sqlite3.Connection) -> list[SourceCount]:
    """Every place that holds an asset, with its counts, in a stable order."""
    cursor = conn.cursor()
    cursor.row_factory = None
    return [SourceCount(Provider(row[0]), *row[1:]) for row in cursor.execute(_COUNTS)]
