"""services/refresh_progress.py: the Library's progress line, word for word."""

from __future__ import annotations

from assetdesk.core.errors import SessionExpired
from assetdesk.core.provider import Provider
from assetdesk.services.refresh_progress import (
    RefreshProgress,
    failed_line,
    finished_line,
    progress_line,
    where,
)
from assetdesk.store.library_sync import SyncResult


def test_the_line_while_a_flow_account_is_listed() -> None:
    progress = RefreshProgress(Provider.GOOGLE_FLOW, "jo.demo@x.co", 3, 7, 812)
    assert progress_line(progress) == "Google Flow jo.demo@…: project 3 of 7, 812 assets"


def test_the_line_before_counts_are_known_and_for_other_services() -> None:
    assert progress_line(RefreshProgress(Provider.GOOGLE_FLOW, "jo@x.co")) == (
        "Google Flow jo@…: 0 assets"
    )
    assert progress_line(RefreshProgress(Provider.RUNWAY, "jo@x.co", 4, None, 1)) == (
        "Runway jo@…: page 4, 1 asset"
    )
    assert progress_line(RefreshProgress(Provider.WORDBEE, "pr7214", 2, 3, 1500)) == (
        "Wordbee pr7214: segment batch 2 of 3, 1,500 assets"
    )


def test_where_cuts_the_email_at_the_at_sign_only() -> None:
    assert where(Provider.RUNWAY, "jo.demo@example.com") == "Runway jo.demo@…"
    assert where(Provider.WORDBEE, "pr7") == "Wordbee pr7"
    assert where(Provider.RUNWAY, "@odd") == "Runway @odd"


def test_the_line_when_a_source_is_done() -> None:
    done = SyncResult(added=5, updated=2, unchanged=990, gone=3)
    assert finished_line(Provider.GOOGLE_FLOW, "jo@x.co", 1000, done) == (
        "Google Flow jo@…: 1,000 assets, 5 new, 2 changed, 3 gone"
    )
    same = SyncResult(added=0, updated=0, unchanged=300, gone=0)
    assert finished_line(Provider.RUNWAY, "jo@x.co", 300, same) == (
        "Runway jo@…: 300 assets, no change"
    )


def test_the_line_when_an_account_fails() -> None:
    error = SessionExpired("the Google account jo@x.co must be reconnected", status=596)
    assert failed_line(Provider.GOOGLE_FLOW, "jo@x.co", error) == (
        "Google Flow jo@…: not refreshed — The Google account jo@x.co must be reconnected."
    )
