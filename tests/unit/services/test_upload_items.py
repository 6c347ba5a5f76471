"""services/upload_items.py: upload targets of every service, and aiming a row at one."""

from __future__ import annotations

import pytest

from assetdesk.core.provider import Provider
from assetdesk.services.upload_items import (
    UploadItem,
    UploadTarget,
    apply_target,
    join_folder,
    summarize,
)
from assetdesk.store.uploads import ItemState, QueueRow


def test_each_constructor_names_its_service_and_a_label_reads_in_one_line() -> None:
    flow = UploadTarget.google_flow(3, "studio", "a@b.c")
    runway = UploadTarget.runway(3, "studio")
    wordbee = UploadTarget.wordbee(5, "agency", "pr7214", 27665601, "fr", "/refs/")
    assert (flow.provider, runway.provider, wordbee.provider) == (
        Provider.GOOGLE_FLOW,
        Provider.RUNWAY,
        Provider.WORDBEE,
    )
    assert flow.label == "Google Flow · studio · a@b.c"
    assert runway.label == "Runway · studio · its only Runway account"
    assert wordbee.label == "Wordbee · pr7214 · segment 27665601 · fr · refs"
    assert UploadTarget.wordbee(5, "agency", "pr7", 1).label == "Wordbee · pr7 · segment 1"
    assert wordbee.relative_path == "refs"
    # The Google Flow target built as before (positional) is the same as the constructor's.
    assert UploadTarget(3, "studio", "a@b.c") == flow


@pytest.mark.parametrize(
    ("base", "folder", "joined"),
    [
        (None, None, None),
        ("", "", None),
        ("refs", None, "refs"),
        (None, "shots/day 1", "shots/day 1"),
        ("/refs/", "shots\\day 1", "refs/shots/day 1"),
        ("refs\\fr", "/a/", "refs/fr/a"),
    ],
)
def test_join_folder(base: str | None, folder: str | None, joined: str | None) -> None:
    assert join_folder(base, folder) == joined


def test_a_row_aimed_at_another_target_keeps_its_folder_and_drops_the_old_targets_fields() -> None:
    row = QueueRow(path="/d/shots/a.png", name="a.png", state=ItemState.PENDING, folder="shots")
    apply_target(row, UploadTarget.wordbee(5, "agency", "pr7214", 27, "fr", "refs"))
    assert (row.provider, row.account_id, row.scope, row.segment_id, row.locale) == (
        Provider.WORDBEE,
        5,
        "pr7214",
        27,
        "fr",
    )
    assert row.relative_path == "refs/shots" and row.email is None

    apply_target(row, UploadTarget.runway(3, "studio", "a@b.c"))
    assert (row.provider, row.account_id, row.account_name, row.email) == (
        Provider.RUNWAY,
        3,
        "studio",
        "a@b.c",
    )
    assert (row.scope, row.segment_id, row.locale, row.relative_path) == (None,) * 4
    assert row.folder == "shots"  # kept for the next Wordbee target


def test_items_waiting_for_a_secret_are_counted_apart_and_keep_the_queue_idle() -> None:
    def pending(n: int, *, needs_secret: bool) -> UploadItem:
        item = UploadItem(QueueRow(path=f"/f{n}", name=f"f{n}", state=ItemState.PENDING, size=10))
        item.row.id = n
        item.needs_secret = needs_secret
        return item

    held = [pending(1, needs_secret=True), pending(2, needs_secret=True)]
    summary = summarize(held)
    assert (summary.needs_secret, summary.queued, summary.waiting) == (2, 0, 0)
    assert not summary.busy
    assert summary.bytes_total == 20
    summary = summarize([*held, pending(3, needs_secret=False)])
    assert (summary.needs_secret, summary.queued, summary.busy) == (2, 1, True)
