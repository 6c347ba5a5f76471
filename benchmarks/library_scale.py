"""The Library pane with a catalog of 10,000 (or `--assets N`) sandbox-backed assets, as figures
of one run.

Issues 6 and 17: the real window runs offscreen against the sandbox with the Library pane current
and N Runway assets in its catalog. From the moment the window shows, the child times the
catalog's arrival in the view and the first screen of thumbnails (empty thumbnail cache: the
first open), scrolls the grid from top to bottom, makes about 30 search and filter changes and 7
sort changes through the filter bar (each timed to the view updated and checked against a count
from the plan), then adds 10,000 rows as a refresh does, while a 5 ms timer records the event
loop's gaps. The same window with an empty catalog is the reference for the open time and the
gaps. See benchmarks/README.md for the targets and how to read them.

    python benchmarks/library_scale.py [--assets N] [--rounds N] [--work DIR] [--quick] [--json]
                                       [--profile] [--settle S] [--timeout S]

Each window runs in a child process (`--child window`) that times itself and reports its peak
RSS; each gets a fresh, throw-away data folder, its catalog written by another child (`--child
insert`) so that the rows never enter the window's process. The modules beside this one:
library_scale_media.py (the files), library_scale_plan.py (the rows, the sandbox, the changes and
what they must show), library_scale_window.py and library_scale_changes.py (the window child),
library_scale_figures.py and library_scale_table.py (the figures and their table).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app"
if str(APP) not in sys.path:  # run as a plain script, without the editable install
    sys.path.insert(0, str(APP))

from assetdesk.sandbox.launcher import SandboxProcess  # noqa: E402  (needs the path above)
from library_scale_figures import MIB, summary  # noqa: E402  (siblings of this script)
from library_scale_media import make_media  # noqa: E402
from library_scale_plan import (  # noqa: E402
    VIDEO_EVERY,
    change_script,
    insert_catalog,
    plan_rows,
    register,
    sort_script,
)
from library_scale_table import table  # noqa: E402
from shared import BenchError, redact, run_window, say  # noqa: E402

TOKEN_ENV = "ASSETDESK_BENCH_TOKEN"  # as library_scale_window.py reads it
DEFAULT_ASSETS = 10_000
QUICK_ASSETS = 1_000
REFRESH_ADDS = 10_000  # rows a refresh adds (1,000 with --quick)
SCREEN = (1920, 1080)  # the offscreen screen: the window opens at its first-start size on it


@dataclass(frozen=True)
class Load:
    assets: int
    images: int  # distinct image files
    videos: int  # distinct video files
    refresh: int  # rows the refresh adds


@dataclass
class Runs:
    """What the rounds measured: the full catalog's window runs and the empty ones."""

    full: list[dict[str, Any]] = field(default_factory=list)
    empty: list[dict[str, Any]] = field(default_factory=list)
    register_s: float = 0.0
    profile: str | None = None


