"""Checking queued files against their target: by their real type and size, before sending.

The checks themselves are services/local_files.py's (`inspect_upload`, `collect_uploads`, which
take the target's provider, and say where each file sat inside a dropped folder); this module
calls them for a target and reads what the file's header told of its size and length (sent to
Runway).
"""

from __future__ import annotations

from pathlib import Path

from assetdesk.core.provider import Provider
from assetdesk.services.local_files import (
    Collected,
    UploadCandidate,
    collect_uploads,
    inspect_upload,
)

__all__ = ["check_file", "collect_files", "probe_figures"]


async def check_file(path: Path | str, provider: Provider) -> UploadCandidate:
    """One file checked for `provider`; raises the typed error that says why it cannot go."""
    return await inspect_upload(path, provider)


async def collect_files(paths: list[Path], provider: Provider) -> Collected:
    """Every file in `paths` (folders walked), each checked for `provider`."""
    return await collect_uploads(paths, provider)


def probe_figures(candidate: UploadCandidate) -> tuple[int | None, int | None, float | None]:
    """Width, height and duration as the file's header told them (None where it did not)."""
    probe = candidate.probe
    return probe.width, probe.height, probe.duration_seconds
