"""Start the sandbox as a child process and drive its control surface (stdlib only, synchronous).

Used by `assetdesk --sandbox` and by the tests::

    with SandboxProcess.start(control=True) as sb:
        sb.fault("storage", "/flow-content/*", drop_after_bytes=1000)
        ...

Control helpers need `control=True`; they raise RuntimeError otherwise.
"""

from __future__ import annotations

import base64
import collections
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, Any

ORIGINS = ("api", "storage", "wordbee")
#: Starts the line that `stderr_mark` asks the sandbox to write to its stderr.
MARK_TEXT = "[assetdesk sandbox mark]"


class SandboxProcess:
    """A running `python -m assetdesk.sandbox` child on three OS-chosen ports."""

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        info: dict[str, Any],
        *,
        stdout: _PipeReader | None = None,
        stderr: _PipeReader | None = None,
    ) -> None:
        self.process = process
        self.api_url: str = info["api_url"]
        self.storage_url: str = info["storage_url"]
        self.wordbee_url: str = info["wordbee_url"]
        self.control: bool = bool(info.get("control"))
        self.demo: dict[str, Any] = info["demo"]
        self._pipes = [p for p in (stdout, stderr) if p is not None]
        self._stderr = stderr

    # ----------------------------------------------------------------- lifecycle

    @classmethod
    def start(
        cls,
        *,
        control: bool = False,
        data_dir: Path | None = None,
        timeout: float = 20,
        seed_dir: Path | None = None,
    ) -> SandboxProcess:
        """Run the sandbox and wait for its JSON line; RuntimeError (with its stderr) on failure."""
        if getattr(sys, "frozen", False):  # a PyInstaller build: `assetdesk sandbox ...`
            cmd = [sys.executable, "sandbox"]
        else:
            cmd = [sys.executable, "-m", "assetdesk.sandbox"]
        cmd += ["--port", "0", "--storage-port", "0", "--wordbee-port", "0", "--json"]
        cmd.append("--exit-with-stdin")
        if control:
            cmd.append("--control")
        if data_dir is not None:
            cmd += ["--data", str(data_dir)]
        if seed_dir is not None:
            cmd += ["--seed-dir", str(seed_dir)]
        env = dict(os.environ)
        app_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (app_root, env.get("PYTHONPATH")) if p)
        env.setdefault("PYTHONUNBUFFERED", "1")
        process = subprocess.Popen(
            # stdin stays an open pipe for our lifetime: when we die, even by SIGKILL, the child
            # sees end of file and stops (--exit-with-stdin) instead of lingering.
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        assert process.stdout is not None and process.stderr is not None
        stderr = _PipeReader(process.stderr, "sandbox-stderr", keep=2000)
        stdout = _PipeReader(process.stdout, "sandbox-stdout", keep=50)
        pipes = [stdout, stderr]
        stdout.wait(lambda: stdout.count >= 1 or stdout.ended, timeout)
        first_line = stdout.since(0)[0] if stdout.count else ""
        if not first_line.strip():
            _kill(process)
            _release(process, pipes)
            raise RuntimeError(_failure("did not report its ports in time", process, stderr))
        try:
            return cls(process, json.loads(first_line), stdout=stdout, stderr=stderr)
        except (ValueError, KeyError, TypeError):  # not JSON, or not the expected object
            _kill(process)
            _release(process, pipes)
            raise RuntimeError(
                _failure(f"printed {first_line[:200]!r} instead of its JSON", process, stderr)
            ) from None

    def stop(self, timeout: float = 10) -> None:
        """SIGTERM, wait, SIGKILL if needed; then close the pipes. Safe to call twice."""
        try:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(timeout)
                except subprocess.TimeoutExpired:
                    _kill(self.process)
        finally:
            _release(self.process, self._pipes)

    @property
    def stderr_tail(self) -> str:
        """The last 200 lines the sandbox wrote to stderr (for diagnosing a failed test)."""
        if self._stderr is None:
            return ""
        lines = self._stderr.since(0)
        return "".join(line for line in lines[-200:] if MARK_TEXT not in line)

    def stderr_mark(self) -> int:
        """A position in the sandbox's stderr after everything it has written so far.

        With control=True the sandbox writes a marker line and we wait until it arrives, so
        that nothing written before this call is still in the pipe."""
        if self._stderr is None:
            return 0
        if self.control and self.process.poll() is None:
            token = f"{MARK_TEXT} {uuid.uuid4().hex}"
            seen = self._stderr.count
            self.write_stderr(token)
            stderr = self._stderr
            stderr.wait(lambda: stderr.ended or any(token in x for x in stderr.since(seen)), 10)
        return self._stderr.count

    def write_stderr(self, text: str) -> None:
        """Make the sandbox write `text` as one line to its stderr (control=True only)."""
        self._call("POST", "/_sandbox/stderr", {"text": text})

    def stderr_since(self, mark: int) -> list[str]:
        """The lines the sandbox wrote to stderr after `mark` (from stderr_mark) and up to now,
        without marker lines; only the newest 2000 lines are kept."""
        if self._stderr is None:
            return []
        lines = self._stderr.since(mark, self.stderr_mark())
        return [line for line in lines if MARK_TEXT not in line]

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------ control helpers

    def reset(self) -> None:
        """Back to the seeded demo: no faults, caps, log, uploads; real clock; default settings."""
        self._call("POST", "/_sandbox/reset")

    def fault(
        self,
        origin: str,
        path: str,
        *,
        method: str | None = None,
        count: int = 1,
        status: int | None = None,
        body: str | bytes | dict[str, Any] | list[Any] | None = None,
        headers: dict[str, str] | None = None,
        drop_after_bytes: int | None = None,
        stall_after_bytes: int | None = None,
        stall_seconds: float | None = None,
        latency: float | None = None,
        corrupt_byte_at: int | None = None,
        content_length: int | None = None,
        drop_headers: list[str] | None = None,
        lose_answer: bool = False,
        drop_after_request_bytes: int | None = None,
    ) -> None:
        """Queue a rule for the next `count` requests to `origin` matching `path` (a trailing `*`
        makes it a prefix) and `method`. See sandbox/faults.py for what each option does."""
        rule: dict[str, Any] = {"origin": origin, "path": path, "method": method, "count": count}
        rule.update(
            status=status,
            headers=headers,
            drop_after_bytes=drop_after_bytes,
            stall_after_bytes=stall_after_bytes,
            stall_seconds=stall_seconds,
            latency=latency,
            corrupt_byte_at=corrupt_byte_at,
            content_length=content_length,
            drop_headers=drop_headers,
            lose_answer=lose_answer,
            drop_after_request_bytes=drop_after_request_bytes,
        )
        if isinstance(body, bytes):
            rule["body_b64"] = base64.b64encode(body).decode()
        elif isinstance(body, str):
            rule["body_text"] = body
        elif body is not None:
            rule["body_json"] = body
        self._call("POST", "/_sandbox/faults", rule)

    def clear_faults(self) -> None:
        self._call("DELETE", "/_sandbox/faults")

    def bandwidth(self, origin: str, bytes_per_second: int | None) -> None:
        """Cap each connection of `origin` (request and response bodies); None lifts the cap."""
        self._call(
            "POST", "/_sandbox/bandwidth", {"origin": origin, "bytes_per_second": bytes_per_second}
        )

    def requests(self, origin: str | None = None) -> list[dict[str, Any]]:
        """Recorded requests in arrival order: {origin, method, path, query, headers} (headers is a
        dict with lower-case names)."""
        query = "?" + urllib.parse.urlencode({"origin": origin}) if origin else ""
        result: list[dict[str, Any]] = self._call("GET", "/_sandbox/requests" + query)
        return result

    def clear_requests(self) -> None:
        self._call("DELETE", "/_sandbox/requests")

    def advance_clock(self, seconds: float) -> float:
        """Move the sandbox's "now" forward; returns the new sandbox time (unix seconds)."""
        result = self._call("POST", "/_sandbox/clock", {"advance": seconds})
        return float(result["now"])

    def now(self) -> float:
        return float(self._call("GET", "/_sandbox/clock")["now"])

    def set_google_flow_account(
        self,
        email: str,
        *,
        health: str = "OK",
        throttled_for: float | None = None,
        session_error: bool = False,
        present: bool = True,
        token: str | None = None,
    ) -> None:
        """Add, change or (present=False) remove a Google Flow account of `token` (default demo)."""
        self._call(
            "POST",
            "/_sandbox/google-flow/accounts",
            {
                "email": email,
                "health": health,
                "throttled_for": throttled_for,
                "session_error": session_error,
                "present": present,
                "token": token,
            },
        )

    def configure(self, **settings: Any) -> dict[str, Any]:
        """Change settings until the next reset; returns all of them. See sandbox/settings.py:
        signed_url_ttl, wordbee_token_idle (seconds); wordbee_expired_status (400 or 401);
        ignore_range, stored_length (bool); hash_header ("both", "crc32c", "md5", "none",
        "separate")."""
        result: dict[str, Any] = self._call("POST", "/_sandbox/configure", settings)
        return result

    def put_google_flow_asset(
        self,
        path: Path | str,
        content_type: str,
        *,
        email: str | None = None,
        token: str | None = None,
    ) -> str:
        """Register a local file (served in place, not copied; e.g. a 1 GiB benchmark file) as an
        already uploaded Google Flow asset; returns its mediaGenerationId."""
        body: dict[str, Any] = {"path": str(Path(path).resolve()), "content_type": content_type}
        body.update(email=email, token=token)
        result = self._call("POST", "/_sandbox/google-flow/assets", body)
        return str(result["mediaGenerationId"])

    def put_runway_asset(
        self,
        path: Path | str,
        content_type: str,
        *,
        name: str | None = None,
        email: str | None = None,
        token: str | None = None,
    ) -> str:
        """Register a local file as a Runway asset; returns its assetId."""
        body: dict[str, Any] = {"path": str(Path(path).resolve()), "content_type": content_type}
        body.update(name=name, email=email, token=token)
        return str(self._call("POST", "/_sandbox/runway/assets", body)["assetId"])

    def put_wordbee_asset(
        self,
        path: Path | str,
        content_type: str,
        *,
        name: str,
        segment_id: int,
        scope: str = "pr7214",
        locale: str | None = None,
        relative_path: str = "",
    ) -> None:
        """Register a local file as a Wordbee segment asset."""
        body: dict[str, Any] = {"path": str(Path(path).resolve()), "content_type": content_type}
        body.update(
            name=name,
            segment_id=segment_id,
            scope=scope,
            locale=locale,
            relative_path=relative_path,
        )
        self._call("POST", "/_sandbox/wordbee/assets", body)

    def expire_wordbee(
        self, *, session_after_staging: int = 0, file_token_at_attach: int = 0
    ) -> None:
        """The next `session_after_staging` media uploads end their session token as they answer;
        the next `file_token_at_attach` attaches find their file token expired."""
        counts = dict(
            session_after_staging=session_after_staging, file_token_at_attach=file_token_at_attach
        )
        self._call("POST", "/_sandbox/wordbee/expire", counts)

    def google_flow_assets(self) -> list[dict[str, Any]]:
        """Every Google Flow asset the sandbox holds (seeded and uploaded), with size, md5 and the
        file it is stored in."""
        result: list[dict[str, Any]] = self._call("GET", "/_sandbox/google-flow/assets")
        return result

    def objects(self) -> list[dict[str, Any]]:
        """Every stored object of the storage origin: key, size, content_type, md5, crc32c, file."""
        result: list[dict[str, Any]] = self._call("GET", "/_sandbox/objects")
        return result

    def signed_url(self, key: str, *, ttl: float | None = None) -> str:
        """A signed storage URL for an object key (`bucket/object`)."""
        return str(self._call("POST", "/_sandbox/sign", {"key": key, "ttl": ttl})["url"])

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        if not self.control:
            raise RuntimeError("the sandbox was started without control=True")
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.api_url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")
            raise RuntimeError(f"sandbox control {method} {path}: {exc.code} {detail}") from None
        return json.loads(raw) if raw else None


class _PipeReader:
    """Reads one of the child's pipes on a daemon thread (so the child never blocks on a full
    pipe) and keeps its newest `keep` lines, numbered from 0 in arrival order. The thread closes
    the pipe when it reaches end of file."""

    def __init__(self, stream: IO[bytes], name: str, *, keep: int) -> None:
        self._stream = stream
        self._lines: collections.deque[str] = collections.deque(maxlen=keep)
        self._changed = threading.Condition()
        self.count = 0
        self.ended = False
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            for raw in iter(self._stream.readline, b""):
                with self._changed:
                    self._lines.append(raw.decode(errors="replace"))
                    self.count += 1
                    self._changed.notify_all()
        except (OSError, ValueError):  # closed under us: nothing more to read
            pass
        finally:
            self._stream.close()
            with self._changed:
                self.ended = True
                self._changed.notify_all()

    def wait(self, condition: Callable[[], bool], timeout: float) -> bool:
        """Wait until `condition()` (checked whenever a line arrives) or the timeout."""
        with self._changed:
            return self._changed.wait_for(condition, timeout)

    def since(self, mark: int, end: int | None = None) -> list[str]:
        """The kept lines numbered from `mark` up to (not including) `end`."""
        with self._changed:
            first = self.count - len(self._lines)
            stop = None if end is None else max(0, end - first)
            return list(self._lines)[max(0, mark - first) : stop]

    def close(self, timeout: float) -> None:
        """Wait for end of file (the child has exited), then make sure the pipe is closed. If
        something else still holds the pipe open, the thread closes it when that ends."""
        self.thread.join(timeout)
        if not self.thread.is_alive():
            self._stream.close()


def _release(process: subprocess.Popen[bytes], pipes: list[_PipeReader]) -> None:
    """Close our end of every pipe to an exited child (its stdin, and stdout/stderr once read)."""
    if process.stdin is not None and not process.stdin.closed:
        with contextlib.suppress(OSError):
            process.stdin.close()
    for pipe in pipes:
        pipe.close(5)


def _kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(5)


def _failure(what: str, process: subprocess.Popen[bytes], tail: _PipeReader) -> str:
    code = process.poll()
    stderr = "".join(tail.since(0))[-4000:]
    return f"assetdesk sandbox {what} (exit status {code}). stderr:\n{stderr}"
