"""transfer/progress.py: speed and time left come from a settled, smoothed estimate.

A fake clock drives the Meter here: the case the user saw (the first megabytes of an upload
vanish into the socket's buffers at once, then the link's real pace) needs exact timings that
a real clock and network cannot be made to produce deterministically."""

from __future__ import annotations

import pytest

from assetdesk.transfer.progress import SETTLE, SHARE, WARMUP, Meter, Phase, TransferProgress

MB = 1_000_000
CHUNK = 64 * 1024


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def burst(meter: Meter, size: int) -> None:
    """`size` bytes counted at one instant (written into buffers)."""
    while size > 0:
        meter.add(min(CHUNK, size))
        size -= CHUNK


def pace(
    meter: Meter, clock: FakeClock, rate: float, seconds: float
) -> list[tuple[float, TransferProgress]]:
    """Bytes at `rate` per second for `seconds`, a chunk at a time; a snapshot after each."""
    seen = []
    end = clock.now + seconds
    while clock.now < end:
        clock.now += CHUNK / rate
        meter.add(CHUNK)
        seen.append((clock.now, meter.snapshot()))
    return seen


def test_a_first_burst_gives_neither_speed_nor_a_short_eta() -> None:
    """A 180 MB upload at 2 MB/s (90 s): 8 MB go at once, then the link's pace. The old sliding
    window said about 1 s left from the burst; the estimate waits, then is near the truth."""
    clock = FakeClock()
    meter = Meter(None, clock=clock)
    meter.total = 180 * MB
    meter.set_phase(Phase.DOWNLOADING)
    start = clock.now
    burst(meter, 8 * MB)
    assert meter.snapshot().speed == 0.0 and meter.snapshot().eta is None
    seen = pace(meter, clock, 2 * MB, 80)
    early = [p for t, p in seen if t - start < WARMUP - 0.11]
    assert early and all(p.speed == 0.0 and p.eta is None for p in early)
    shown = [(t, p) for t, p in seen if p.eta is not None]
    assert shown and shown[0][0] - start < WARMUP + 0.2
    for _, progress in shown:
        truth = (progress.total or 0) - progress.done
        truth /= 2 * MB
        assert 0.85 * truth <= (progress.eta or 0) <= 1.15 * truth, (progress, truth)
        assert 1.7 * MB <= progress.speed <= 2.3 * MB
    assert shown[0][1].eta is not None and shown[0][1].eta > 70


def test_the_speed_follows_a_slowdown() -> None:
    clock = FakeClock()
    meter = Meter(None, clock=clock)
    meter.total = 500 * MB
    pace(meter, clock, 4 * MB, 10)
    assert meter.speed() == pytest.approx(4 * MB, rel=0.02)
    pace(meter, clock, 1 * MB, 1)
    assert 1 * MB < meter.speed() < 4 * MB  # smoothed: neither the old pace nor the new yet
    pace(meter, clock, 1 * MB, 14)
    assert meter.speed() == pytest.approx(1 * MB, rel=0.05)
    progress = meter.snapshot()
    assert progress.eta == pytest.approx(((progress.total or 0) - progress.done) / MB, rel=0.05)


def test_a_short_transfer_shows_its_estimate_once_a_share_is_done() -> None:
    """3 MB at 6 MB/s is over in half a second: the share, not the warm-up, lets it show."""
    clock = FakeClock()
    meter = Meter(None, clock=clock)
    meter.total = 3 * MB
    seen = pace(meter, clock, 6 * MB, 0.5)
    shown = [p for _, p in seen if p.eta is not None]
    assert shown, "no estimate during a short transfer"
    assert all(p.done >= SHARE * 3 * MB for p in shown)
    assert all(p.speed == pytest.approx(6 * MB, rel=0.05) for p in shown)


def test_without_a_total_the_speed_shows_after_the_warm_up() -> None:
    clock = FakeClock()
    meter = Meter(None, clock=clock)
    seen = pace(meter, clock, 1 * MB, WARMUP + 1)
    assert all(p.eta is None for _, p in seen)
    assert seen[0][1].speed == 0.0
    assert seen[-1][1].speed == pytest.approx(1 * MB, rel=0.05)


def test_waiting_for_the_first_byte_does_not_count() -> None:
    """Connecting takes 5 s; the warm-up begins with the first byte."""
    clock = FakeClock()
    meter = Meter(None, clock=clock)
    meter.total = 100 * MB
    meter.set_phase(Phase.CONNECTING)
    clock.now += 5
    meter.report(force=True)
    seen = pace(meter, clock, 1 * MB, SETTLE + 0.5)
    assert all(p.speed == 0.0 for _, p in seen)


def test_a_resume_measures_anew_and_not_the_bytes_already_there() -> None:
    clock = FakeClock()
    meter = Meter(None, clock=clock)
    meter.total = 200 * MB
    pace(meter, clock, 4 * MB, 5)
    assert meter.speed() > 0
    meter.rebase(60 * MB)
    assert meter.snapshot() == TransferProgress(Phase.CONNECTING, 60 * MB, 200 * MB, 0.0, None)
    burst(meter, 4 * MB)
    pace(meter, clock, 1 * MB, WARMUP + 3)
    assert meter.speed() == pytest.approx(1 * MB, rel=0.05)
    meter.restart()
    assert (meter.done, meter.speed()) == (0, 0.0)


def test_reports_are_paced_and_done_has_no_time_left() -> None:
    clock = FakeClock()
    seen: list[TransferProgress] = []
    meter = Meter(seen.append, interval=0.05, clock=clock)
    meter.total = 10 * MB
    meter.set_phase(Phase.DOWNLOADING)
    pace(meter, clock, 1 * MB, 1.0)  # a chunk every 65 ms: one report each
    assert 14 <= len(seen) <= 17
    meter.set_phase(Phase.DONE)
    assert seen[-1].phase is Phase.DONE and seen[-1].eta == 0.0
