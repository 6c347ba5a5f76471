"""batch.py's upload half: the app's upload queue against parallel curl uploads of the images.

`queue_run(batch)` runs this file as a child: it builds the services over an empty data folder
with a session-only account for the sandbox (as benchmarks/soak_worker.py does), sets the queue's
concurrency, resets its peak RSS, then times `add_paths` of the images until no item is pending
or uploading, and writes {seconds, rss_growth, states, concurrency} to the figures file.
`curl_run(batch)` runs as many `curl -T` processes at once. Both are checked, untimed, by the
md5 of every new asset on the sandbox.

child argv: plan.json {data_dir, api_url, files, jobs, figures}; the token in ASSETDESK_BENCH_TOKEN
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shared import BenchError, redact, status_bytes, table_row

if TYPE_CHECKING:
    from batch import Batch

MAX_CONCURRENCY = 8  # the upload queue's own limit (services/upload_queue.py)
MIB = 1024 * 1024
TOKEN_ENV = "ASSETDESK_BENCH_TOKEN"

# ------------------------------------------------------------------------------------ child side


def _reset_peak() -> int:
    """RSS now, after resetting the peak (on an old kernel the peak includes start-up)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    return status_bytes("VmRSS")


async def run(plan: dict[str, Any]) -> dict[str, Any]:
    import keyring.backends.fail

    from assetdesk.services.app import build_services
    from assetdesk.services.upload_items import ItemState, UploadTarget
    from assetdesk.store.paths import AppPaths
    from assetdesk.store.secrets import SecretStore

    busy = {ItemState.PENDING, ItemState.UPLOADING}
    paths = AppPaths.from_option(plan["data_dir"]).ensure()
    store = SecretStore(keyring.backends.fail.Keyring())
    store.use_session_only()
    services = build_services(paths, secrets=store)
    images = [Path(name) for name in plan["files"]]
    try:
        account = await services.accounts.add_session_account(
            name="Sandbox", kind="useapi", base_url=plan["api_url"], secret=os.environ[TOKEN_ENV]
        )
        queue = services.uploads
        await queue.load()
        await queue.set_concurrency(int(plan["jobs"]))
        queue.start()
        before = _reset_peak()
        start = time.perf_counter()
        await queue.add_paths(images, UploadTarget.google_flow(account.id, "Sandbox"))
        while any(item.state in busy for item in queue.items):  # noqa: ASYNC110 (polls)
            await asyncio.sleep(0.02)
        seconds = time.perf_counter() - start
        growth = status_bytes("VmHWM") - before
        states = Counter(str(item.state) for item in queue.items)
    finally:
        await services.aclose()
    figures = {"seconds": seconds, "rss_growth": growth, "states": dict(states)}
    return figures | {"concurrency": queue.concurrency}


# ----------------------------------------------------------------------------------- parent side


def _flow_md5s(batch: Batch) -> dict[str, str]:
    """Every Google Flow asset on the sandbox: id -> md5 (hex, as the sandbox gives it)."""
    assets = batch.sb.google_flow_assets()
    return {a["mediaGenerationId"]: str((a.get("object") or {}).get("md5")) for a in assets}


def _check_uploads(batch: Batch, before: dict[str, str], who: str) -> None:
    """The new assets are the images, each once, by md5 (untimed)."""
    new = [md5 for key, md5 in _flow_md5s(batch).items() if key not in before]
    if sorted(new) != sorted(batch.md5s):
        raise BenchError(f"{who}: {len(new)} new assets on the sandbox, not the images.")


