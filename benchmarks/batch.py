"""Batches of thousands (issue 17): the CLI's bounded batch download against aria2c, in one run.

1,000 images of ~500 KB (a JPEG padded with random bytes, each file different) are registered on
the sandbox as Google Flow assets, and every request to the API and to storage gets 40 ms of
added latency. Then, alternated over the rounds:

- the engine: `assetdesk download - --to DIR --jobs N` in a child process, the ids on stdin, so
  each file's link is looked up by the batch itself (resolution included in the time);
- the reference: `aria2c -i LIST -j N` given the links already resolved (through the app's
  Google Flow client, before the latency is switched on and outside the timing).

Every downloaded file of both sides is compared with its source byte for byte, outside the
timing. The report gives the ratio engine / aria2c (target <= 1.3) and the child's peak RSS
growth during the batch (target <= 100 MiB). Then the upload half (batch_upload.py): the app's
upload queue sends the images against as many `curl -T` uploads at once (target <= 1.3).

    python benchmarks/batch.py [--files N] [--jobs N] [--rounds N] [--quick] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import filecmp
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app"
if str(APP) not in sys.path:  # run as a plain script, without the editable install
    sys.path.insert(0, str(APP))

import batch_upload  # noqa: E402  (these need the path above; batch_upload, shared: siblings)
from assetdesk.sandbox.launcher import SandboxProcess  # noqa: E402  (these need the path above)
from shared import BenchError, redact, say, status_bytes, table_row  # noqa: E402

IMAGE = ROOT / "tests" / "fixtures" / "media" / "picture.jpg"
KB = 1000
MIB = 1024 * 1024
LATENCY = 0.040  # seconds added to every request, API and storage
FOREVER = 10**9  # a fault rule's count that outlasts any run (cleared afterwards)
TARGET_RATIO = 1.3  # engine batch time / aria2c time
TARGET_RSS = 100 * MIB  # the CLI child's peak RSS growth during the batch
TOKEN_ENV = "ASSETDESK_USEAPI_TOKEN"  # how the CLI takes its credentials (never argv)
URL_ENV = "ASSETDESK_USEAPI_URL"
RESOLVERS = 16  # links resolved at once before the timing


# ------------------------------------------------------------------------------------ child side


def _child_main(figures: Path, cli_args: list[str]) -> int:
    """Run the CLI in this process once its modules are imported and the RSS peak is reset:
    the time and the peak growth are the batch's own, not the interpreter's start-up."""
    import assetdesk.cli
    import assetdesk.cli.commands
    import assetdesk.net.clients
    import assetdesk.services.batch_download  # before the baseline, as the others

    with contextlib.suppress(OSError):  # an old kernel: the peak includes start-up (overstated)
        Path("/proc/self/clear_refs").write_text("5")
    before = status_bytes("VmRSS")
    start = time.perf_counter()
    status = assetdesk.cli.main(cli_args)
    seconds = time.perf_counter() - start
    growth = status_bytes("VmHWM") - before
    figures.write_text(json.dumps({"seconds": seconds, "rss_growth": growth, "status": status}))
    return 0


# ----------------------------------------------------------------------------------- test files


def make_images(work: Path, count: int, size: int) -> list[Path]:
    """`count` different JPEGs of exactly `size` bytes: the fixture picture with random bytes
    after its end (readers ignore them). Made once and reused while their size matches."""
    folder = work / f"batch-images-{size}"
    folder.mkdir(parents=True, exist_ok=True)
    head = IMAGE.read_bytes()
    if len(head) >= size:
        raise BenchError(f"{IMAGE.name} is already larger than {size:,} bytes.")
    paths = [folder / f"image-{i:05d}.jpg" for i in range(count)]
    missing = [p for p in paths if not (p.exists() and p.stat().st_size == size)]
    if missing:
        say(f"making {len(missing)} images of {size:,} bytes in {folder} ...")
    for path in missing:
        part = path.with_name(path.name + ".part")
        part.write_bytes(head + os.urandom(size - len(head)))
        part.replace(path)
    return paths


async def _resolve_all(token: str, api_url: str, ids: list[str]) -> list[str]:
    """Each asset's signed link through the app's Google Flow client (a few at once)."""
    from assetdesk.core.ids import MediaGenerationId
    from assetdesk.providers.google_flow import GoogleFlowClient
    from assetdesk.providers.useapi import UseapiConnection

    gate = asyncio.Semaphore(RESOLVERS)
    async with UseapiConnection(token, api_url) as conn:
        flow = GoogleFlowClient(conn)

        async def one(text: str) -> str:
            async with gate:
                resolved = await flow.resolve_url(MediaGenerationId.parse(text, asset_only=True))
                return resolved.url

        return list(await asyncio.gather(*(one(text) for text in ids)))


# ------------------------------------------------------------------------------------ measuring


class Batch:
    """The sandbox with the images on it, and the runs of the CLI and of aria2c."""

    def __init__(self, sb: SandboxProcess, work: Path, images: list[Path], jobs: int) -> None:
        self.sb = sb
        self.work = work
        self.images = images
        self.jobs = jobs
        self.token = str(sb.demo["useapi_token"])
        say(f"registering {len(images)} assets on the sandbox ...")
        self.ids = [sb.put_google_flow_asset(p, "image/jpeg") for p in images]
        say("resolving their links (untimed, before the latency is on) ...")
        urls = asyncio.run(_resolve_all(self.token, sb.api_url, self.ids))
        self.aria_list = work / "batch-aria2c.txt"
        self.aria_list.write_text(
            "".join(f"{url}\n  out={p.name}\n" for url, p in zip(urls, images, strict=True))
        )
        self.id_list = work / "batch-ids.txt"
        self.id_list.write_text("".join(f"{text}\n" for text in self.ids))
        self.aria_requests: dict[str, int] = {}
        self.md5s = [hashlib.md5(p.read_bytes()).hexdigest() for p in images]

    def fresh(self, name: str) -> Path:
        folder = self.work / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        return folder

    def engine(self) -> dict[str, Any]:
        """The CLI's batch in a child; its figures, and the files checked against the sources."""
        out = self.fresh("batch-engine")
        data = self.fresh("batch-data")  # an empty catalog: the services' names are used
        figures = self.work / "batch-figures.json"
        figures.unlink(missing_ok=True)
        env = dict(os.environ)
        env[TOKEN_ENV], env[URL_ENV] = self.token, self.sb.api_url
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(APP), env.get("PYTHONPATH")) if p)
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(figures), "--"]
        cmd += ["--data-dir", str(data), "download", "-", "--to", str(out)]
        cmd += ["--jobs", str(self.jobs)]
        self.sb.clear_requests()
        start = time.perf_counter()
        with self.id_list.open("rb") as ids:
            done = subprocess.run(
                cmd, stdin=ids, capture_output=True, text=True, env=env, check=False
            )
        process_seconds = time.perf_counter() - start
        if done.returncode != 0 or not figures.exists():
            tail = redact(done.stderr.strip()[-2000:])
            raise BenchError(f"The CLI's batch failed (exit {done.returncode}):\n{tail}")
        result: dict[str, Any] = json.loads(figures.read_text())
        result["requests"] = self._requests()
        paths: dict[str, Path] = {}
        for line in done.stdout.splitlines():
            item = json.loads(line)
            if "error" in item or "path" not in item:
                raise BenchError(f"The CLI reported a failed item: {redact(line)[:300]}")
            paths[item["id"]] = Path(item["path"])
        if result["status"] != 0 or len(paths) != len(self.ids):
            raise BenchError(f"The CLI exited {result['status']} with {len(paths)} files.")
        self._verify([paths[text] for text in self.ids], "the engine")
        shutil.rmtree(out, ignore_errors=True)
        return result | {"process_seconds": process_seconds}

    def _requests(self) -> dict[str, int]:
        """Requests each origin saw since the last clear (each one paid the added latency)."""
        return {origin: len(self.sb.requests(origin)) for origin in ("api", "storage")}

    def aria(self) -> float:
        """aria2c on the resolved links, same number of files at once; seconds."""
        out = self.fresh("batch-aria2c")
        cmd = ["aria2c", "-i", str(self.aria_list), "-j", str(self.jobs), "-q"]
        cmd += ["--allow-overwrite=true", "--auto-file-renaming=false", "-d", str(out)]
        self.sb.clear_requests()
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            tail = redact((done.stdout + done.stderr).strip()[-2000:])
            raise BenchError(f"aria2c failed (exit {done.returncode}):\n{tail}")
        self.aria_requests = self._requests()
        self._verify([out / p.name for p in self.images], "aria2c")
        shutil.rmtree(out, ignore_errors=True)
        return seconds

    def _verify(self, got: list[Path], who: str) -> None:
        """Every file is its source, byte for byte (untimed)."""
        for path, source in zip(got, self.images, strict=True):
            if not path.exists() or not filecmp.cmp(path, source, shallow=False):
                raise BenchError(f"{who}'s {path.name} is not {source.name}, byte for byte.")