class Bench:
    """The sandbox, the plan's files (rows, changes) in a scratch folder, the window's runs."""

    def __init__(self, sb: SandboxProcess, scratch: Path, args: argparse.Namespace) -> None:
        self.sb = sb
        self.args = args
        self.scratch = scratch
        self.catalog_file = scratch / "catalog.json"
        self.script_file = scratch / "changes.json"
        self.rows = 0
        self.runs = 0

    def prepare(self, files: list[Any], load: Load) -> None:
        """Plan the rows, register them in the sandbox, write them and the change script."""
        rows = plan_rows(files, 0, load.assets, newer=False)
        added = plan_rows(files, load.assets, load.refresh, newer=True)
        register(self.sb, rows + added)
        refresh_file = self.scratch / "refresh.json"
        # JSON lines: read a row at a time, as a refresh reads a page at a time (one json.loads
        # of 10,000 rows in the window's process held Python's lock, and the loop, for ~140 ms).
        self.catalog_file.write_text("\n".join(json.dumps(row) for row in rows))
        refresh_file.write_text("\n".join(json.dumps(row) for row in added))
        script = {
            "changes": change_script(rows),
            "sorts": sort_script(rows),
            "refresh": {
                "file": str(refresh_file),
                "count": len(added),
                "first_name": added[0]["name"].casefold(),
            },
        }
        self.script_file.write_text(json.dumps(script))
        self.rows = len(rows)

    def window(
        self, *, empty: bool, steps: int | None = None, profile: bool = False
    ) -> dict[str, Any]:
        self.runs += 1
        data_dir = self.scratch / f"app-{self.runs}"  # fresh: empty catalog and thumbnail cache
        partial = self.scratch / f"partial-{self.runs}.json"
        env = dict(os.environ)
        env[TOKEN_ENV] = str(self.sb.demo["useapi_token"])
        env[TOKEN_ENV + "_WORDBEE"] = str(self.sb.demo["wordbee_key"])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(APP), env.get("PYTHONPATH")) if p)
        env["QT_QPA_PLATFORM"] = "offscreen"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "window"]
        cmd += ["--api-url", self.sb.api_url, "--wordbee-url", self.sb.wordbee_url]
        cmd += ["--wordbee-account", str(self.sb.demo["wordbee_account_id"])]
        cmd += ["--data-dir", str(data_dir), "--partial", str(partial)]
        cmd += ["--phase-timeout", str(self.args.timeout)]
        if not empty:
            cmd += ["--catalog", str(self.catalog_file), "--rows", str(self.rows)]
            cmd += ["--settle", str(self.args.settle)]
            if not profile:
                cmd += ["--changes", str(self.script_file)]
        if steps is not None:
            cmd += ["--steps", str(steps)]
        if profile:
            cmd.append("--profile")
        stopped = None
        try:
            # The child gives up on a phase after --timeout; this is the backstop.
            done = subprocess.run(
                cmd,
                capture_output=True,
                text=True,
                env=env,
                check=False,
                timeout=4 * self.args.timeout + 600,
            )
        except subprocess.TimeoutExpired:
            done, stopped = (
                None,
                f"the window run was stopped after {4 * self.args.timeout + 600:.0f} s",
            )
        shutil.rmtree(data_dir, ignore_errors=True)
        lines = done.stdout.strip().splitlines() if done is not None else []
        if done is not None and done.returncode == 0 and lines:
            result: dict[str, Any] = json.loads(lines[-1])
        elif partial.exists():  # what the run measured before it failed or was stopped
            result = json.loads(partial.read_text())
            tail = _cause(done.stderr) if done is not None else ""
            result["stopped"] = (
                f"{stopped or 'the window run failed'} during its {result['phase']} phase: {tail}"
            )
        else:
            tail = redact(done.stderr.strip()[-3000:]) if done is not None else ""
            raise BenchError(f"The window run failed ({stopped or done.returncode}):\n{tail}")
        partial.unlink(missing_ok=True)
        if "at_bottom" in result and not result["at_bottom"] and steps is None:
            raise BenchError("The grid never reached the bottom of the catalog.")
        return result


def _cause(stderr: str) -> str:
    """The first exception a child's stderr names (what went wrong first), redacted."""
    found = re.findall(r"^[\w.]+(?:Error|Exception)\b.*$", stderr, re.MULTILINE)
    lines = stderr.strip().splitlines()
    return redact(found[0] if found else lines[-1] if lines else "")


def measure(bench: Bench, rounds: int) -> Runs:
    runs = Runs()
    for r in range(rounds):

        def full() -> None:
            runs.full.append(bench.window(empty=False))

        def empty() -> None:
            # As many scroll steps as the full catalog took (its first run, before any).
            runs.empty.append(bench.window(empty=True, steps=runs.full[0].get("steps") or 1))

        # The full catalog first in even rounds, the empty one first in odd ones (the first
        # round always starts with the full one: the empty run needs its step count).
        for run in (full, empty) if r % 2 == 0 else (empty, full):
            run()
        say(f"round {r + 1}/{rounds}: " + _progress(runs.full[-1]))
    return runs


def _progress(run: dict[str, Any]) -> str:
    """One line on the person's terminal about a full-catalog run."""
    parts = [f"{run['rows']:,} assets"]
    if "open" in run:
        visible = run["open"]["visible_in_s"]
        parts.append("visible thumbnails " + ("—" if visible is None else f"{visible:.2f} s"))
    if "gaps_ms" in run:
        parts.append(f"scroll gaps max {max(run['gaps_ms'], default=0):.1f} ms")
    for part in ("changes", "sorts"):
        if part in run:
            times = [s["ms"] for s in run[part]["steps"] if s["ms"] is not None]
            parts.append(f"{part} max {max(times, default=0):.0f} ms")
    if "refresh" in run:
        parts.append(f"refresh gaps max {max(run['refresh']['gaps_ms'], default=0):.1f} ms")
    parts.append(f"peak RSS {run['peak_rss'] / MIB:.0f} MiB")
    if run.get("stopped"):
        parts.append("STOPPED: " + run["stopped"])
    return ", ".join(parts)


