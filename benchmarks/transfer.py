"""The transfer engine against curl and aria2c on the sandbox, as ratios measured in one run.

This box is shared and noisy, so absolute times mean little: each figure is the engine against a
reference tool on the same sandbox, the same file and the same moment, alternated for several
rounds; the report gives the median (and min) of each and the ratio of the medians. See
benchmarks/README.md for the targets and how to read them.

    python benchmarks/transfer.py [--rounds N] [--work DIR] [--quick] [--json]

Every engine measurement runs in a child process (`--child upload|download`), so that its peak
RSS growth is the transfer's own and its time leaves out the interpreter's start-up.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import shutil
import statistics
import struct
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app"
if str(APP) not in sys.path:  # run as a plain script, without the editable install
    sys.path.insert(0, str(APP))

from assetdesk.core.media import MP4  # noqa: E402  (these need the path above)
from assetdesk.providers.google_flow import parse_upload_response  # noqa: E402
from assetdesk.sandbox.launcher import SandboxProcess  # noqa: E402
from shared import BenchError, redact, say, status_bytes  # noqa: E402  (a sibling)

CLIP = ROOT / "resources" / "demo" / "clip-320x180.mp4"
MIB = 1024 * 1024
PIECE = 8 * MIB  # random data is written and hashed in pieces of this size, never whole
CAP = 20_000_000  # bytes per second, per connection of the storage origin
ARIA_MIN_SPLIT = 20 * MIB  # aria2c's default --min-split-size: no smaller pieces than this
TOKEN_ENV = "ASSETDESK_BENCH_TOKEN"  # the child gets the token here, not on its command line

TARGET_RATIO = 1.15  # engine time / curl time, download and upload
TARGET_RSS = 64 * MIB  # peak RSS growth during one transfer
TARGET_SPEEDUP = 3.0  # 4 segments against one stream, capped
TARGET_VS_ARIA = 1.0  # 4 segments against aria2c -x4 -s4, capped


@dataclass(frozen=True)
class Sizes:
    download: int
    upload: int
    capped: int


FULL = Sizes(download=1024 * MIB, upload=100 * MIB, capped=256 * MIB)
QUICK = Sizes(download=64 * MIB, upload=16 * MIB, capped=32 * MIB)


# ------------------------------------------------------------------------------------ child side


def _rss_baseline() -> int:
    """Current RSS, after resetting the peak so that VmHWM afterwards is the transfer's own."""
    # On an old kernel this fails and the peak includes start-up, which only overstates growth.
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    return status_bytes("VmRSS")


async def _child_upload(args: argparse.Namespace, token: str) -> dict[str, Any]:
    from assetdesk.core.media import MP4
    from assetdesk.providers.google_flow import GoogleFlowClient
    from assetdesk.providers.useapi import UseapiConnection

    path = Path(args.path)
    size = await asyncio.to_thread(lambda: path.stat().st_size)
    async with UseapiConnection(token, args.api_url) as conn:
        flow = GoogleFlowClient(conn)
        before = _rss_baseline()
        start = time.perf_counter()
        asset = await flow.upload(path, MP4, size)
        seconds = time.perf_counter() - start
        growth = status_bytes("VmHWM") - before
    return {"seconds": seconds, "rss_growth": growth, "id": asset.media_generation_id}


