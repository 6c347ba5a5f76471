"""A refresh's progress and outcome, in the words of the Library's progress line.

"Google Flow jo.demo@…: project 3 of 7, 812 assets" while it runs; "Google Flow jo.demo@…: 1,000
assets, 5 new, 2 changed, 3 gone" when a source is done; "Google Flow jo.demo@…: not refreshed —
<the error's sentence>" when an account fails (the others go on). Plain data and words: the UI
adapts them to its line, the CLI prints them.
"""

from __future__ import annotations

from dataclasses import dataclass

from assetdesk.core.errors import AssetDeskError, as_sentence
from assetdesk.core.provider import Provider
from assetdesk.store.library_sync import SyncResult

__all__ = ["RefreshProgress", "failed_line", "finished_line", "progress_line", "where"]

#: What a refresh counts its way through, per service: Google Flow projects, Runway listing
#: pages, Wordbee segment batches.
_STEPS = {
    Provider.GOOGLE_FLOW: "project",
    Provider.RUNWAY: "page",
    Provider.WORDBEE: "segment batch",
}


@dataclass(frozen=True, slots=True)
class RefreshProgress:
    """Where the refresh of one account is: step `step` of `steps` (None: not known yet or
    not counted) and how many assets it listed so far."""

    provider: Provider
    account: str  # the Google Flow or Runway email, or the Wordbee scope
    step: int | None = None
    steps: int | None = None
    assets: int = 0


def where(provider: Provider, account: str) -> str:
    """'Google Flow jo.demo@…': the service and the account, its email cut at the '@'."""
    local, at, _domain = account.partition("@")
    shown = f"{local}@…" if at and local else account
    return f"{provider.label} {shown}"


def _assets(count: int) -> str:
    return f"{count:,} asset" if count == 1 else f"{count:,} assets"


def progress_line(progress: RefreshProgress) -> str:
    """'Google Flow jo.demo@…: project 3 of 7, 812 assets'."""
    parts: list[str] = []
    if progress.step is not None:
        step = f"{_STEPS[progress.provider]} {progress.step}"
        parts.append(f"{step} of {progress.steps}" if progress.steps is not None else step)
    parts.append(_assets(progress.assets))
    return f"{where(progress.provider, progress.account)}: {', '.join(parts)}"


def finished_line(provider: Provider, account: str, listed: int, result: SyncResult) -> str:
    """'Runway jo@…: 300 assets, 5 new, 2 changed, 3 gone' ('…: 300 assets, no change')."""
    changes = [
        f"{count:,} {word}"
        for count, word in (
            (result.added, "new"),
            (result.updated, "changed"),
            (result.gone, "gone"),
        )
        if count
    ]
    tail = ", ".join(changes) if changes else "no change"
    return f"{where(provider, account)}: {_assets(listed)}, {tail}"


def failed_line(provider: Provider, account: str, error: AssetDeskError) -> str:
    """'Google Flow jo@…: not refreshed — The Google account must be reconnected.'"""
    return f"{where(provider, account)}: not refreshed — {as_sentence(str(error))}"