def measure(sb: SandboxProcess, args: argparse.Namespace) -> dict[str, Any]:
    work = Path(args.work).expanduser()
    images = make_images(work, args.files, args.size_kb * KB)
    batch = Batch(sb, work, images, args.jobs)
    engine: list[dict[str, Any]] = []
    aria: list[float] = []
    up: list[dict[str, Any]] = []
    curl: list[float] = []
    sb.fault("api", "/*", latency=LATENCY, count=FOREVER)
    sb.fault("storage", "/*", latency=LATENCY, count=FOREVER)
    try:
        for r in range(args.rounds):
            runs = [lambda: engine.append(batch.engine()), lambda: aria.append(batch.aria())]
            for run in runs if r % 2 == 0 else reversed(runs):  # neither side always first
                run()
            say(
                f"round {r + 1}/{args.rounds}: engine {engine[-1]['seconds']:.2f} s, "
                f"aria2c {aria[-1]:.2f} s"
            )
        for r in range(0 if args.no_upload else args.rounds):
            runs = [
                lambda: up.append(batch_upload.queue_run(batch)),
                lambda: curl.append(batch_upload.curl_run(batch)),
            ]
            for run in runs if r % 2 == 0 else reversed(runs):
                run()
            say(
                f"round {r + 1}/{args.rounds} upload: queue {up[-1]['seconds']:.2f} s, "
                f"curl {curl[-1]:.2f} s"
            )
    finally:
        sb.clear_faults()
        sb.reset()  # unlinks the registered copies while the sandbox still has its folder
    seconds = [e["seconds"] for e in engine]
    ratio = statistics.median(seconds) / statistics.median(aria)
    growth = max(e["rss_growth"] for e in engine)
    return {
        "upload": batch_upload.figures(up, curl, TARGET_RATIO),
        "files": args.files,
        "file_bytes": args.size_kb * KB,
        "jobs": args.jobs,
        "rounds": args.rounds,
        "latency_s": LATENCY,
        "engine_s": {"median": statistics.median(seconds), "min": min(seconds), "all": seconds},
        "engine_process_s": [e["process_seconds"] for e in engine],
        "aria2c_s": {"median": statistics.median(aria), "min": min(aria), "all": aria},
        "ratio": ratio,
        "ratio_min": min(seconds) / min(aria),
        "ratio_target": TARGET_RATIO,
        "ratio_ok": ratio <= TARGET_RATIO,
        "requests": {"engine": engine[-1]["requests"], "aria2c": batch.aria_requests},
        "peak_rss_growth": growth,
        "rss_target": TARGET_RSS,
        "rss_ok": growth <= TARGET_RSS,
    }


