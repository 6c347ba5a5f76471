"""Start the sandbox as a child process and drive its control surface (stdlib only, synchronous).

Used by `assetdesk --sandbox` and by the tests::

    with SandboxProcess.start(control=True) as sb:
        sb.fault("storage", "/flow-content/*", drop_after_bytes=1000)
        ...

Control helpers (control_client.py) need `control=True`; they raise RuntimeError otherwise. With
it, the launcher makes a secret for the run and hands it to the child in its environment, never
on its command line (control_secret.py).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from types import TracebackType
from typing import Any

from assetdesk.sandbox.child_pipes import PipeReader, failure, kill, release
from assetdesk.sandbox.control_client import SandboxControls
from assetdesk.sandbox.control_secret import SECRET_ENV, new_secret

ORIGINS = ("api", "storage", "wordbee")
#: Starts the line that `stderr_mark` asks the sandbox to write to its stderr.
MARK_TEXT = "[assetdesk sandbox mark]"


class SandboxProcess(SandboxControls):
    """A running `python -m assetdesk.sandbox` child on three OS-chosen ports."""

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        info: dict[str, Any],
        *,
        stdout: PipeReader | None = None,
        stderr: PipeReader | None = None,
        secret: str | None = None,
    ) -> None:
        secret = secret if info.get("control") else None
        super().__init__(str(info["api_url"]), secret, info.get("control_files"))
        self.process = process
        self.storage_url: str = info["storage_url"]
        self.wordbee_url: str = info["wordbee_url"]
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
        secret = new_secret() if control else None
        env.pop(SECRET_ENV, None)
        if secret is not None:
            env[SECRET_ENV] = secret
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
        stderr = PipeReader(process.stderr, "sandbox-stderr", keep=2000)
        stdout = PipeReader(process.stdout, "sandbox-stdout", keep=50)
        pipes = [stdout, stderr]
        stdout.wait(lambda: stdout.count >= 1 or stdout.ended, timeout)
        first_line = stdout.since(0)[0] if stdout.count else ""
        if not first_line.strip():
            kill(process)
            release(process, pipes)
            raise RuntimeError(failure("did not report its ports in time", process, stderr))
        try:
            return cls(process, json.loads(first_line), stdout=stdout, stderr=stderr, secret=secret)
        except (ValueError, KeyError, TypeError):  # not JSON, or not the expected object
            kill(process)
            release(process, pipes)
            raise RuntimeError(
                failure(f"printed {first_line[:200]!r} instead of its JSON", process, stderr)
            ) from None

    def stop(self, timeout: float = 10) -> None:
        """SIGTERM, wait, SIGKILL if needed; then close the pipes. Safe to call twice."""
        try:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(timeout)
                except subprocess.TimeoutExpired:
                    kill(self.process)
        finally:
            release(self.process, self._pipes)
            self._forget_imports()

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
