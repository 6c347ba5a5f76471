from __future__ import annotations

import sqlite3

import pytest

from assetdesk.core.provider import Provider
from assetdesk.store.db import open_database


def test_each_provider_is_a_value_the_catalog_accepts(tmp_path):
    connection = open_database(tmp_path / "catalog.sqlite3")
    try:
        accepted = []
        for provider in Provider:
            connection.execute(
                "INSERT INTO assets (provider, remote_id, origin, added_at) VALUES (?, ?, ?, ?)",
                (provider, f"id-{provider}", "pasted", "2026-12-05T12:00:00Z"),
            )
            accepted.append(provider)
        rows = connection.execute("SELECT provider FROM assets ORDER BY id").fetchall()
    finally:
        connection.close()
    assert [Provider(row[0]) for row in rows] == accepted == list(Provider)


def test_a_name_the_catalog_does_not_know_is_refused(tmp_path):
    connection = open_database(tmp_path / "catalog.sqlite3")
    try:
        with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
            connection.execute(
                "INSERT INTO assets (provider, remote_id, origin, added_at) VALUES (?, ?, ?, ?)",
                ("google_flow", "x", "pasted", "2026-12-05T12:00:00Z"),
            )
    finally:
        connection.close()


def test_labels_are_the_names_users_read():
    assert [p.label for p in Provider] == ["Google Flow", "Runway", "Wordbee"]
    assert Provider("runway") is Provider.RUNWAY
