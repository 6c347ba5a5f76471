"""Fault-injection soak (issue 16): downloads and uploads against the sandbox under random faults,
with the worker process SIGKILLed at random moments and started again, then the end state checked.

    python benchmarks/soak.py --quick          # 20 downloads + 20 uploads, 3 kills (a smoke run)
    python benchmarks/soak.py --seed 7         # 200 + 200, 20 kills (several minutes)

Not a timed benchmark: it prints counts. The worker (benchmarks/soak_worker.py) runs the real
services over one data folder: the upload queue (half to Google Flow, half to Runway) and the
Library's downloads (Google Flow assets by "Save as", Runway assets by "Download to a folder").
While it runs, this script arms one random fault every --fault-every seconds through the
sandbox's control surface: on storage GETs a drop at a random offset, a stall, a 503, a flipped
byte (wrong hash), a clean short body, a `Content-Encoding: gzip` answer; on the API a 429 or a
500 for an asset's lookup; on upload POSTs a drop while sending, a lost answer (stored, never
answered), a 500/503, a 429, a slow answer; and now and then every signed link expires (the
sandbox clock moves 7 hours). After the last kill the worker runs until every item has ended.

Then, from the data folder, the soak's journal and the sandbox: files under a final name in the
download folder compared byte for byte with their source, every planned upload's row and end
state, and how many copies of each upload the service holds (counted by md5). "must be 0" lines
are the issue's promises; the script exits 1 when one of them is broken. The checks are
soak_checks.py's; `--self-check` then plants one fault of each kind they count and recounts.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from random import Random
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "app"))

from assetdesk.core.provider import Provider  # noqa: E402
from assetdesk.sandbox.launcher import SandboxProcess  # noqa: E402
from soak_checks import check_downloads, check_uploads, self_check  # noqa: E402

CLIP = ROOT / "resources" / "demo" / "clip-320x180.mp4"
WORKER = Path(__file__).with_name("soak_worker.py")
KIB = 1024
UPLOAD_POST = {
    Provider.GOOGLE_FLOW: "/v1/google-flow/assets*",
    Provider.RUNWAY: "/v1/runwayml/assets*",
}
LOOKUP_GET = {
    Provider.GOOGLE_FLOW: "/v1/google-flow/assets/*",
    Provider.RUNWAY: "/v1/runwayml/assets/*",
}


def padded_clip(path: Path, size: int, rng: Random) -> Path:
    """A valid MP4 of `size` bytes: the demo clip + a `free` box of seeded random bytes (the
    sandbox probes uploads; the random tail makes every file's md5 its own)."""
    head = CLIP.read_bytes()
    pad = size - len(head) - 8
    path.write_bytes(head + (pad + 8).to_bytes(4, "big") + b"free" + rng.randbytes(pad))
    return path


# ------------------------------------------------------------------------------------ faults


def fault_menu(sb: SandboxProcess, rng: Random) -> list[tuple[str, Callable[[], None]]]:
    """(name, arm) for every fault the soak injects; each arms one rule for the next request."""

    def storage(**rule: Any) -> Callable[[], None]:
        return lambda: sb.fault("storage", "/*", method="GET", **rule)

    def post(**rule: Any) -> Callable[[], None]:
        path = UPLOAD_POST[rng.choice([Provider.GOOGLE_FLOW, Provider.RUNWAY])]
        return lambda: sb.fault("api", path, method="POST", **rule)

    def lookup(**rule: Any) -> Callable[[], None]:
        path = LOOKUP_GET[rng.choice([Provider.GOOGLE_FLOW, Provider.RUNWAY])]
        return lambda: sb.fault("api", path, method="GET", **rule)

    retry_soon = {"Retry-After": "1"}
    return [
        ("download drop", storage(drop_after_bytes=rng.randint(1, 96 * KIB))),
        ("download stall", storage(stall_after_bytes=rng.randint(1, 64 * KIB), stall_seconds=2)),
        ("download 503", storage(status=503, body="Service Unavailable")),
        ("download wrong hash", storage(corrupt_byte_at=rng.randint(0, 48 * KIB))),
        ("download short body", storage(content_length=rng.randint(1, 48 * KIB))),
        ("download gzip answer", storage(headers={"Content-Encoding": "gzip"})),
        ("expired links", lambda: sb.advance_clock(7 * 3600)),
        ("lookup 429", lookup(status=429, headers=retry_soon, body={"error": "Too many"})),
        ("lookup 500", lookup(status=500, body={"error": "Internal error"})),
        ("upload drop", post(drop_after_request_bytes=rng.randint(1, 96 * KIB))),
        ("upload lost answer", post(lose_answer=True)),
        ("upload 5xx", post(status=rng.choice([500, 503]), body={"error": "Try again"})),
        ("upload 429", post(status=429, headers=retry_soon, body={"error": "Too many requests"})),
        ("upload slow answer", post(latency=rng.uniform(0.5, 3))),
    ]


class FaultArmer(threading.Thread):
    """Arms one random fault every `every` seconds until stopped; counts what it armed."""

    def __init__(self, sb: SandboxProcess, rng: Random, every: float) -> None:
        super().__init__(name="soak-faults", daemon=True)
        self.sb, self.rng, self.every = sb, rng, every
        self.armed: Counter[str] = Counter()
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            name, arm = self.rng.choice(fault_menu(self.sb, self.rng))
            if name == "expired links" and self.rng.random() > 0.25:
                continue  # every link at once: rarer than the rest
            arm()
            self.armed[name] += 1


# ---------------------------------------------------------------------------- the run itself


def prepare(
    args: argparse.Namespace, work: Path, sb: SandboxProcess, rng: Random
) -> dict[str, Any]:
    """Source files, the sandbox's assets to download, and the plan the worker reads."""
    sources, uploads = work / "sources", work / "uploads"
    sources.mkdir()
    uploads.mkdir()
    downloads: list[dict[str, Any]] = []
    for n in range(args.downloads):
        name = f"dl-{n:03d}.mp4"
        path = padded_clip(sources / name, rng.randint(48 * KIB, args.max_size), rng)
        provider = Provider.GOOGLE_FLOW if n % 2 == 0 else Provider.RUNWAY
        if provider == Provider.GOOGLE_FLOW:
            ref = sb.put_google_flow_asset(path, "video/mp4")
        else:
            ref = sb.put_runway_asset(path, "video/mp4", name=name)
        downloads.append(dict(number=n, name=name, provider=provider, ref=ref, path=str(path)))
    upload_items = []
    for n in range(args.uploads):
        path = padded_clip(uploads / f"up-{n:03d}.mp4", rng.randint(48 * KIB, args.max_size), rng)
        provider = Provider.GOOGLE_FLOW if n % 2 == 0 else Provider.RUNWAY
        upload_items.append(dict(number=n, provider=provider, path=str(path.resolve())))
    (work / "downloads").mkdir()
    plan = dict(
        data_dir=str(work / "data"),
        journal=str(work / "journal.sqlite"),
        downloads=str(work / "downloads"),
        api_url=sb.api_url,
        token=sb.demo["useapi_token"],
        download_items=downloads,
        upload_items=upload_items,
    )
    (work / "plan.json").write_text(json.dumps(plan, indent=1))
    return plan


def run_worker(work: Path, runs: int) -> subprocess.Popen[bytes]:
    log = (work / f"worker-{runs:02d}.log").open("wb")
    cmd = [sys.executable, str(WORKER), str(work / "plan.json")]
    env = {"PYTHONPATH": str(ROOT / "app"), "PATH": "/usr/bin:/bin"}
    return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=work)


