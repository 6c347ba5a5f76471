"""The library benchmark's catalog plan: the file, name, prompt and date behind each row, the
sandbox assets the rows point at, the catalog's insert (one transaction, as a listing writes it),
and the script of search, filter and sort changes with what each must show, counted from the plan.

Names and prompts are chosen so that a search means the same under the pane's substring match and
under a word-prefix index (FTS5): a word that is in 1% of the names, prompt words, the first group
of an id's UUID. A one-letter search can only match fewer rows under an index (a word's prefix is
a substring), so for those the check is "no more than the substring count".
"""

from __future__ import annotations

import json
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from library_scale_media import MediaFile
from shared import BenchError

if TYPE_CHECKING:
    from assetdesk.sandbox.launcher import SandboxProcess

VIDEO_EVERY = 10  # one catalog row in ten is a video
NAME_WORD = "lighthouse"  # in one name in 100
RARE_WORD = "harbour"  # in one name in 200
PROMPT_EVERY = 3  # one row in three is a generation with a prompt
PROMPTS = (
    "a red fox crossing fresh snow",
    "neon rain on a tokyo side street",
    "paper boats on a pond, macro",
    "a glass orb on black sand, studio light",
)
START = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
REGISTER_THREADS = 4  # concurrent control calls while registering the distinct files
COPY_CHUNK = 20_000  # copies per control call