async def _child_download(args: argparse.Namespace, token: str) -> dict[str, Any]:
    from assetdesk.net.clients import make_download_client
    from assetdesk.providers.google_flow import GoogleFlowClient
    from assetdesk.providers.useapi import UseapiConnection
    from assetdesk.transfer.download import download
    from assetdesk.transfer.names import Conflict
    from assetdesk.transfer.options import DownloadOptions
    from assetdesk.transfer.part_file import PartFile
    from assetdesk.transfer.sources import SignedUrlSource

    # The fsync of the verified file before its rename, timed where the engine does it.
    settle, fsync_seconds = PartFile.settle, [0.0]

    def timed_settle(self: PartFile) -> None:
        begin = time.perf_counter()
        settle(self)
        fsync_seconds[0] += time.perf_counter() - begin

    PartFile.settle = timed_settle  # type: ignore[method-assign]
    if args.no_fsync:  # the reference for the fsync's cost: no flush behind, no fsync at the end
        PartFile._flush_behind = lambda self: None  # type: ignore[method-assign]
        settle = PartFile._check_identity
    out = Path(args.path)
    if args.segments is None:  # what the app does by default
        options = DownloadOptions(on_conflict=Conflict.OVERWRITE, sha256=args.sha256)
    else:
        options = DownloadOptions(
            segments=args.segments, on_conflict=Conflict.OVERWRITE, sha256=args.sha256
        )
    async with UseapiConnection(token, args.api_url) as conn, make_download_client() as http:
        flow = GoogleFlowClient(conn)

        async def resolve() -> str:
            return (await flow.resolve_url(args.media_id)).url

        source = SignedUrlSource(http, resolve=resolve, label="bench")
        before = _rss_baseline()
        start = time.perf_counter()
        result = await download(source, out.parent, filename=out.name, options=options)
        seconds = time.perf_counter() - start
        growth = status_bytes("VmHWM") - before
    return {
        "seconds": seconds,
        "fsync_seconds": fsync_seconds[0],
        "rss_growth": growth,
        "path": str(result.path),
        "bytes": result.bytes,
        "sha256": result.sha256,
        "segments": getattr(result, "segments", None),
    }


def _child_main(args: argparse.Namespace) -> int:
    token = os.environ.get(TOKEN_ENV, "")
    run = _child_upload if args.child == "upload" else _child_download
    print(json.dumps(asyncio.run(run(args, token))))
    return 0


# ----------------------------------------------------------------------------------- test files


def make_source(work: Path, size: int) -> Path:
    """A valid MP4 of exactly `size` bytes (the demo clip + a `free` box of random bytes).

    The sandbox probes uploads and refuses random bytes, so the padding goes in a box MP4 readers
    skip. Made once and reused while its size matches."""
    path = work / f"bench-{size // MIB}MiB.mp4"
    if path.exists() and path.stat().st_size == size:
        return path
    head = CLIP.read_bytes()
    pad = size - len(head) - 8
    if pad < 0 or pad + 8 >= 2**32:
        raise BenchError(f"Cannot make a {size:,}-byte MP4 from {CLIP.name}.")
    print(f"making {path} ({size // MIB} MiB) ...", file=sys.stderr)
    work.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    with part.open("wb") as out:
        out.write(head + struct.pack(">I", pad + 8) + b"free")
        left = pad
        while left:
            piece = min(PIECE, left)
            out.write(os.urandom(piece))
            left -= piece
    part.replace(path)
    return path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while piece := handle.read(PIECE):
            digest.update(piece)
    return digest.hexdigest()


def source_sha256(path: Path) -> str:
    """The source's hash, kept beside it (keyed by size and mtime) so a rerun need not rehash."""
    stat = path.stat()
    side = path.with_name(path.name + ".sha256")
    key = f"{stat.st_size} {stat.st_mtime_ns}"
    if side.exists():
        saved_key, _, digest = side.read_text().strip().rpartition(" ")
        if saved_key == key:
            return digest
    digest = sha256_of(path)
    side.write_text(f"{key} {digest}\n")
    return digest


# ------------------------------------------------------------------------------------ measuring


@dataclass
class Series:
    """Seconds of each round for one side of a comparison, and its peak RSS growths."""

    seconds: list[float] = field(default_factory=list)
    rss: list[int] = field(default_factory=list)
    segments: list[int] = field(default_factory=list)  # what the engine chose, per round
    fsync: list[float] = field(default_factory=list)  # of a download: its fsync before the rename

    def add(self, child: dict[str, Any]) -> None:
        """One engine run as its child reported it."""
        self.seconds.append(child["seconds"])
        if "fsync_seconds" in child:
            self.fsync.append(child["fsync_seconds"])
        self.rss.append(child["rss_growth"])
        if isinstance(child.get("segments"), int):
            self.segments.append(child["segments"])

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def min(self) -> float:
        return min(self.seconds)


