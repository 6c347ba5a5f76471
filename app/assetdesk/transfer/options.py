"""What a download is asked to do (`DownloadOptions`) and what it did (`DownloadResult`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assetdesk.core.errors import InvalidInput
from assetdesk.core.units import MIB
from assetdesk.net.retry import RetryPolicy
from assetdesk.transfer.names import Conflict

MAX_SEGMENTS = 16


@dataclass(frozen=True)
class DownloadOptions:
    """How to download. The defaults suit a desktop user on an ordinary connection."""

    segments: int = 4
    segment_threshold: int = 16 * MIB
    #: Start a segmented download with one stream and add the others only when a second
    #: connection makes it faster (a link that caps each connection; `widening.py`), instead of
    #: all `segments` at once. On a fast link one stream costs less CPU for the same speed.
    adaptive_segments: bool = False
    on_conflict: Conflict = Conflict.RENAME
    #: Tries in a row without new bytes before a stream gives up (a drop, a stall, a 5xx).
    attempts: int = 5
    #: Reconnections of the whole download, whatever their progress: a hard stop.
    max_reconnects: int = 200
    backoff: float = 0.5
    max_backoff: float = 8.0
    #: Times a download that fails verification starts over before it is reported.
    verify_retries: int = 1
    #: Also compute the file's SHA-256 (the CLI prints it). Verification against the server
    #: uses CRC32C or MD5 either way; SHA-256 costs about half a second of CPU per GiB.
    sha256: bool = False
    #: When the download fails for a reason that can pass (the network) or is cancelled, keep
    #: `NAME.part` and a `NAME.part.json` record of what it holds, so that the next download of
    #: the same object into the same folder resumes it instead of starting over. Needs a source
    #: with a `resume_key` and a server that gave a size, ranges and an ETag or a hash.
    keep_partial: bool = False
    #: With `keep_partial`, how often (seconds) the record of a running download is written, so
    #: that a download killed outright (SIGKILL, a power cut) is resumed by the next one.
    record_every: float = 2.0

    def __post_init__(self) -> None:
        if not 1 <= self.segments <= MAX_SEGMENTS:
            raise InvalidInput(f"segments must be between 1 and {MAX_SEGMENTS}")
        if self.attempts < 1:
            raise InvalidInput("attempts must be at least 1")

    def delay(self, attempt: int) -> float:
        """The API clients' backoff (exponential, capped, jittered) with this download's bounds."""
        return RetryPolicy(base_delay=self.backoff, max_delay=self.max_backoff).delay(attempt)


@dataclass(frozen=True)
class DownloadResult:
    path: Path
    bytes: int
    #: None unless DownloadOptions.sha256 asked for it.
    sha256: str | None
    skipped: bool = False
    #: What was checked against the server's figures: "size", "crc32c", "md5".
    verified: tuple[str, ...] = ()
    segments: int = 1
    reconnects: int = 0
    restarts: int = 0
    refreshed_links: int = 0
    #: Bytes taken over from a `.part` kept by an earlier, interrupted download.
    resumed_bytes: int = 0

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"path": str(self.path), "bytes": self.bytes}
        if self.sha256 is not None:
            out["sha256"] = self.sha256
        if self.skipped:
            out["skipped"] = True
        else:
            out["verified"] = list(self.verified)
            out["segments"] = self.segments
            if self.reconnects:
                out["reconnects"] = self.reconnects
            if self.restarts:
                out["restarts"] = self.restarts
            if self.resumed_bytes:
                out["resumedBytes"] = self.resumed_bytes
        return out