def drive(args: argparse.Namespace, work: Path, rng: Random) -> dict[str, int]:
    """Start the worker, kill it `args.kills` times at random moments, restart it each time, and
    let the last run finish; the faults are armed all along."""
    runs = kills = crashes = 0
    deadline = time.monotonic() + args.timeout
    while True:
        runs += 1
        worker = run_worker(work, runs)
        kill_at = time.monotonic() + rng.uniform(0.5, args.kill_within)
        while worker.poll() is None and time.monotonic() < deadline:
            if kills < args.kills and time.monotonic() >= kill_at:
                worker.send_signal(signal.SIGKILL)
                worker.wait()
                kills += 1
                print(f"  kill {kills}/{args.kills} at run {runs}", file=sys.stderr, flush=True)
                break
            time.sleep(0.05)
        if worker.poll() is None:  # the deadline
            worker.kill()
            worker.wait()
            print("  timed out: the worker was still busy", file=sys.stderr)
            break
        if worker.returncode == 0:
            break
        if worker.returncode != -signal.SIGKILL:
            crashes += 1
            print(f"  the worker exited with {worker.returncode} (worker-{runs:02d}.log)")
            if crashes > 3:
                break
    return {"runs": runs, "kills": kills, "crashes": crashes}


def report(
    args: argparse.Namespace, run: dict[str, int], armed: Counter[str], down: Any, up: Any
) -> int:
    d, u = down["figures"], up["figures"]
    print(
        f"soak, seed {args.seed}: {args.downloads} downloads + {args.uploads} uploads, "
        f"{run['kills']} SIGKILLs over {run['runs']} worker runs, {run['crashes']} crashes"
    )
    print("faults armed        " + ", ".join(f"{k} {v}" for k, v in sorted(armed.items())))
    print(
        f"downloads           done {d['done']}, clear errors {d['clear errors']}, "
        f"unclear errors {d['unclear errors']}"
    )
    print(
        f"  files byte-exact  {d['files byte-exact']} under a final name "
        f"({d['second copies (a kill after the rename)']} second copies, "
        f"{d['unexpected files']} unexpected); .part kept by failed ones "
        f"{d['part files kept by failed ones']}"
    )
    print(
        f"  after a kill      {d['not resumed']} saved as 'NAME (n)' instead of going on from "
        f"their .part, leaving {d['orphan .part files']} orphan .part files (should be 0)"
    )
    print(
        f"uploads             done {u['done']}, outcome unknown {u['outcome unknown']} "
        f"({u['unknown, kept by the service']} of them kept by the service), "
        f"clear errors {u['clear errors']} ({u['failed, yet kept by the service']} of them "
        f"kept by the service), unclear errors {u['unclear errors']}"
    )
    musts = [
        ("truncated or unverified files under a final name", d["bad"]),
        ("duplicate uploads", u["duplicates"]),
        ("uploads done but not on the service", u["done but not on the service"]),
        ("items lost from the queue", d["lost"] + u["lost"]),
        ("worker crashes (not our SIGKILLs)", run["crashes"]),
    ]
    for label, value in musts:
        print(f"{label:<52} {value:>4}   must be 0   {'ok' if value == 0 else 'BROKEN'}")
    for name, text in {**down["examples"], **up["examples"]}.items():
        print(f"  e.g. {name}: {text[:150]}")
    return 0 if all(value == 0 for _, value in musts) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 + 20 items, 3 kills")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--downloads", type=int)
    parser.add_argument("--uploads", type=int)
    parser.add_argument("--kills", type=int)
    parser.add_argument("--max-size", type=int, default=1536 * KIB, help="largest file, bytes")
    parser.add_argument("--fault-every", type=float, default=0.3, help="seconds between faults")
    parser.add_argument("--kill-within", type=float, help="a kill within S s of a start (10; 4)")
    parser.add_argument("--rate", type=int, default=384 * KIB, help="bytes/s per connection")
    parser.add_argument("--timeout", type=float, default=1800, help="give up after S seconds")
    parser.add_argument(
        "--self-check", action="store_true", help="then plant a fault of each kind and recount"
    )
    parser.add_argument("--work", type=Path, help="keep the run's files here (default: temporary)")
    args = parser.parse_args()
    defaults = (
        ("downloads", 200, 20),
        ("uploads", 200, 20),
        ("kills", 20, 3),
        ("kill_within", 10, 4),
    )
    for name, full, quick in defaults:
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)
    rng = Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="assetdesk-soak-") as temporary:
        work = args.work or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        with SandboxProcess.start(control=True, data_dir=work / "sandbox") as sb:
            plan = prepare(args, work, sb, rng)
            before = Counter(obj["md5"] for obj in sb.objects())
            for origin in ("api", "storage"):  # transfers that last long enough to be cut
                sb.bandwidth(origin, args.rate)
            armer = FaultArmer(sb, Random(rng.random()), args.fault_every)
            armer.start()
            try:
                run = drive(args, work, rng)
            finally:
                armer.stopped.set()
                armer.join()
            down = check_downloads(plan)
            up = check_uploads(plan, sb, before)
            status = report(args, run, armer.armed, down, up)
            if args.self_check:
                print(self_check(plan, sb, before, down, up))
            return status


if __name__ == "__main__":
    raise SystemExit(main())