class Bench:
    """One sandbox, the work folder and the runs of the engine and the reference tools."""

    def __init__(self, sb: SandboxProcess, work: Path) -> None:
        self.sb = sb
        self.token = str(sb.demo["useapi_token"])
        self.out = work / "out"
        self.out.mkdir(parents=True, exist_ok=True)

    # ------------------------------------------------------------ engine (child processes)

    def _child(self, *argv: str) -> dict[str, Any]:
        env = dict(os.environ)
        env[TOKEN_ENV] = self.token
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(APP), env.get("PYTHONPATH")) if p)
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", *argv]
        cmd += ["--api-url", self.sb.api_url]
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        lines = done.stdout.strip().splitlines()
        if done.returncode != 0 or not lines:
            tail = redact(done.stderr.strip()[-2000:])
            raise BenchError(f"The engine's {argv[0]} failed (exit {done.returncode}):\n{tail}")
        result: dict[str, Any] = json.loads(lines[-1])
        return result

    def engine_upload(self, path: Path) -> dict[str, Any]:
        result = self._child("upload", "--path", str(path))
        self._check_uploaded(str(result["id"]), path, "engine")
        return result

    def engine_download(
        self,
        media_id: str,
        name: str,
        size: int,
        segments: int | None,
        *,
        sha256: bool = False,
        fsync: bool = True,
    ) -> dict[str, Any]:
        out = self.out / name
        self._settle(out)
        argv = ["download", "--media-id", media_id, "--path", str(out)]
        if segments is not None:
            argv += ["--segments", str(segments)]
        if sha256:
            argv.append("--sha256")
        if not fsync:
            argv.append("--no-fsync")
        result = self._child(*argv)
        self._check_size(Path(result["path"]), size, "engine")
        return result

    # ---------------------------------------------------------- references (whole processes)

    @staticmethod
    def _settle(out: Path) -> None:
        """Remove the previous output and flush dirty pages, so that no run pays for writing back
        what the run before it wrote (a GiB at a time, that skews whoever comes next)."""
        out.unlink(missing_ok=True)
        os.sync()

    def _timed(self, cmd: list[str], what: str) -> tuple[float, str]:
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            tail = redact(done.stderr.strip()[-1000:])
            raise BenchError(f"{what} failed (exit {done.returncode}): {tail or 'no message'}")
        return seconds, done.stdout

    def curl_upload(self, path: Path) -> float:
        cmd = ["curl", "-sS", "-w", "\n%{http_code}", "-X", "POST", "-T", str(path)]
        cmd += ["-H", "Content-Type: video/mp4", "-H", f"Authorization: Bearer {self.token}"]
        cmd += [self.sb.api_url + "/v1/google-flow/assets"]
        seconds, stdout = self._timed(cmd, f"curl's upload of {path.name}")
        body, _, status = stdout.rpartition("\n")
        if status.strip() != "200":
            raise BenchError(
                f"curl's upload of {path.name} got HTTP {status.strip()}: {body[:300]}"
            )
        asset = parse_upload_response(json.loads(body), MP4)  # the app's reading of the answer
        self._check_uploaded(asset.media_generation_id, path, "curl")
        return seconds

    def curl_download(self, url: str, name: str, size: int) -> float:
        out = self.out / name
        self._settle(out)
        seconds, _ = self._timed(["curl", "-sS", "-f", "-o", str(out), url], "curl's download")
        self._check_size(out, size, "curl")
        return seconds

    def aria_download(self, url: str, name: str, size: int) -> float:
        out = self.out / name
        self._settle(out)
        cmd = ["aria2c", "-x4", "-s4", "-q", "--allow-overwrite=true"]
        if size < 4 * ARIA_MIN_SPLIT:  # --quick: let aria2c split a small file in 4 too
            cmd.append(f"--min-split-size={size // 4 // MIB}M")
        cmd += ["--auto-file-renaming=false", "-d", str(self.out), "-o", name, url]
        seconds, _ = self._timed(cmd, "aria2c's download")
        self._check_size(out, size, "aria2c")
        return seconds

    def warm_up(self, media_id: str, url: str, source: Path) -> None:
        """Untimed downloads first, by curl and by the engine: the first reads of a file are much
        slower (caches warming on both sides), and whichever side went first would pay."""
        size = source.stat().st_size
        self.curl_download(url, "warm-up.mp4", size)
        self.engine_download(media_id, "warm-up.mp4", size, None)
        self._settle(self.out / "warm-up.mp4")

    # ---------------------------------------------------------------------------- checks

    def _check_size(self, path: Path, size: int, who: str) -> None:
        got = path.stat().st_size if path.exists() else None
        if got != size:
            raise BenchError(f"{who} wrote {path.name} with {got} bytes instead of {size:,}.")

    def _check_uploaded(self, media_id: str, path: Path, who: str) -> None:
        size = path.stat().st_size
        for asset in self.sb.google_flow_assets():
            if asset["mediaGenerationId"] == media_id:
                stored = (asset.get("object") or {}).get("size")
                if stored != size:
                    raise BenchError(f"{who}'s upload of {path.name} stored {stored} bytes.")
                return
        raise BenchError(f"The sandbox does not list {who}'s upload of {path.name}.")

    def check_hash(self, path: Path, source: Path, reported: Any) -> None:
        """The engine's output is the source, byte for byte (hashed outside the timed part)."""
        want = source_sha256(source)
        if sha256_of(path) != want:
            raise BenchError(f"The engine's {path.name} differs from {source.name}.")
        if isinstance(reported, str) and reported.lower() != want:
            raise BenchError(f"The engine reported a wrong SHA-256 for {path.name}.")

    def register(self, path: Path) -> tuple[str, str]:
        """(mediaGenerationId, signed URL valid for an hour) of a file served in place."""
        media_id = self.sb.put_google_flow_asset(path, "video/mp4")
        for asset in self.sb.google_flow_assets():
            if asset["mediaGenerationId"] == media_id:
                return media_id, self.sb.signed_url(asset["object"]["key"], ttl=3600)
        raise BenchError(f"The sandbox does not list {path.name} after registering it.")


