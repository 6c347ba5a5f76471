"""The UI-stall benchmark's mixed queue: one batch to Google Flow, Runway and a Wordbee segment at
once (issue 14), dropped on the real window, target by target.

What it holds: the batch's plan (which file goes to which target, and the order of the drops),
the WAV files Runway and Wordbee get besides videos and images, the check that the sandbox holds
every file of the run with its size, and the rows of its table. ui_stall.py runs it in the same
window child as the Google Flow batch (`--part mixed`).

The drops alternate targets (Google Flow, Runway, Wordbee, then again), so that the queue's
first three uploads, one per target, run side by side, and every later item waits behind the
others' as a user's mixed queue does.
"""

from __future__ import annotations

import functools
import os
import statistics
import struct
from collections import Counter
from pathlib import Path
from typing import Any

from shared import BenchError, gap_figures, say, table_row

MIB = 1024 * 1024
PIECE = 8 * MIB  # random samples are written in pieces of this size, never whole
TARGETS = ("google-flow", "runway", "wordbee")  # as core.provider.Provider spells them
LABELS = {"google-flow": "Google Flow", "runway": "Runway", "wordbee": "Wordbee"}
WORDBEE_SCOPE = "pr7214"  # the sandbox's demo project and one of its segments
WORDBEE_SEGMENT = 27665601
DROPS_PER_TARGET = 3
RUNWAY_BUCKET = "runway-assets/"  # the sandbox's storage keys of uploaded assets
WORDBEE_BUCKET = "wordbee-assets/"


def make_sound(work: Path, index: int, size: int) -> Path:
    """A valid WAV of exactly `size` bytes: 48 kHz 16-bit stereo PCM of random samples. Made
    once and reused while its size matches."""
    path = work / f"sound-{index}-{size // MIB}MiB.wav"
    if path.exists() and path.stat().st_size == size:
        return path
    data = size - 44
    if data <= 0 or data % 4:
        raise BenchError(f"Cannot make a {size:,}-byte WAV (whole stereo frames after 44 bytes).")
    say(f"making {path} ...")
    rate, channels, bits = 48_000, 2, 16
    block = channels * bits // 8
    head = b"RIFF" + struct.pack("<I", size - 8) + b"WAVE"
    head += b"fmt " + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * block, block, bits)
    head += b"data" + struct.pack("<I", data)
    part = path.with_name(path.name + ".part")
    with part.open("wb") as out:
        out.write(head)
        left = data
        while left:
            piece = min(PIECE, left)
            out.write(os.urandom(piece))
            left -= piece
    part.replace(path)
    return path


