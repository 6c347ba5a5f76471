"""The soak's checks of what a run left (benchmarks/soak.py): the download folder against the
sources, the soak's download journal, the upload queue's rows and the copies the sandbox holds;
and `self_check`, which plants each fault the checks look for and makes sure they count it.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

from assetdesk.sandbox.launcher import SandboxProcess

FINAL_NAME = re.compile(r"^dl-(\d{3})( \(\d+\))?\.mp4$")
BUSY = ("pending", "uploading")


def digest(path: Path, kind: str = "sha256") -> str:
    return hashlib.new(kind, path.read_bytes()).hexdigest()


def is_sentence(text: str | None) -> bool:
    """A clear error: a sentence for a person, not a bare exception or a traceback."""
    text = (text or "").strip()
    plain = "Traceback" not in text and not re.match(r"^[A-Za-z_.]+(Error|Exception)\b", text)
    return bool(text) and plain and text[-1] in ".?!”)"


def check_downloads(plan: dict[str, Any]) -> dict[str, Any]:
    items = {item["number"]: item for item in plan["download_items"]}
    want = {n: digest(Path(item["path"])) for n, item in items.items()}
    conn = sqlite3.connect(plan["journal"])
    outcomes = {
        row[0]: row[1:] for row in conn.execute("SELECT item, state, message, path FROM outcome")
    }
    conn.close()
    figures: Counter[str] = Counter()
    examples: dict[str, str] = {}
    copies: Counter[int] = Counter()
    parts: Counter[int] = Counter()  # `.part` files of each item (a failed one keeps its own)
    for path in sorted(Path(plan["downloads"]).rglob("*")):
        if not path.is_file():
            continue
        if path.name.endswith((".part", ".part.json")):
            owner = re.match(r"^dl-(\d{3})", path.name)
            parts[int(owner[1]) if owner else -1] += path.suffix == ".part"
            continue
        match = FINAL_NAME.match(path.name)
        if match is None or int(match[1]) not in want:
            figures["unexpected files"] += 1
            examples.setdefault("unexpected file", path.name)
            continue
        copies[int(match[1])] += 1
        if digest(path) == want[int(match[1])]:
            figures["files byte-exact"] += 1
        else:
            figures["bad"] += 1
            examples.setdefault("truncated or unverified", path.name)
    figures["second copies (a kill after the rename)"] = sum(
        c - 1 for c in copies.values() if c > 1
    )
    for n in items:
        state, message, path = outcomes.get(n, (None, None, None))
        if state is None:
            figures["lost"] += 1
        elif state == "done":
            figures["done"] += 1
            figures["orphan .part files"] += parts[n]
            if path and FINAL_NAME.match(Path(path).name)[2]:  # type: ignore[index]
                figures["not resumed"] += 1
                examples.setdefault("not resumed", f"{Path(path).name}, {parts[n]} .part left")
            if not path or not Path(path).is_file() or digest(Path(path)) != want[n]:
                figures["bad"] += 1
                examples.setdefault("done but not byte-exact", str(path))
        elif state == "failed" and is_sentence(message):
            figures["clear errors"] += 1
            figures["part files kept by failed ones"] += parts[n]
            examples.setdefault(f"error {figures['clear errors'] % 3}", message or "")
        else:
            figures["unclear errors"] += 1
            examples.setdefault("unclear error", f"{state}: {message}")
    return {"figures": figures, "examples": examples}


def check_uploads(plan: dict[str, Any], sb: SandboxProcess, before: Counter[str]) -> dict[str, Any]:
    stored = Counter(obj["md5"] for obj in sb.objects())
    conn = sqlite3.connect(Path(plan["data_dir"]) / "assetdesk.sqlite3")
    rows: dict[str, list[tuple[str, str | None]]] = {}
    for path, state, message in conn.execute("SELECT path, state, message FROM upload_queue"):
        rows.setdefault(path, []).append((state, message))
    conn.close()
    figures: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for item in plan["upload_items"]:
        path = item["path"]
        copies = stored[digest(Path(path), "md5")] - before[digest(Path(path), "md5")]
        found = rows.get(path, [])
        if copies > 1:
            figures["duplicates"] += copies - 1
            examples.setdefault("duplicate", f"{Path(path).name}: {copies} copies")
        if len(found) != 1 or found[0][0] in BUSY:
            figures["lost"] += 1
            examples.setdefault("lost", f"{Path(path).name}: rows {found}")
            continue
        state, message = found[0]
        if state == "done":
            figures["done"] += 1
            if copies < 1:
                figures["done but not on the service"] += 1
        elif state == "unknown":
            figures["outcome unknown"] += 1
            figures["unknown, kept by the service"] += copies >= 1
        elif is_sentence(message):
            figures["clear errors"] += 1
            figures["failed, yet kept by the service"] += copies >= 1
            examples.setdefault(f"{state} {figures['clear errors'] % 3}", message or "")
        else:
            figures["unclear errors"] += 1
            examples.setdefault("unclear error", f"{state}: {message}")
    return {"figures": figures, "examples": examples}


def self_check(
    plan: dict[str, Any],
    sb: SandboxProcess,
    before: Counter[str],
    down: dict[str, Any],
    up: dict[str, Any],
) -> str:
    """After the run's checks: plant one fault of each kind the "must be 0" lines count (a second
    copy of an upload on the service, a flipped byte in a saved file, a download's outcome and an
    upload's row gone) and check that each figure grows by one; a line that says so."""
    first = plan["upload_items"][0]["path"]
    sb.put_google_flow_asset(first, "video/mp4")  # the service now holds one copy more
    saved = sorted(p for p in Path(plan["downloads"]).iterdir() if FINAL_NAME.match(p.name))
    flipped = bytearray(saved[0].read_bytes())
    flipped[-1] ^= 0xFF
    saved[0].write_bytes(bytes(flipped))
    with sqlite3.connect(plan["journal"]) as conn:
        conn.execute("DELETE FROM outcome WHERE item = (SELECT MAX(item) FROM outcome)")
    conn.close()
    with sqlite3.connect(Path(plan["data_dir"]) / "assetdesk.sqlite3") as conn:
        conn.execute("DELETE FROM upload_queue WHERE path = ?", (plan["upload_items"][-1]["path"],))
    conn.close()
    d, u = down["figures"], up["figures"]
    d2, u2 = check_downloads(plan)["figures"], check_uploads(plan, sb, before)["figures"]
    grown = {
        "duplicate upload": u2["duplicates"] - u["duplicates"] >= 1,
        "flipped byte": d2["bad"] - d["bad"] >= 1,
        "lost download": d2["lost"] - d["lost"] == 1,
        "lost upload": u2["lost"] - u["lost"] == 1,
    }
    missed = [name for name, seen in grown.items() if not seen]
    if missed:
        return "self-check FAILED: the checks did not count a planted " + ", ".join(missed)
    return "self-check: a planted " + ", ".join(grown) + " each counted: ok"