# ------------------------------------------------------------------------------------ the phases


def _alternate(round_no: int, runs: list[Callable[[], None]]) -> None:
    """Engine first in even rounds, references first in odd ones: neither side always goes first."""
    for run in runs if round_no % 2 == 0 else list(reversed(runs)):
        run()


def measure(sb: SandboxProcess, work: Path, sizes: Sizes, rounds: int) -> dict[str, Series]:
    bench = Bench(sb, work)
    up_src = make_source(work, sizes.upload)
    down_src = make_source(work, sizes.download)
    capped_src = make_source(work, sizes.capped)
    series = {
        name: Series()
        for name in (
            *("upload", "upload_curl", "download", "download_sha", "download_curl"),
            "download_nofsync",
            *("capped_4", "capped_1", "capped_aria"),
        )
    }

    bench.curl_upload(up_src)  # warm-up, untimed (see Bench.warm_up)
    sb.reset()
    for r in range(rounds):

        def up_engine() -> None:
            result = bench.engine_upload(up_src)
            series["upload"].add(result)
            sb.reset()  # deletes the uploaded copy (disk) and its record

        def up_curl() -> None:
            series["upload_curl"].seconds.append(bench.curl_upload(up_src))
            sb.reset()

        _alternate(r, [up_engine, up_curl])
        s = series
        say(
            f"round {r + 1}/{rounds} upload: engine {s['upload'].seconds[-1]:.2f} s, "
            f"curl {s['upload_curl'].seconds[-1]:.2f} s"
        )

    media_id, url = bench.register(down_src)
    bench.warm_up(media_id, url, down_src)
    for r in range(rounds):

        def down_engine() -> None:
            result = bench.engine_download(media_id, "engine.mp4", sizes.download, None)
            if not series["download"].seconds:
                bench.check_hash(Path(result["path"]), down_src, result.get("sha256"))
            series["download"].add(result)

        def down_sha() -> None:  # as the CLI runs it: the SHA-256 is printed for every item
            result = bench.engine_download(
                media_id, "engine.mp4", sizes.download, None, sha256=True
            )
            bench.check_hash(Path(result["path"]), down_src, result.get("sha256"))
            series["download_sha"].add(result)

        def down_nofsync() -> None:  # what the fsync costs: the same without it
            result = bench.engine_download(
                media_id, "engine.mp4", sizes.download, None, fsync=False
            )
            series["download_nofsync"].add(result)

        def down_curl() -> None:
            series["download_curl"].seconds.append(
                bench.curl_download(url, "curl.mp4", sizes.download)
            )

        _alternate(r, [down_engine, down_sha, down_curl, down_nofsync])
        s = series
        say(
            f"round {r + 1}/{rounds} download: engine {s['download'].seconds[-1]:.2f} s, "
            f"curl {s['download_curl'].seconds[-1]:.2f} s"
        )

    for name in ("engine.mp4", "curl.mp4"):  # a GiB each: not kept
        (bench.out / name).unlink(missing_ok=True)

    media_id, url = bench.register(capped_src)
    bench.warm_up(media_id, url, capped_src)
    sb.bandwidth("storage", CAP)
    try:
        for r in range(rounds):

            def four() -> None:
                result = bench.engine_download(media_id, "engine4.mp4", sizes.capped, 4)
                if not series["capped_4"].seconds:
                    bench.check_hash(Path(result["path"]), capped_src, result.get("sha256"))
                series["capped_4"].add(result)
                if result.get("segments") not in (None, 4):
                    say(f"note: asked for 4 segments, the engine used {result['segments']}")

            def single() -> None:
                result = bench.engine_download(media_id, "engine1.mp4", sizes.capped, 1)
                series["capped_1"].add(result)

            def aria() -> None:
                series["capped_aria"].seconds.append(
                    bench.aria_download(url, "aria2c.mp4", sizes.capped)
                )

            _alternate(r, [four, single, aria])
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
    return series


