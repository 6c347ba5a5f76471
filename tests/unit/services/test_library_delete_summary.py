"""The confirmation's numbers (services/library_delete.delete_summary): per service and account."""

from __future__ import annotations

from assetdesk.core.provider import Provider
from assetdesk.services.library_delete import delete_summary
from assetdesk.store.library import Asset


def asset(n: int, provider: Provider, email: str | None, scope: str | None = None) -> Asset:
    return Asset(
        id=n,
        provider=provider,
        remote_id=f"id{n}",
        kind="image",
        name=f"a{n}.png",
        mime=None,
        size=None,
        width=None,
        height=None,
        duration_seconds=None,
        account_id=1,
        account_email=email,
        source_path=None,
        origin="listed",
        created_at=None,
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
