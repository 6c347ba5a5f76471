"""The confirmation's numbers (services/library_delete.delete_summary): per service and account,
and the same counted by SQLite (store/library_query.place_counts) for a selection too large to
read."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.library_assets import listed_asset

from assetdesk.core.provider import Provider
from assetdesk.services.library_delete import delete_summary, summary_of_places
from assetdesk.store.db import open_database, transaction
from assetdesk.store.library import Asset, AssetDraft, LibraryStore
from assetdesk.store.library_query import place_counts


def asset(n: int, provider: Provider, email: str | None, scope: str | None = None) -> Asset:
    return listed_asset(
        n,
        provider=provider,
        remote_id=f"id{n}",
        name=f"a{n}.png",
        account_id=1,
        account_email=email,
        added_at="2026-01-01 00:00:00",
        scope=scope,
    )


def test_counts_per_service_and_account_and_a_sentence() -> None:
    chosen = [
        *(asset(n, Provider.GOOGLE_FLOW, "jo@gmail.com") for n in range(3)),
        asset(3, Provider.GOOGLE_FLOW, "al@gmail.com"),
        asset(4, Provider.RUNWAY, "rw@example.com"),
        asset(5, Provider.WORDBEE, None, "pr7214"),
    ]
    summary = delete_summary(chosen)
    assert summary.total == 6
    assert summary.places == (
        ("Google Flow", "al@gmail.com", 1),
        ("Google Flow", "jo@gmail.com", 3),
        ("Runway", "rw@example.com", 1),
        ("Wordbee", "project pr7214", 1),
    )
    assert summary.sentence() == (
        "6 assets: 1 on Google Flow (al@gmail.com); 3 on Google Flow (jo@gmail.com); "
        "1 on Runway (rw@example.com); 1 on Wordbee (project pr7214)"
    )
    assert delete_summary([chosen[4]]).sentence() == "1 asset: 1 on Runway (rw@example.com)"


def test_an_asset_without_an_email_names_its_account_never_a_negative_number() -> None:
    from dataclasses import replace

    saved = replace(asset(1, Provider.RUNWAY, None), account_id=4)
    session = replace(asset(2, Provider.GOOGLE_FLOW, None), account_id=-1)
    assert delete_summary([saved, session]).sentence() == (
        "2 assets: 1 on Google Flow (a sandbox account); 1 on Runway (account 4)"
    )


def test_the_summary_sqlite_counts_says_what_the_assets_counted_in_python_say(
    tmp_path: Path,
) -> None:
    conn = open_database(tmp_path / "catalog.sqlite")
    try:
        places = [
            (Provider.GOOGLE_FLOW, 1, "jo@gmail.com", None),
            (Provider.GOOGLE_FLOW, 1, "al@gmail.com", None),
            (Provider.GOOGLE_FLOW, -1, None, None),
            (Provider.RUNWAY, 2, "rw@example.com", None),
            (Provider.RUNWAY, 4, None, None),
            (Provider.RUNWAY, None, None, None),
            (Provider.WORDBEE, 3, None, "pr7214"),
            (Provider.WORDBEE, 5, "x@example.com", "pr7214"),  # the same project, another account
            (Provider.WORDBEE, 3, None, None),
        ]
        stored = LibraryStore(conn).add(
            [
                AssetDraft(
                    provider,
                    f"id{n}",
                    "listed",
                    account_id=account,
                    account_email=email,
                    scope=scope,
                )
                for n in range(1200)  # more than one IN (...) chunk of the store's reads
                for provider, account, email, scope in [places[n % len(places)]]
            ]
        )
        with transaction(conn):
            conn.execute("UPDATE assets SET gone_at = 'x' WHERE id % 7 = 0")
        ids = [asset.id for asset in stored.assets][:1100]
        counted = summary_of_places(place_counts(conn, ids))
        in_python = delete_summary(list(LibraryStore(conn).many(ids).values()))
        assert counted == in_python
        assert counted.total == 1100 and counted.gone == sum(1 for i in ids if i % 7 == 0)
        assert len(counted.places) == 8  # the two Wordbee accounts of pr7214: one line
        assert ("Wordbee", "project pr7214", 244) in counted.places
        assert summary_of_places(place_counts(conn, [])) == delete_summary([])
    finally:
        conn.close()