# ------------------------------------------------------------------------------------- reporting


def _size_words(size: int) -> str:
    return f"{size // (1024 * MIB)} GiB" if size % (1024 * MIB) == 0 else f"{size // MIB} MiB"


def _verdict(good: bool) -> str:
    return "ok" if good else "MISSED"


def summary(series: dict[str, Series], sizes: Sizes, rounds: int) -> dict[str, Any]:
    """The figures and ratios as one JSON-able dict (seconds, bytes, ratios of medians)."""

    def pair(engine: str, ref: str) -> dict[str, Any]:
        e, r = series[engine], series[ref]
        return {
            "engine_s": {"median": e.median, "min": e.min, "all": e.seconds},
            "reference_s": {"median": r.median, "min": r.min, "all": r.seconds},
            "ratio": e.median / r.median,
            "ratio_min": e.min / r.min,
        }

    download = pair("download", "download_curl")
    download_sha = pair("download_sha", "download_curl")
    upload = pair("upload", "upload_curl")
    single = pair("capped_4", "capped_1")
    aria = pair("capped_4", "capped_aria")
    download["peak_rss_growth"] = max(series["download"].rss)
    download["fsync_s"] = statistics.median(series["download"].fsync)
    download["without_fsync_s"] = series["download_nofsync"].median
    download["fsync_cost"] = download["engine_s"]["median"] / download["without_fsync_s"] - 1
    download["segments_used"] = series["download"].segments
    single["segments_used"] = {
        "engine": series["capped_4"].segments,
        "single": series["capped_1"].segments,
    }
    upload["peak_rss_growth"] = max(series["upload"].rss)
    single["speedup"] = 1 / single["ratio"]
    single["speedup_min"] = 1 / single["ratio_min"]
    return {
        "rounds": rounds,
        "sizes": {"download": sizes.download, "upload": sizes.upload, "capped": sizes.capped},
        "cap_bytes_per_second": CAP,
        "download": download | {"target": TARGET_RATIO, "ok": download["ratio"] <= TARGET_RATIO},
        "download_rss_ok": download["peak_rss_growth"] <= TARGET_RSS,
        "download_with_sha256": download_sha,
        "upload": upload | {"target": TARGET_RATIO, "ok": upload["ratio"] <= TARGET_RATIO},
        "upload_rss_ok": upload["peak_rss_growth"] <= TARGET_RSS,
        "capped_vs_single": single
        | {"target": TARGET_SPEEDUP, "ok": single["speedup"] >= TARGET_SPEEDUP},
        "capped_vs_aria2c": aria
        | {"target": TARGET_VS_ARIA, "ok": aria["ratio"] <= TARGET_VS_ARIA},
        "capped_rss_growth": max(series["capped_4"].rss + series["capped_1"].rss),
    }


def _row(label: str, engine: str, reference: str, measure: str, target: str, ok: bool) -> str:
    verdict = _verdict(ok) if target else ""
    return f"{label:<32}{engine:<22}{reference:<24}{measure:<22}{target:<18}{verdict}".rstrip()


