"""Checking queued files against their target: by their real type and size, before sending.

The checks themselves are services/local_files.py's (`inspect_upload`, `collect_uploads`, which
take the target's provider); this module calls them for a target, finds the folder a file had
inside a dropped folder (a Wordbee target keeps it as the file's relative path), and reads what
the file's header told of its size and length (sent to Runway).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

from assetdesk.core.provider import Provider
from assetdesk.services.local_files import (
    Collected,
    UploadCandidate,
    collect_uploads,
    inspect_upload,
)

__all__ = ["check_file", "collect_files", "folder_in_drop", "probe_figures"]


def _takes_provider(call: Callable[..., Any]) -> bool:
    return "provider" in inspect.signature(call).parameters


# Until the per-target rules land in local_files (the `provider` parameter), every file is
# checked against Google Flow's; these two lines and the branch below go then.
_INSPECT: Callable[..., Awaitable[UploadCandidate]] = inspect_upload
_COLLECT: Callable[..., Awaitable[Collected]] = collect_uploads


async def check_file(path: Path | str, provider: Provider) -> UploadCandidate:
    """One file checked for `provider`; raises the typed error that says why it cannot go."""
    if _takes_provider(_INSPECT):
        return await _INSPECT(path, provider)
    return await _INSPECT(path)


async def collect_files(paths: list[Path], provider: Provider) -> Collected:
    """Every file in `paths` (folders walked), each checked for `provider`."""
    if _takes_provider(_COLLECT):
        return await _COLLECT(paths, provider)
    return await _COLLECT(paths)


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
    probe = getattr(candidate, "probe", None)  # the candidate's probe lands with local_files'
    if probe is None:
        return None, None, None
    return probe.width, probe.height, probe.duration_seconds
