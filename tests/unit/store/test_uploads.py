"""store/uploads.py: the upload queue's rows on a real SQLite file, across reopening."""

from __future__ import annotations

from pathlib import Path

from assetdesk.core.provider import Provider
from assetdesk.store.db import open_database
from assetdesk.store.uploads import ItemState, QueueRow, UploadQueueStore

CUT_OFF = "Cut off after the whole file."


def test_each_target_is_kept_whole_across_a_reopen(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    rows = [
        QueueRow(
            path="/p/a.png",
            name="a.png",
            state=ItemState.PENDING,
            account_id=1,
            account_name="Studio",
            email="jo@x.co",
        ),
        QueueRow(
            path="/p/b.mov",
            name="b.mov",
            state=ItemState.FAILED,
            provider=Provider.RUNWAY,
            account_id=1,
            account_name="Studio",
            email=None,
            message="Not on Runway.",
        ),
        QueueRow(
            path="/p/c.psd",
            name="c.psd",
            state=ItemState.UNKNOWN,
            provider=Provider.WORDBEE,
            account_id=2,
            account_name="Agency",
            scope="pr7214",
            segment_id=27665601,
            locale="fr",
            folder="shots/day 1",
            relative_path="refs/shots/day 1",
            remote_id="pr7214/27665601/fr/refs/c.psd",
            sent_at="2026-12-05T12:00:00+00:00",
        ),
    ]
    conn = open_database(path)
    added = UploadQueueStore(conn).add(rows)
    conn.close()

    conn = open_database(path)
    again = UploadQueueStore(conn)
    try:
        assert again.rows() == added
        assert [row.provider for row in again.rows()] == [
            Provider.GOOGLE_FLOW,
            Provider.RUNWAY,
            Provider.WORDBEE,
        ]
    finally:
        conn.close()


def test_a_crash_leaves_rows_whose_whole_body_had_gone_unknown_and_the_others_pending(
    tmp_path: Path,
) -> None:
    path = tmp_path / "a.sqlite3"
    conn = open_database(path)
    store = UploadQueueStore(conn)
    _, all_sent, done = store.add(
        [
            QueueRow(path="/p/a.mp4", name="a.mp4", state=ItemState.UPLOADING),
            QueueRow(path="/p/b.mp4", name="b.mp4", state=ItemState.UPLOADING),
            QueueRow(path="/p/c.mp4", name="c.mp4", state=ItemState.DONE),
        ]
    )
    assert all_sent.id is not None and done.id is not None
    store.mark_sent(all_sent.id, "2026-12-05T12:00:00+00:00")
    store.mark_sent(done.id, "2026-12-05T12:00:00+00:00")  # a finished row is left alone
    conn.close()

    conn = open_database(path)
    again = UploadQueueStore(conn)
    try:
        assert again.return_in_flight(CUT_OFF) == (1, 1)
        by_name = {row.name: row for row in again.rows()}
        assert by_name["a.mp4"].state is ItemState.PENDING
        assert by_name["a.mp4"].message is None
        assert by_name["b.mp4"].state is ItemState.UNKNOWN
        assert (by_name["b.mp4"].message, by_name["b.mp4"].error_kind) == (
            CUT_OFF,
            "outcome_unknown",
        )
        assert by_name["c.mp4"].state is ItemState.DONE and by_name["c.mp4"].sent_at is None
        assert again.return_in_flight(CUT_OFF) == (0, 0)
    finally:
        conn.close()
