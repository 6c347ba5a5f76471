"""An SQL script as the statements it holds (a trigger's body keeps its own semicolons)."""

from __future__ import annotations

import sqlite3


def statements(script: str) -> list[str]:
    """Split a script into complete statements, each run on its own (executescript() would
    commit the transaction the caller holds)."""
    found: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip():
                found.append(pending.strip())
            pending = ""
    if pending.strip():
        found.append(pending.strip())
    return found
