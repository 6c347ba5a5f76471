"""The sums and the line of a batch of downloads (ui/library/download_batch.py)."""

from __future__ import annotations

from pathlib import Path

from assetdesk.transfer.progress import Phase, TransferProgress
from assetdesk.ui.library.download_batch import Batch, BatchSums, batch_text
from assetdesk.ui.library.downloads import Download


def _download(title: str, state: str, size: int | None, done: int | None = None) -> Download:
    download = Download(title, Path("/tmp"), state=state, size=size)
    if done is not None:
        download.progress = TransferProgress(Phase.DOWNLOADING, done, size, 0.0, None)
    return download


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_running_batch_sums_files_and_bytes_and_gives_its_own_speed_and_time_left() -> None:
    clock = _Clock()
    batch = Batch(clock)
    running = _download("b.jpg", "running", 1000, 0)
    for download in (
        _download("a.jpg", "done", 1000, 1000),
        running,
        _download("c.jpg", "queued", 2000),
        _download("d.jpg", "failed", 5000, 10),  # not coming: not in the bytes
    ):
        batch.add(download)
    assert batch.sums() == BatchSums(4, 1, 1, 0, 1, 1, 1000, 4000)
    assert batch.line() == "1 of 4 saved · 1 running · 1 failed · 1 KB of 4 KB"
    clock.now += 2.0
    running.progress = TransferProgress(Phase.DOWNLOADING, 1000, 1000, 0.0, None)
    line = batch.line()  # 1000 bytes in 2 s: 500 B/s, 2000 left
    assert line.endswith("2 KB of 4 KB · 500 bytes/s · about 4 s left"), line
    assert not batch.finished and [d.title for d in batch.unfinished()] == ["b.jpg", "c.jpg"]


def test_an_unknown_size_leaves_the_total_and_the_time_left_out() -> None:
    batch = Batch()
    batch.add(_download("a.jpg", "running", None))
    batch.add(_download("b.jpg", "queued", None))
    assert batch.sums().bytes_total is None
    assert batch_text(batch.sums(), 800.0, []) == "0 of 2 saved · 1 running · 0 bytes · 800 bytes/s"


def test_the_end_names_the_failures_and_counts_the_rest() -> None:
    assert batch_text(BatchSums(40, 40, 0, 0, 0, 0, 10, 10), 0.0, []) == "40 of 40 saved"
    failed = ["a.jpg", "b.png", "c.mp4", "d.jpg", "e.jpg"]
    sums = BatchSums(40, 33, 5, 2, 0, 0, 10, 10)
    assert batch_text(sums, 0.0, failed) == (
        "5 of 40 failed: a.jpg, b.png, c.mp4 and 2 more · 33 saved · 2 cancelled"
    )
    assert batch_text(BatchSums(2, 0, 0, 2, 0, 0, 0, 0), 0.0, []) == "0 of 2 saved · 2 cancelled"


def test_ended_files_are_counted_and_let_go_the_failures_named_in_order() -> None:
    batch = Batch()
    for n in range(3000):
        batch.add(_download(f"{n}.jpg", "done", 10, 10))
    for title in ("a.jpg", "b.jpg", "c.jpg", "d.jpg"):
        batch.add(_download(title, "failed", 10))
    batch.add(_download("x.jpg", "running", 10, 5))
    assert batch.sums() == BatchSums(3005, 3000, 4, 0, 1, 0, 30005, 30010)
    assert [d.title for d in batch.downloads] == ["x.jpg"]  # only what is still to finish
    batch.downloads[0].state = "done"
    assert batch.sums() == BatchSums(3005, 3001, 4, 0, 0, 0, 30010, 30010)
    assert batch.line() == "4 of 3005 failed: a.jpg, b.jpg, c.jpg and 1 more · 3001 saved"