def profile_run(bench: Bench) -> str:
    """One more full-catalog run under cProfile (loop thread only, show() to the bottom of the
    grid, no changes); not part of the figures."""
    say("profiling one more window run (its figures are not used) ...")
    result = bench.window(empty=False, profile=True)
    head = (
        "profile of one window run under cProfile, window shown to the bottom of the grid "
        f"({_progress(result)}: slowed by the profiler)"
    )
    return head + "\n" + str(result.get("profile", ""))


# ----------------------------------------------------------------------------------------- main


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Measure the Library pane with a catalog of many assets, on the sandbox."
    )
    parser.add_argument(
        "--assets",
        type=int,
        default=None,
        metavar="N",
        help=f"catalog rows (default {DEFAULT_ASSETS:,}; {QUICK_ASSETS:,} with --quick)",
    )
    parser.add_argument(
        "--rounds", type=int, default=None, help="rounds (default 3; 1 with --quick)"
    )
    parser.add_argument(
        "--work",
        default="~/.cache/assetdesk-bench/library",
        help="folder for the test images and videos, made once and reused (default %(default)s)",
    )
    parser.add_argument("--quick", action="store_true", help="1,000 assets: a smoke test")
    parser.add_argument("--json", action="store_true", help="print one JSON line, not the table")
    parser.add_argument(
        "--settle",
        type=float,
        default=0.0,
        metavar="S",
        help="after the scroll, wait up to S seconds for the thumbnails still pending, then "
        "read the RSS again (default 0: not at all)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=600.0,
        metavar="S",
        help="give up on a phase of a window run (open, a change, the refresh) after S seconds "
        "and report what it measured before (default %(default)s)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="one more window run under cProfile; print its top functions (loop thread)",
    )
    hidden = argparse.SUPPRESS  # the child side, run by the benchmark itself
    parser.add_argument("--child", choices=["window", "insert"], help=hidden)
    for name in ("--api-url", "--wordbee-url", "--wordbee-account", "--catalog", "--data-dir"):
        parser.add_argument(name, help=hidden)
    for name in ("--changes", "--partial", "--database"):
        parser.add_argument(name, help=hidden)
    for name in ("--steps", "--rows", "--account-id"):
        parser.add_argument(name, type=int, help=hidden)
    parser.add_argument("--phase-timeout", type=float, default=600.0, help=hidden)
    args = parser.parse_args(argv)
    if args.rounds is not None and args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if args.assets is not None and args.assets < 100:
        parser.error("--assets must be at least 100")
    if args.settle < 0 or args.timeout <= 0:
        parser.error("--settle cannot be negative, --timeout must be positive")
    return args


def _child_main(args: argparse.Namespace) -> int:
    if args.child == "insert":
        insert_catalog(Path(args.database), Path(args.catalog), args.account_id)
        return 0
    from library_scale_window import window_session

    args.script_path = Path(__file__).resolve()
    token = os.environ.get(TOKEN_ENV, "")
    result = run_window(
        "assetdesk-bench-library", lambda: window_session(args, token), screen=SCREEN
    )
    print(json.dumps(result))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if args.child:
        return _child_main(args)
    assets = args.assets or (QUICK_ASSETS if args.quick else DEFAULT_ASSETS)
    small = args.quick and args.assets is None
    load = Load(
        assets=assets,
        images=40 if small else 200,
        videos=4 if small else 20,
        refresh=QUICK_ASSETS if small else REFRESH_ADDS,
    )
    rounds = args.rounds or (1 if args.quick else 3)
    work = Path(args.work).expanduser()
    try:
        files = make_media(work, load.images, load.videos)
        with tempfile.TemporaryDirectory(prefix="assetdesk-bench-library-") as tmp:
            scratch = Path(tmp)
            sandbox_data = scratch / "sandbox"
            sandbox_data.mkdir()
            with SandboxProcess.start(control=True, data_dir=sandbox_data) as sb:
                say(f"registering {load.assets + load.refresh:,} Runway assets in the sandbox ...")
                start = time.perf_counter()
                bench = Bench(sb, scratch, args)
                bench.prepare(files, load)
                register_s = time.perf_counter() - start
                runs = measure(bench, rounds)
                runs.register_s = register_s
                if args.profile:
                    runs.profile = profile_run(bench)
    except (BenchError, RuntimeError) as error:
        print(f"Library scale benchmark stopped: {error}", file=sys.stderr)
        return 1
    described = {
        "assets": load.assets,
        "distinct_images": load.images,
        "distinct_videos": load.videos,
        "video_every": VIDEO_EVERY,
        "refresh_adds": load.refresh,
        "register_s": register_s,
    }
    result = summary(runs.full, runs.empty, described, rounds, args.settle)
    if runs.profile is not None:
        result["profile"] = runs.profile
    print(json.dumps(result) if args.json else table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