def queue_run(batch: Batch) -> dict[str, Any]:
    """The app's upload queue (concurrency = jobs, at most MAX_CONCURRENCY) in a child."""
    before = _flow_md5s(batch)
    plan: dict[str, Any] = {"api_url": batch.sb.api_url}
    plan |= {"jobs": batch.jobs, "data_dir": str(batch.fresh("batch-data"))}
    plan |= {"files": list(map(str, batch.images))}
    plan["figures"] = str(batch.work / "batch-upload-figures.json")
    plan_path = batch.work / "batch-upload-plan.json"
    plan_path.write_text(json.dumps(plan))
    here = Path(__file__).resolve().parent
    app = here.parent / "app"
    env = dict(os.environ)
    env[TOKEN_ENV] = batch.token  # not in the plan file, not on the command line
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(app), str(here), env.get("PYTHONPATH")) if p
    )
    child = [sys.executable, str(Path(__file__).resolve()), str(plan_path)]
    done = subprocess.run(child, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        tail = redact(done.stderr.strip()[-2000:])
        raise BenchError(f"The upload queue's child failed (exit {done.returncode}):\n{tail}")
    result: dict[str, Any] = json.loads(Path(plan["figures"]).read_text())
    if result["states"] != {"done": len(batch.images)}:
        raise BenchError(f"The upload queue ended with {result['states']}.")
    _check_uploads(batch, before, "the upload queue")
    return result


def curl_run(batch: Batch) -> float:
    """As many curl uploads at once as the queue runs (each a process, as a shell script would
    run them); seconds."""
    before = _flow_md5s(batch)
    url = batch.sb.api_url + "/v1/google-flow/assets"

    def one(path: Path) -> None:
        cmd = ["curl", "-sS", "-f", "-o", "/dev/null", "-X", "POST", "-T", str(path)]
        cmd += ["-H", "Content-Type: image/jpeg", "-H", f"Authorization: Bearer {batch.token}"]
        done = subprocess.run([*cmd, url], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise BenchError(f"curl's upload of {path.name}: {redact(done.stderr)[:300]}")

    start = time.perf_counter()
    with ThreadPoolExecutor(min(batch.jobs, MAX_CONCURRENCY)) as pool:
        list(pool.map(one, batch.images))
    seconds = time.perf_counter() - start
    _check_uploads(batch, before, "curl")
    return seconds


def figures(queue: list[dict[str, Any]], curl: list[float], target: float) -> dict[str, Any]:
    """The upload rounds as one JSON-able dict ({} when not measured)."""
    if not queue:
        return {}
    seconds = [q["seconds"] for q in queue]
    ratio = statistics.median(seconds) / statistics.median(curl)
    return {
        "queue_s": {"median": statistics.median(seconds), "min": min(seconds), "all": seconds},
        "queue_concurrency": queue[-1]["concurrency"],
        "curl_s": {"median": statistics.median(curl), "min": min(curl), "all": curl},
        "ratio": ratio,
        "ratio_min": min(seconds) / min(curl),
        "target": target,
        "ok": ratio <= target,
        "peak_rss_growth": max(q["rss_growth"] for q in queue),
    }


def rows(u: dict[str, Any], width: int) -> list[str]:
    """The upload lines of batch.py's table."""
    if not u:
        return ["upload: not measured (--no-upload)"]
    q, c = u["queue_s"], u["curl_s"]
    queue_figure = f"{q['median']:.2f} s ({q['min']:.2f}); peak RSS growth "
    queue_figure += f"{u['peak_rss_growth'] / MIB:.0f} MiB"
    return [
        table_row(
            f"upload queue ({u['queue_concurrency']} at once)", queue_figure, label_width=width
        ),
        table_row(
            "curl uploads, as many at once",
            f"{c['median']:.2f} s ({c['min']:.2f})",
            label_width=width,
        ),
        table_row(
            "ratio queue / curl",
            f"{u['ratio']:.2f} ({u['ratio_min']:.2f})",
            f"target <= {u['target']}",
            u["ok"],
            label_width=width,
        ),
    ]


if __name__ == "__main__":
    PLAN = json.loads(Path(sys.argv[1]).read_text())
    Path(PLAN["figures"]).write_text(json.dumps(asyncio.run(run(PLAN))))