def plan_rows(
    files: list[MediaFile], first: int, count: int, *, newer: bool
) -> list[dict[str, Any]]:
    """Rows `first` .. `first + count - 1` of the catalog (without their remote ids yet).

    Row i is a video every VIDEO_EVERY-th row, an image otherwise, cycling over the files. The
    catalog's rows are dated a minute apart back from START (row 0 the newest); `newer` rows (the
    ones a refresh adds) a minute apart after START, so that they come first, newest first."""
    images = [f for f in files if f.kind == "image"]
    videos = [f for f in files if f.kind == "video"]
    rows = []
    for k in range(count):
        index = first + k
        is_video = bool(videos) and index % VIDEO_EVERY == VIDEO_EVERY - 1
        media = (
            videos[index // VIDEO_EVERY % len(videos)] if is_video else images[index % len(images)]
        )
        word = (
            NAME_WORD + "-" if index % 100 == 37 else RARE_WORD + "-" if index % 200 == 91 else ""
        )
        prompt = (
            PROMPTS[index // PROMPT_EVERY % len(PROMPTS)] if index % PROMPT_EVERY == 0 else None
        )
        moment = START + timedelta(minutes=count - k) if newer else START - timedelta(minutes=index)
        rows.append(
            {
                "file": str(media.path),
                "kind": media.kind,
                "name": f"{word}{media.path.stem}-{index:06d}{media.path.suffix}",
                "mime": media.mime,
                "size": media.path.stat().st_size,
                "width": media.width,
                "height": media.height,
                "duration": media.duration,
                "created_at": moment.isoformat(timespec="seconds"),
                "prompt": prompt,
            }
        )
    return rows


def register(sb: SandboxProcess, rows: list[dict[str, Any]]) -> None:
    """One Runway asset in the sandbox per row, its `remote_id`: each distinct file is registered
    once (a real upload with its probe), the rows are copies of it (`/_sandbox/runway/copies`)."""
    paths = sorted({row["file"] for row in rows})
    mimes = {row["file"]: row["mime"] for row in rows}

    def put(path: str) -> str:
        return sb.put_runway_asset(Path(path), mimes[path], name=Path(path).name)

    with ThreadPoolExecutor(REGISTER_THREADS) as pool:
        source = dict(zip(paths, pool.map(put, paths), strict=True))
    for start in range(0, len(rows), COPY_CHUNK):
        chunk = rows[start : start + COPY_CHUNK]
        body = json.dumps({"copies": [[source[r["file"]], r["name"]] for r in chunk]}).encode()
        request = urllib.request.Request(
            sb.api_url + "/_sandbox/runway/copies", data=body, method="POST"
        )
        for key, value in {**sb.control_headers, "Content-Type": "application/json"}.items():
            request.add_header(key, value)
        with urllib.request.urlopen(request, timeout=300) as answer:
            ids = json.loads(answer.read())["assetIds"]
        if len(ids) != len(chunk):
            raise BenchError(f"The sandbox made {len(ids)} of {len(chunk)} Runway assets.")
        for row, asset_id in zip(chunk, ids, strict=True):
            row["remote_id"] = asset_id


def insert_catalog(database: Path, rows_file: Path, account_id: int) -> int:
    """The rows of `rows_file` (JSON lines) into the catalog in one transaction, as a Runway
    listing writes them (LibraryStore.add), from a connection of its own; returns how many it
    took."""
    from assetdesk.core.ids import RunwayAssetId
    from assetdesk.core.provider import Provider
    from assetdesk.store.db import open_database
    from assetdesk.store.library import AssetDraft, LibraryStore

    rows = [json.loads(line) for line in rows_file.read_text().splitlines()]
    drafts = [
        AssetDraft(
            provider=Provider.RUNWAY,
            remote_id=row["remote_id"],
            origin="listed",
            kind=row["kind"],
            name=row["name"],
            mime=row["mime"],
            size=row["size"],
            width=row["width"],
            height=row["height"],
            duration_seconds=row["duration"],
            account_id=account_id,
            account_email=RunwayAssetId.parse(row["remote_id"]).email,
            created_at=row["created_at"],
            prompt=row["prompt"],
        )
        for row in rows
    ]
    conn = open_database(database)
    try:
        stored = LibraryStore(conn).add(drafts)
    finally:
        conn.close()
    if stored.added != len(rows):
        raise BenchError(f"The catalog took {stored.added} of {len(rows)} rows.")
    return stored.added


# --------------------------------------------------------------------- the changes and their checks


def _haystack(row: dict[str, Any]) -> str:
    """What the pane searches: the title (the name), the name, the id, the prompt."""
    return f"{row['name']}\n{row['name']}\n{row['remote_id']}\n{row['prompt'] or ''}".casefold()


def _shown(rows: list[dict[str, Any]], state: dict[str, Any]) -> int:
    text = state["search"].strip().casefold()
    return sum(
        1
        for row in rows
        if (state["kind"] is None or row["kind"] == state["kind"])
        and (state["provider"] is None or state["provider"] == "runway")
        and (not text or text in _haystack(row))
    )


def _id_part(row: dict[str, Any]) -> str:
    """The first group of the row's asset UUID (a word of its own in the id)."""
    return str(row["remote_id"].rsplit("-asset:", 1)[1].split("-")[0])


def change_script(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """About 30 search and filter changes, each with the row count the view must show after it
    (`exact`: that count; otherwise at most that many and at least one)."""
    id_a, id_b = _id_part(rows[len(rows) // 3]), _id_part(rows[2 * len(rows) // 3])
    moves: list[tuple[str, Any]] = [
        ("search", NAME_WORD),
        ("search", ""),
        ("search", "fox"),
        ("kind", "video"),
        ("search", ""),
        ("kind", "image"),
        ("provider", "runway"),
        ("provider", "google-flow"),
        ("provider", None),
        ("kind", None),
        ("search", id_a),
        ("search", ""),
        ("search", "v"),
        ("search", ""),
        ("search", RARE_WORD),
        ("kind", "video"),
        ("kind", None),
        ("search", ""),
        ("search", "neon"),
        ("provider", "runway"),
        ("kind", "image"),
        ("search", ""),
        ("kind", None),
        ("provider", None),
        ("search", id_b),
        ("search", ""),
        ("search", "7"),
        ("search", ""),
        ("kind", "video"),
        ("kind", None),
    ]
    state: dict[str, Any] = {"search": "", "kind": None, "provider": None}
    script = []
    for what, value in moves:
        state[what] = value
        label = f"{what} {value!r}" if value not in (None, "") else f"{what} cleared"
        exact = what != "search" or len(state["search"].strip()) != 1
        if not exact:
            label += " (one letter)"
        script.append(
            {
                "what": what,
                "value": value,
                "label": label,
                "expect": _shown(rows, state),
                "exact": exact,
            }
        )
    return script


def sort_script(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sort changes from the pane's default (date, newest first) through name, size and date
    each way, with the first row each must show (its name, or for size its size: sizes tie)."""
    by_name = sorted(r["name"].casefold() for r in rows)
    sizes = [r["size"] for r in rows]
    by_date = sorted(rows, key=lambda r: r["created_at"])
    moves = [
        ("sort", "name", "name, Z to A", ("name", by_name[-1])),
        ("order", "asc", "name, A to Z", ("name", by_name[0])),
        ("sort", "size", "size, smallest first", ("size", min(sizes))),
        ("order", "desc", "size, largest first", ("size", max(sizes))),
        ("sort", "date", "date, newest first", ("name", by_date[-1]["name"])),
        ("order", "asc", "date, oldest first", ("name", by_date[0]["name"])),
        ("order", "desc", "date, newest first", ("name", by_date[-1]["name"])),
    ]
    return [
        {
            "what": what,
            "value": value,
            "label": label,
            "expect": len(rows),
            "exact": True,
            "first": list(first),
        }
        for what, value, label, first in moves
    ]