def split(videos: list[Path], images: list[Path], sounds: list[Path]) -> dict[str, list[Path]]:
    """Which files go where: Google Flow the first half of the videos (MP4, its only video type)
    and 40 % of the images; Runway and Wordbee the other videos, images and the sounds alike."""
    half = max(1, len(videos) // 2)
    others = videos[half:]
    middle = (len(others) + 1) // 2  # Runway gets the first of the others
    first = round(len(images) * 0.4)
    second = first + (len(images) - first) // 2
    sound_half = len(sounds) // 2
    return {
        "google-flow": videos[:half] + images[:first],
        "runway": others[:middle] + images[first:second] + sounds[:sound_half],
        "wordbee": others[middle:] + images[second:] + sounds[sound_half:],
    }


def drops(by_target: dict[str, list[Path]]) -> list[tuple[str, list[Path]]]:
    """The drops, targets taking turns: each target's files in DROPS_PER_TARGET slices (its
    videos in the first), Google Flow, Runway, Wordbee, then the next slices."""
    slices: dict[str, list[list[Path]]] = {}
    for target, files in by_target.items():
        size = -(-len(files) // DROPS_PER_TARGET)  # rounded up
        slices[target] = [files[i : i + size] for i in range(0, len(files), size)]
    order: list[tuple[str, list[Path]]] = []
    for turn in range(DROPS_PER_TARGET):
        for target in TARGETS:
            if turn < len(slices.get(target, [])):
                order.append((target, slices[target][turn]))
    return order


def wordbee_objects(sb: Any) -> list[str]:
    """The keys the sandbox holds for Wordbee files (taken before a run: the seeded ones)."""
    return [o["key"] for o in sb.objects() if o["key"].startswith(WORDBEE_BUCKET)]


def check_stored(
    sb: Any, items: list[dict[str, Any]], sizes: dict[str, int], wordbee_before: list[str], who: str
) -> None:
    """The sandbox holds each item's file with the source's size, on the item's service."""
    objects = {o["key"]: o for o in sb.objects()}
    flow = {a["mediaGenerationId"]: a for a in sb.google_flow_assets()}
    runway = {
        key.split("/", 1)[1].split(".", 1)[0]: o
        for key, o in objects.items()
        if key.startswith(RUNWAY_BUCKET)
    }
    new_wordbee = Counter(
        o["size"]
        for key, o in objects.items()
        if key.startswith(WORDBEE_BUCKET) and key not in wordbee_before
    )
    wanted_wordbee: Counter[int] = Counter()
    for item in items:
        name, provider, size = Path(item["path"]).name, item["provider"], None
        if provider == "google-flow":
            size = (flow.get(item["id"]) or {}).get("object", {}).get("size")
        elif provider == "runway":
            size = (runway.get(str(item["id"]).rsplit("-asset:", 1)[-1]) or {}).get("size")
        elif provider == "wordbee":
            wanted_wordbee[sizes[item["path"]]] += 1
            continue
        if size != sizes[item["path"]]:
            where = LABELS.get(provider, provider)
            raise BenchError(f"{where} in the sandbox holds {size} bytes of the {who}'s {name}.")
    if new_wordbee != wanted_wordbee:
        raise BenchError(
            f"The Wordbee segment got files of sizes {sorted(new_wordbee.elements())}, "
            f"not the {who}'s {sorted(wanted_wordbee.elements())}."
        )


def load_line(by_target: dict[str, list[Path]], concurrency: int) -> str:
    """The batch in one line: files and MiB per target."""
    parts = []
    total = 0
    for target in TARGETS:
        files = by_target.get(target, [])
        size = sum(path.stat().st_size for path in files)
        total += size
        parts.append(f"{LABELS[target]} {len(files)} files ({size / MIB:.0f} MiB)")
    count = sum(len(files) for files in by_target.values())
    return f"{', '.join(parts)} = {count} files, {total / MIB:.0f} MiB, {concurrency} at once"


def mixed_summary(
    runs: Any, by_target: dict[str, list[Path]], concurrency: int, targets: tuple[float, float]
) -> dict[str, Any]:
    """The mixed rounds' figures as one JSON-able dict (`runs`: ui_stall.Runs, window only)."""
    gaps = gap_figures(runs.gaps_ms, "the mixed queue uploaded")
    p99_target, max_target = targets
    total = sum(path.stat().st_size for files in by_target.values() for path in files)
    window = statistics.median(runs.window_s)
    return {
        "rounds": len(runs.window_s),
        "load": {
            "line": load_line(by_target, concurrency),
            "files": {target: len(files) for target, files in by_target.items()},
            "bytes": total,
            "drops": len(drops(by_target)),
        },
        "gaps_ms": gaps
        | {
            "per_round": runs.gap_rounds,
            "worst_per_round": runs.worst,
            "target_p99": p99_target,
            "target_max": max_target,
            "p99_ok": gaps["p99"] <= p99_target,
            "max_ok": gaps["max"] <= max_target,
        },
        "window_s": {"median": window, "min": min(runs.window_s), "all": runs.window_s},
        "window_bytes_per_s": total / window,
        "window_peak_rss": max(runs.peak_rss),
        "items_done": min(runs.done),
        "files": sum(len(files) for files in by_target.values()),
    }


def mixed_table(result: dict[str, Any], tick_ms: int) -> list[str]:
    """The mixed queue's lines of the table."""
    row = functools.partial(table_row, label_width=30)
    gaps = result["gaps_ms"]
    rounds = f"{result['rounds']} round{'s' if result['rounds'] != 1 else ''}"
    return [
        f"Mixed queue, {rounds}, {result['load']['drops']} drops taking turns: "
        f"{result['load']['line']}",
        row(
            f"timer gaps ({tick_ms} ms timer)",
            f"{gaps['ticks']} gaps, from the first drop to the last item done, all rounds",
        ),
        row("  p50", f"{gaps['p50']:.1f} ms"),
        row(
            "  p99",
            f"{gaps['p99']:.1f} ms",
            f"target <= {gaps['target_p99']:.0f} ms",
            gaps["p99_ok"],
        ),
        row(
            "  max",
            f"{gaps['max']:.1f} ms",
            f"target <= {gaps['target_max']:.0f} ms",
            gaps["max_ok"],
        ),
        row("  gaps > 16 ms / > 50 ms", f"{gaps['over_16ms']} / {gaps['over_50ms']}"),
        *(
            row(
                f"  longest, round {n}" if n == 1 else f"  round {n}",
                ", ".join(f"{gap:.0f} ms at {at / 1000:.2f} s" for gap, at in worst[:3]),
            )
            for n, worst in enumerate(gaps["worst_per_round"], 1)
        ),
        row(
            "upload, first drop to done",
            f"window {result['window_s']['median']:.2f} s ({result['window_s']['min']:.2f}), "
            f"{result['window_bytes_per_s'] / MIB:.1f} MiB/s",
        ),
        row("peak RSS, window process", f"{result['window_peak_rss'] / MIB:.0f} MiB"),
        row("items", f"{result['items_done']} of {result['files']} done, each on its target"),
    ]