# ------------------------------------------------------------------------------------- reporting


def table(result: dict[str, Any]) -> str:
    e, a = result["engine_s"], result["aria2c_s"]
    width = 34
    process = max(result["engine_process_s"])
    rq = result["requests"]
    lines = [
        f"batch benchmark: {result['files']} images of {result['file_bytes'] // KB} KB, "
        f"--jobs {result['jobs']}, +{result['latency_s'] * 1000:.0f} ms per request (API and "
        f"storage), {result['rounds']} round(s), median (min)",
        table_row(
            "engine: assetdesk download -",
            f"{e['median']:.2f} s ({e['min']:.2f}); whole process up to {process:.2f} s",
            label_width=width,
        ),
        table_row(
            "aria2c -i LIST (links resolved)",
            f"{a['median']:.2f} s ({a['min']:.2f})",
            label_width=width,
        ),
        table_row(
            "ratio engine / aria2c",
            f"{result['ratio']:.2f} ({result['ratio_min']:.2f})",
            f"target <= {TARGET_RATIO}",
            result["ratio_ok"],
            label_width=width,
        ),
        table_row(
            "peak RSS growth of the CLI",
            f"{result['peak_rss_growth'] / MIB:.0f} MiB (max of rounds)",
            f"target <= {TARGET_RSS // MIB} MiB",
            result["rss_ok"],
            label_width=width,
        ),
        f"requests (last round): engine API {rq['engine']['api']}, storage "
        f"{rq['engine']['storage']}; aria2c storage {rq['aria2c']['storage']}",
        *batch_upload.rows(result["upload"], width),
        "checked: every downloaded file byte for byte, every upload by md5 on the sandbox",
    ]
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------- main


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time the CLI's batch download against aria2c -i on the sandbox."
    )
    parser.add_argument("--files", type=int, default=None, help="images (default 1000; 100 quick)")
    parser.add_argument("--jobs", type=int, default=8, help="files at once, both sides (1-16)")
    parser.add_argument("--size-kb", type=int, default=500, help="bytes of each image / 1000")
    parser.add_argument("--rounds", type=int, default=1, help="rounds, alternated (default 1)")
    parser.add_argument(
        "--work",
        default="~/.cache/assetdesk-bench",
        help="folder for the images, made once and reused (default %(default)s)",
    )
    parser.add_argument("--quick", action="store_true", help="100 images: a smoke test")
    parser.add_argument("--no-upload", action="store_true", help="the download half only")
    parser.add_argument("--json", action="store_true", help="print one JSON line, not the table")
    args = parser.parse_args(argv)
    if args.files is None:
        args.files = 100 if args.quick else 1000
    if args.files < 1 or args.rounds < 1 or not 1 <= args.jobs <= 16:
        parser.error("--files and --rounds must be at least 1, --jobs between 1 and 16")
    return args


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--child"]:  # run by the benchmark itself: --child FIGURES -- CLI ARGS
        return _child_main(Path(argv[1]), argv[3:])
    args = _parse(argv)
    if shutil.which("aria2c") is None:
        print("aria2c is not installed: run `make bench`, or apt-get install aria2.")
        return 1
    try:
        with SandboxProcess.start(control=True) as sb:
            result = measure(sb, args)
    except BenchError as error:
        print(f"batch benchmark stopped: {error}", file=sys.stderr)
        return 1
    print(json.dumps(result) if args.json else table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