def table(result: dict[str, Any]) -> str:
    sizes = result["sizes"]

    def times(name: str, part: dict[str, Any], key: str) -> str:
        return f"{name} {part[key]['median']:.2f} s ({part[key]['min']:.2f})"

    def ratio(part: dict[str, Any]) -> str:
        return f"ratio {part['ratio']:.2f} ({part['ratio_min']:.2f})"

    def rss(growth: int, ok: bool) -> str:
        mib = f"engine {growth / MIB:.0f} MiB"
        return _row("  peak RSS growth", mib, "(max of rounds)", "", "target <= 64 MiB", ok)

    d, u = result["download"], result["upload"]
    single, aria = result["capped_vs_single"], result["capped_vs_aria2c"]
    target = f"target <= {TARGET_RATIO}"
    rounds = f"{result['rounds']} round{'s' if result['rounds'] != 1 else ''}"
    lines = [f"transfer benchmark, {rounds}, median (min)"]
    used = sorted(set(d["segments_used"]))
    split = f" ({'/'.join(map(str, used))} seg.)" if used else ""
    for label, part, rss_ok in (
        (f"download {_size_words(sizes['download'])}{split}", d, result["download_rss_ok"]),
        (f"upload {_size_words(sizes['upload'])}", u, result["upload_rss_ok"]),
    ):
        engine, curl = times("engine", part, "engine_s"), times("curl", part, "reference_s")
        lines.append(_row(label, engine, curl, ratio(part), target, part["ok"]))
        lines.append(rss(part["peak_rss_growth"], rss_ok))
        if part is d:
            lines.append(
                "  fsync (flush behind + final)".ljust(32)
                + f"final {d['fsync_s']:.2f} s".ljust(22)
                + f"without fsync {d['without_fsync_s']:.2f} s".ljust(24)
                + f"cost {d['fsync_cost']:+.0%}  (information)"
            )
            sha = result["download_with_sha256"]
            lines.append(
                "  + SHA-256, as the CLI".ljust(32)
                + f"{times('engine', sha, 'engine_s')}".ljust(22)
                + f"{ratio(sha)}  (information; the window does not compute it)"
            )
    floor = sizes["capped"] / CAP  # the cap's own limit: seconds for one stream
    lines.append(
        f"capped {CAP // 1_000_000} MB/s per connection, {_size_words(sizes['capped'])}"
        f" (at the cap: 1 stream {floor:.2f} s, 4 streams {floor / 4:.2f} s):"
    )
    speedup = f"speed-up {single['speedup']:.1f}x ({single['speedup_min']:.1f}x)"
    lines.append(
        _row(
            "  4 segments vs single stream",
            times("engine", single, "engine_s"),
            times("single", single, "reference_s"),
            speedup,
            f"target >= {TARGET_SPEEDUP:.0f}",
            single["ok"],
        )
    )
    lines.append(
        _row(
            "  4 segments vs aria2c -x4 -s4",
            times("engine", aria, "engine_s"),
            times("aria2c", aria, "reference_s"),
            ratio(aria),
            f"target <= {TARGET_VS_ARIA:.1f}",
            aria["ok"],
        )
    )
    growth = f"engine {result['capped_rss_growth'] / MIB:.0f} MiB"
    lines.append(_row("  peak RSS growth (capped)", growth, "(max of rounds)", "", "", True))
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------- main


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
    hidden = argparse.SUPPRESS  # the child side, run by the benchmark itself
    parser.add_argument("--child", choices=["upload", "download"], help=hidden)
    parser.add_argument("--api-url", help=hidden)
    parser.add_argument("--path", help=hidden)
    parser.add_argument("--media-id", help=hidden)
    parser.add_argument("--segments", type=int, help=hidden)
    parser.add_argument("--sha256", action="store_true", help=hidden)
    parser.add_argument("--no-fsync", action="store_true", help=hidden)
    args = parser.parse_args(argv)
    if args.rounds is not None and args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if args.child:
        return _child_main(args)
    for tool, package in (("curl", "curl"), ("aria2c", "aria2")):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed: run `make bench`, or apt-get install {package}.")
            return 1
    sizes = QUICK if args.quick else FULL
    rounds = args.rounds or (1 if args.quick else 3)
    work = Path(args.work).expanduser()
    try:
        with SandboxProcess.start(control=True) as sb:
            series = measure(sb, work, sizes, rounds)
    except BenchError as error:
        print(f"transfer benchmark stopped: {error}", file=sys.stderr)
        return 1
    result = summary(series, sizes, rounds)
    print(json.dumps(result) if args.json else table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
