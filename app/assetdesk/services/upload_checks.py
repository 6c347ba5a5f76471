"""Checking queued files against their target: by their real type and size, before sending.

The checks themselves are services/local_files.py's (`inspect_upload`, `collect_uploads`, which
take the target's provider); this module calls them for a target, finds the folder a file had
inside a dropped folder (a Wordbee target keeps it as the file's relative path), and reads what
the file's header told of its size and length (sent to Runway).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from assetdesk.core.provider import Provider
from assetdesk.services.local_files import (
    Collected,
    UploadCandidate,
    collect_uploads,
    inspect_upload,
)

__all__ = ["check_file", "collect_files", "folder_in_drop", "probe_figures"]


async def check_file(path: Path | str, provider: Provider) -> UploadCandidate:
    """One file checked for `provider`; raises the typed error that says why it cannot go."""
    return await inspect_upload(path, provider)


async def collect_files(paths: list[Path], provider: Provider) -> Collected:
    """Every file in `paths` (folders walked), each checked for `provider`."""
    return await collect_uploads(paths, provider)


def folder_in_drop(path: Path, dropped: Iterable[Path]) -> str | None:
    """The folder `path` had inside the dropped folder that holds it ("shots/day 1"); None for a
    file dropped itself or lying at the top of a dropped folder. The innermost dropped folder
    wins when two hold it."""
    best: Path | None = None
    for root in dropped:
        if path.parent.is_relative_to(root) and (best is None or root.is_relative_to(best)):
            best = root
    if best is None:
        return None
    inside = path.parent.relative_to(best).as_posix()
    return None if inside in ("", ".") else inside


def probe_figures(candidate: UploadCandidate) -> tuple[int | None, int | None, float | None]:
    """Width, height and duration as the file's header told them (None where it did not)."""
    probe = candidate.probe
    return probe.width, probe.height, probe.duration_seconds
