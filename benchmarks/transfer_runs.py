"""The runs benchmarks/transfer.py compares: the test files, the engine in a child process, curl
and aria2c as whole processes, the checks of what each wrote, and the figures of each run.

Every run gives its wall time and CPU time (user + system). The engine's CPU is the child's own
over the transfer (`transfer_child.Span`), and, for information, the whole child's with its
start-up (`RUSAGE_CHILDREN` before and after); curl's and aria2c's are the whole process's. The
sandbox's CPU over each run (from /proc/PID/stat) is kept beside it: both sides share this
machine's two cores with it.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import statistics
import struct
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assetdesk.core.media import MP4
from assetdesk.providers.google_flow import parse_upload_response
from assetdesk.sandbox.launcher import SandboxProcess
from shared import BenchError, redact
from transfer_child import APP, ROOT, TOKEN_ENV, cpu_seconds

CLIP = ROOT / "resources" / "demo" / "clip-320x180.mp4"
CHILD = Path(__file__).resolve().with_name("transfer_child.py")
MIB = 1024 * 1024
GIB = 1024 * MIB
PIECE = 8 * MIB  # random data is written and hashed in pieces of this size, never whole
CAP = 20_000_000  # bytes per second, per connection of the storage origin
ARIA_MIN_SPLIT = 20 * MIB  # aria2c's default --min-split-size: no smaller pieces than this
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Sizes:
    download: int
    upload: int
    capped: int


FULL = Sizes(download=1024 * MIB, upload=100 * MIB, capped=256 * MIB)
QUICK = Sizes(download=64 * MIB, upload=16 * MIB, capped=32 * MIB)


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


# ------------------------------------------------------------------------------------- figures


@dataclass
class Series:
    """The figures of each round for one side of a comparison."""

    seconds: list[float] = field(default_factory=list)
    #: CPU seconds (user + system) of the transfer: the engine's own span, a tool's process.
    cpu: list[float] = field(default_factory=list)
    #: The same split, for the table: user and system apart.
    cpu_user: list[float] = field(default_factory=list)
    cpu_sys: list[float] = field(default_factory=list)
    #: The engine's whole child process (interpreter start-up and imports included).
    cpu_process: list[float] = field(default_factory=list)
    #: The sandbox's CPU seconds while the run went on (it serves both sides).
    sandbox_cpu: list[float] = field(default_factory=list)
    rss: list[int] = field(default_factory=list)
    segments: list[int] = field(default_factory=list)  # what the engine chose, per round
    fsync: list[float] = field(default_factory=list)  # of a download: its fsync before the rename

    def add(self, run: dict[str, Any]) -> None:
        """One run's figures, as `Bench` returns them."""
        self.seconds.append(run["seconds"])
        self.cpu_user.append(run["cpu_user"])
        self.cpu_sys.append(run["cpu_sys"])
        self.cpu.append(run["cpu_user"] + run["cpu_sys"])
        self.sandbox_cpu.append(run["sandbox_cpu"])
        if "cpu_process" in run:
            self.cpu_process.append(run["cpu_process"])
        if "fsync_seconds" in run:
            self.fsync.append(run["fsync_seconds"])
        if "rss_growth" in run:
            self.rss.append(run["rss_growth"])
        if isinstance(run.get("segments"), int):
            self.segments.append(run["segments"])

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def min(self) -> float:
        return min(self.seconds)


# ---------------------------------------------------------------------------------------- runs


class Bench:
    """One sandbox, the work folder and the runs of the engine and the reference tools."""

    def __init__(self, sb: SandboxProcess, work: Path) -> None:
        self.sb = sb
        self.token = str(sb.demo["useapi_token"])
        self.out = work / "out"
        self.out.mkdir(parents=True, exist_ok=True)

    def sandbox_cpu(self) -> float:
        """The sandbox process's CPU seconds so far (user + system, from /proc/PID/stat)."""
        text = Path(f"/proc/{self.sb.process.pid}/stat").read_text()
        fields = text.rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14, 15)

    def _process(self, cmd: list[str], what: str, env: dict[str, str] | None = None) -> Any:
        """Run `cmd` to its end: (stdout, wall seconds, user and system CPU, sandbox CPU)."""
        user0, sys0 = cpu_seconds(resource.RUSAGE_CHILDREN)
        sandbox0 = self.sandbox_cpu()
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        seconds = time.perf_counter() - start
        sandbox = self.sandbox_cpu() - sandbox0
        user1, sys1 = cpu_seconds(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            tail = redact(done.stderr.strip()[-2000:])
            raise BenchError(f"{what} failed (exit {done.returncode}):\n{tail or 'no message'}")
        figures = {
            "seconds": seconds,
            "cpu_user": user1 - user0,
            "cpu_sys": sys1 - sys0,
            "sandbox_cpu": sandbox,
        }
        return done.stdout, figures

    # ------------------------------------------------------------ engine (child processes)

    def _child(self, *argv: str) -> dict[str, Any]:
        env = dict(os.environ)
        env[TOKEN_ENV] = self.token
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(APP), env.get("PYTHONPATH")) if p)
        cmd = [sys.executable, str(CHILD), *argv, "--api-url", self.sb.api_url]
        stdout, process = self._process(cmd, f"The engine's {argv[0]}", env)
        lines = stdout.strip().splitlines()
        if not lines:
            raise BenchError(f"The engine's {argv[0]} printed nothing.")
        result: dict[str, Any] = json.loads(lines[-1])
        result["cpu_process"] = process["cpu_user"] + process["cpu_sys"]
        result["sandbox_cpu"] = process["sandbox_cpu"]
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
        adaptive: bool = False,
        profile: Path | None = None,
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
        if adaptive:
            argv.append("--adaptive")
        if profile is not None:
            argv += ["--profile", str(profile)]
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

    def curl_upload(self, path: Path) -> dict[str, Any]:
        cmd = ["curl", "-sS", "-w", "\n%{http_code}", "-X", "POST", "-T", str(path)]
        cmd += ["-H", "Content-Type: video/mp4", "-H", f"Authorization: Bearer {self.token}"]
        cmd += [self.sb.api_url + "/v1/google-flow/assets"]
        stdout, figures = self._process(cmd, f"curl's upload of {path.name}")
        body, _, status = stdout.rpartition("\n")
        if status.strip() != "200":
            raise BenchError(
                f"curl's upload of {path.name} got HTTP {status.strip()}: {body[:300]}"
            )
        asset = parse_upload_response(json.loads(body), MP4)  # the app's reading of the answer
        self._check_uploaded(asset.media_generation_id, path, "curl")
        return dict(figures)

    def curl_download(self, url: str, name: str, size: int) -> dict[str, Any]:
        out = self.out / name
        self._settle(out)
        cmd = ["curl", "-sS", "-f", "-o", str(out), url]
        _, figures = self._process(cmd, "curl's download")
        self._check_size(out, size, "curl")
        return dict(figures)

    def aria_download(self, url: str, name: str, size: int) -> dict[str, Any]:
        out = self.out / name
        self._settle(out)
        cmd = ["aria2c", "-x4", "-s4", "-q", "--allow-overwrite=true"]
        if size < 4 * ARIA_MIN_SPLIT:  # --quick: let aria2c split a small file in 4 too
            cmd.append(f"--min-split-size={size // 4 // MIB}M")
        cmd += ["--auto-file-renaming=false", "-d", str(self.out), "-o", name, url]
        _, figures = self._process(cmd, "aria2c's download")
        self._check_size(out, size, "aria2c")
        return dict(figures)

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
