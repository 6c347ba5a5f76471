"""The transfer engine against curl and aria2c on the sandbox, as ratios measured in one run.

This box is shared and noisy, so absolute times mean little: each figure is the engine against a
reference tool on the same sandbox, the same file and the same moment, alternated for several
rounds; the report gives the median (and min) of each and the ratio of the medians. See
benchmarks/README.md for the targets and how to read them.

    python benchmarks/transfer.py [--rounds N] [--work DIR] [--quick] [--json] [--profile DIR]

Every engine measurement runs in a child process (transfer_child.py), so that its peak RSS growth
and CPU time are the transfer's own and its time leaves out the interpreter's start-up. The runs
and their checks are transfer_runs.py's, the summary and the table transfer_report.py's.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app"
if str(APP) not in sys.path:  # run as a plain script, without the editable install
    sys.path.insert(0, str(APP))

from assetdesk.sandbox.launcher import SandboxProcess  # noqa: E402  (these need the path above)
from shared import BenchError, profile_text, say  # noqa: E402  (siblings)
from transfer_report import summary, table  # noqa: E402
from transfer_runs import CAP, FULL, QUICK, Bench, Series, Sizes, make_source  # noqa: E402

SERIES = (
    *("upload", "upload_curl"),
    *("download", "download_1", "download_sha", "download_nofsync", "download_curl"),
    "download_adaptive",
    *("capped_4", "capped_1", "capped_aria", "capped_adaptive"),
)


def _alternate(round_no: int, runs: list[Callable[[], None]]) -> None:
    """Engine first in even rounds, references first in odd ones: neither side always goes first."""
    for run in runs if round_no % 2 == 0 else list(reversed(runs)):
        run()


def measure_upload(bench: Bench, series: dict[str, Series], source: Path, rounds: int) -> None:
    sb = bench.sb
    series["upload_curl"].add(bench.curl_upload(source))  # warm-up (see Bench.warm_up) ...
    series["upload_curl"] = Series()  # ... untimed
    sb.reset()
    for r in range(rounds):

        def up_engine() -> None:
            series["upload"].add(bench.engine_upload(source))
            sb.reset()  # deletes the uploaded copy (disk) and its record

        def up_curl() -> None:
            series["upload_curl"].add(bench.curl_upload(source))
            sb.reset()

        _alternate(r, [up_engine, up_curl])
        s = series
        say(
            f"round {r + 1}/{rounds} upload: engine {s['upload'].seconds[-1]:.2f} s, "
            f"curl {s['upload_curl'].seconds[-1]:.2f} s"
        )


def measure_download(bench: Bench, series: dict[str, Series], source: Path, rounds: int) -> None:
    size = source.stat().st_size
    media_id, url = bench.register(source)
    bench.warm_up(media_id, url, source)
    for r in range(rounds):

        def down_engine() -> None:
            result = bench.engine_download(media_id, "engine.mp4", size, None)
            if not series["download"].seconds:
                bench.check_hash(Path(result["path"]), source, result.get("sha256"))
            series["download"].add(result)

        def down_single() -> None:  # one stream: what splitting the file brings or costs
            result = bench.engine_download(media_id, "engine.mp4", size, 1)
            series["download_1"].add(result)

        def down_sha() -> None:  # as the CLI runs it: the SHA-256 is printed for every item
            result = bench.engine_download(media_id, "engine.mp4", size, None, sha256=True)
            bench.check_hash(Path(result["path"]), source, result.get("sha256"))
            series["download_sha"].add(result)

        def down_nofsync() -> None:  # what the fsync costs: the same without it
            result = bench.engine_download(media_id, "engine.mp4", size, None, fsync=False)
            series["download_nofsync"].add(result)

        def down_curl() -> None:
            series["download_curl"].add(bench.curl_download(url, "curl.mp4", size))

        def down_adaptive() -> None:  # one stream first, more only when they pay
            result = bench.engine_download(media_id, "engine.mp4", size, None, adaptive=True)
            series["download_adaptive"].add(result)

        runs = [down_engine, down_single, down_sha, down_curl, down_nofsync, down_adaptive]
        _alternate(r, runs)
        s = series
        say(
            f"round {r + 1}/{rounds} download: engine {s['download'].seconds[-1]:.2f} s, "
            f"1 stream {s['download_1'].seconds[-1]:.2f} s, "
            f"curl {s['download_curl'].seconds[-1]:.2f} s; CPU engine "
            f"{s['download'].cpu[-1]:.2f} s, curl {s['download_curl'].cpu[-1]:.2f} s"
        )
    for name in ("engine.mp4", "curl.mp4"):  # a GiB each: not kept
        (bench.out / name).unlink(missing_ok=True)


def measure_capped(bench: Bench, series: dict[str, Series], source: Path, rounds: int) -> None:
    sb = bench.sb
    size = source.stat().st_size
    media_id, url = bench.register(source)
    bench.warm_up(media_id, url, source)
    sb.bandwidth("storage", CAP)
    try:
        for r in range(rounds):

            def four() -> None:
                result = bench.engine_download(media_id, "engine4.mp4", size, 4)
                if not series["capped_4"].seconds:
                    bench.check_hash(Path(result["path"]), source, result.get("sha256"))
                series["capped_4"].add(result)
                if result.get("segments") not in (None, 4):
                    say(f"note: asked for 4 segments, the engine used {result['segments']}")

            def single() -> None:
                series["capped_1"].add(bench.engine_download(media_id, "engine1.mp4", size, 1))

            def aria() -> None:
                series["capped_aria"].add(bench.aria_download(url, "aria2c.mp4", size))

            def adaptive() -> None:
                result = bench.engine_download(media_id, "engine4.mp4", size, 4, adaptive=True)
                series["capped_adaptive"].add(result)

            _alternate(r, [four, single, aria, adaptive])
            s = series
            say(
                f"round {r + 1}/{rounds} capped: 4 segments {s['capped_4'].seconds[-1]:.2f} s, "
                f"single {s['capped_1'].seconds[-1]:.2f} s, "
                f"aria2c {s['capped_aria'].seconds[-1]:.2f} s"
            )
    finally:
        sb.bandwidth("storage", None)
        for name in ("engine4.mp4", "engine1.mp4", "aria2c.mp4"):
            (bench.out / name).unlink(missing_ok=True)


def profile(bench: Bench, source: Path, folder: Path) -> str:
    """One more download of `source` with default options and one with a single stream, each
    under cProfile in the child; the statistics are kept in `folder`, their tops returned."""

    size = source.stat().st_size
    media_id, _ = bench.register(source)
    folder.mkdir(parents=True, exist_ok=True)
    texts = []
    for label, segments in (("default", None), ("single", 1)):
        dump = folder / f"download-{label}.prof"
        bench.engine_download(media_id, "profiled.mp4", size, segments, profile=dump)
        texts.append(f"--- engine download, {label} options ---\n")
        texts.append(profile_text(str(dump)))
    (bench.out / "profiled.mp4").unlink(missing_ok=True)
    return "".join(texts)


def measure(sb: SandboxProcess, work: Path, sizes: Sizes, rounds: int) -> dict[str, Series]:
    bench = Bench(sb, work)
    series = {name: Series() for name in SERIES}
    measure_upload(bench, series, make_source(work, sizes.upload), rounds)
    measure_download(bench, series, make_source(work, sizes.download), rounds)
    measure_capped(bench, series, make_source(work, sizes.capped), rounds)
    return series


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time the transfer engine against curl and aria2c on the sandbox."
    )
    parser.add_argument(
        "--rounds", type=int, default=None, help="rounds (default 3; 1 with --quick)"
    )
    parser.add_argument(
        "--work",
        default="~/.cache/assetdesk-bench",
        help="folder for the test files, made once and reused (default %(default)s)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="64/16/32 MiB files, one round: a smoke test"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON line, not the table")
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="only profile: one download under cProfile (default options, then one stream); "
        "the statistics go to DIR, their top functions to stdout",
    )
    args = parser.parse_args(argv)
    if args.rounds is not None and args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    for tool, package in (("curl", "curl"), ("aria2c", "aria2")):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed: run `make bench`, or apt-get install {package}.")
            return 1
    sizes = QUICK if args.quick else FULL
    rounds = args.rounds or (1 if args.quick else 3)
    work = Path(args.work).expanduser()
    try:
        with SandboxProcess.start(control=True) as sb:
            if args.profile:
                bench = Bench(sb, work)
                print(profile(bench, make_source(work, sizes.download), Path(args.profile)))
                return 0
            series = measure(sb, work, sizes, rounds)
    except BenchError as error:
        print(f"transfer benchmark stopped: {error}", file=sys.stderr)
        return 1
    result = summary(series, sizes, rounds)
    print(json.dumps(result) if args.json else table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
