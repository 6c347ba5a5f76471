"""Ctrl+Z during `assetdesk download` (POSIX): the CLI says how far the batch got, stops, says
"Resumed" when continued and finishes every file; connections the sandbox dropped while it was
stopped go on from their bytes with a Range. A real child process against the sandbox."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.helpers.cli_process import useapi_env
from tests.helpers.media_files import write_padded_clip
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads the child's state in /proc"
)

MIB = 1024 * 1024
PAUSED = re.compile(
    r"assetdesk: Paused: (\d+) of (\d+) saved; fg resumes, then Ctrl\+C stops and keeps the parts\."
)
#: TCP states in /proc/net/tcp.
ESTABLISHED = "01"


class Cli:
    """The CLI as a child process in a process group of its own (in the test run's session, so
    that a stop signal is not discarded as it is in an orphaned group), its stdout and stderr
    lines gathered by threads while it runs or is stopped."""

    def __init__(self, *args: str, env: dict[str, str]) -> None:
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("ASSETDESK_")}
        full_env.update(env)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "assetdesk", *args],
            env=full_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            process_group=0,
        )
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._readers = [
            threading.Thread(target=self._gather, args=(stream, lines), daemon=True)
            for stream, lines in (
                (self.process.stdout, self.stdout),
                (self.process.stderr, self.stderr),
            )
        ]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _gather(stream: Any, lines: list[str]) -> None:
        for line in stream:
            lines.append(line.rstrip("\n"))

    def state(self) -> str:
        """The process's state letter in /proc (R, S, D; T when stopped)."""
        stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0]

    def signal(self, number: int) -> None:
        self.process.send_signal(number)

    def wait(self, timeout: float) -> int:
        status = self.process.wait(timeout)
        for reader in self._readers:
            reader.join(timeout)
        return status

    def sockets_to(self, port: int) -> list[str]:
        """The TCP states of the child's own sockets connected to `port` on 127.0.0.1."""
        inodes = set()
        for fd in Path(f"/proc/{self.process.pid}/fd").iterdir():
            with contextlib.suppress(OSError):  # closed meanwhile
                link = str(fd.readlink())
                if link.startswith("socket:["):
                    inodes.add(link[len("socket:[") : -1])
        states = []
        for line in Path(f"/proc/{self.process.pid}/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            remote_port = int(fields[2].split(":")[1], 16)
            if fields[9] in inodes and remote_port == port:
                states.append(fields[3])
        return states

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


@pytest.fixture
def clis() -> Iterator[list[Cli]]:
    """Started CLIs, killed at the end if still there (a stopped one too)."""
    started: list[Cli] = []
    yield started
    for cli in started:
        cli.kill()


def start_cli(clis: list[Cli], sb: Any, *args: str) -> Cli:
    cli = Cli(*args, env=useapi_env(sb))
    clis.append(cli)
    return cli


def parts(folder: Path) -> dict[str, str]:
    """Each `.part`'s SHA-256 (a part is allocated at full size at once: its size says nothing)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.part")}


def first_mib_written(folder: Path, data: dict[int, bytes]) -> bool:
    """Some `.part` holds its file's first MiB (one stream writes a file in order)."""
    for part in folder.glob("*.part"):
        head = part.read_bytes()[:MIB]
        if any(head == source[:MIB] for source in data.values()):
            return True
    return False


def stop_and_check(cli: Cli, total: int) -> int:
    """SIGTSTP: the child stops ('T') and said the pause line; how many it said were saved."""
    cli.signal(signal.SIGTSTP)
    wait_until(lambda: cli.state() == "T", "the CLI stopped itself", timeout=10)
    wait_until(lambda: any(PAUSED.fullmatch(x) for x in cli.stderr), "the pause line", timeout=5)
    (line,) = [x for x in cli.stderr if "Paused" in x]
    found = PAUSED.fullmatch(line)
    assert found is not None and int(found[2]) == total, line
    return int(found[1])


def stays_stopped(cli: Cli, seconds: float) -> None:
    """The child is stopped at every look for `seconds` (what a pause must hold, not a speed)."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        assert cli.state() == "T"
        time.sleep(0.1)


def test_ctrl_z_pauses_the_batch_and_fg_finishes_it(
    sb: Any, tmp_path: Path, clis: list[Cli]
) -> None:
    sources = [write_padded_clip(tmp_path / f"clip-{n}.mp4", 2 * MIB + n * 1000) for n in range(4)]
    data = {n: source.read_bytes() for n, source in enumerate(sources)}
    ids = [sb.put_google_flow_asset(source, "video/mp4") for source in sources]
    out = tmp_path / "out"
    out.mkdir()
    # 500 kB/s a connection: each file takes about 4 s, a MiB written every 2 s.
    sb.bandwidth("storage", 500_000)
    cli = start_cli(clis, sb, "download", *ids, "--to", str(out), "--jobs", "3")
    wait_until(lambda: first_mib_written(out, data), "a first MiB on disk", timeout=30)

    saved = stop_and_check(cli, total=4)
    assert saved <= 1  # three files at once: at most the first is done by then
    before = parts(out)
    requests = len(sb.requests("storage"))
    # Longer than a MiB takes at the capped rate: a running batch would have written more.
    stays_stopped(cli, 3.0)
    assert parts(out) == before
    assert len(sb.requests("storage")) == requests
    assert not any("Resumed" in x for x in cli.stderr)

    cli.signal(signal.SIGCONT)
    assert cli.wait(60) == 0, cli.stderr
    assert cli.stderr[-1] == "assetdesk: Resumed.", cli.stderr
    items = [json.loads(line) for line in cli.stdout]
    assert [item["id"] for item in items] == ids
    for item, n in zip(items, range(4), strict=True):
        assert Path(item["path"]).read_bytes() == data[n]
    assert sorted(p.name for p in out.iterdir()) == sorted(Path(i["path"]).name for i in items)
