"""Runway images put on the sandbox and added to the catalog for the Library's download tests
(tests/helpers/library_window.py opens the window over them), and what the tests read back: the
storage origin's first GETs, the downloads list's states."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.helpers.media_files import DEMO

from assetdesk.services.app import AppServices
from assetdesk.ui.library.pane import LibraryPane


def add_assets(
    sb: Any, arun: Any, services: AppServices, account: Any, folder: Path, count: int, pad: int
) -> dict[str, bytes]:
    """`count` Runway images, each its own bytes (a JPEG with `pad` bytes after its end), in the
    catalog; their contents by name."""
    folder.mkdir()
    base = (DEMO / "bars-800x450.jpg").read_bytes()
    contents: dict[str, bytes] = {}
    for i in range(count):
        name = f"shot-{i:02}.jpg"
        data = base + bytes([i + 1]) * pad
        (folder / name).write_bytes(data)
        asset_id = sb.put_runway_asset(folder / name, "image/jpeg", name=name)
        arun(services.library.add_reference(asset_id, account.id))
        contents[name] = data
    return contents


def first_gets(sb: Any) -> list[tuple[float, str]]:
    """When the storage origin got each file's first download request (a range from 0), by path."""
    seen: dict[str, float] = {}
    for request in sb.requests("storage"):
        asked = request["headers"].get("range", "")
        if request["method"] == "GET" and asked.startswith("bytes=0-"):
            seen.setdefault(request["path"], request["time"])
    return sorted((when, path) for path, when in seen.items())


def states(pane: LibraryPane) -> list[str]:
    return [d.state for d in pane.downloads.downloads()]
