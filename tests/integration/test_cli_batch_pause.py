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
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
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
#: A held file's first answer breaks after FIRST bytes; its second is held HELD seconds, then
#: sends SECOND bytes and breaks.
FIRST, SECOND, HELD = MIB + 100_000, 32 * 1024, 5.0


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

    def stopped(self) -> bool:
        """Whether every thread of the child is stopped ('T' in /proc): none can write."""
        tasks = list(Path(f"/proc/{self.process.pid}/task").iterdir())
        states = set()
        for task in tasks:
            with contextlib.suppress(OSError):  # a thread that ended meanwhile
                stat = (task / "stat").read_text()
                states.add(stat.rsplit(")", 1)[1].split()[0])
        return states == {"T"}

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
        with part.open("rb") as file:
            head = file.read(MIB)
        if any(head == source[:MIB] for source in data.values()):
            return True
    return False


def stop_and_check(cli: Cli, total: int) -> tuple[int, float]:
    """SIGTSTP: the child stops ('T') and said the pause line. How many it said were saved,
    and when it was seen stopped."""
    cli.signal(signal.SIGTSTP)
    wait_until(cli.stopped, "the CLI stopped itself", timeout=10)
    stopped_at = time.time()
    wait_until(lambda: any(PAUSED.fullmatch(x) for x in cli.stderr), "the pause line", timeout=5)
    (line,) = [x for x in cli.stderr if "Paused" in x]
    found = PAUSED.fullmatch(line)
    assert found is not None and int(found[2]) == total, line
    return int(found[1]), stopped_at


def stays_stopped(cli: Cli, seconds: float) -> None:
    """The child is stopped at every look for `seconds` (what a pause must hold, not a speed)."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        assert cli.stopped()
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

    saved, _ = stop_and_check(cli, total=4)
    assert saved < 4
    before = parts(out)
    # Longer than a MiB takes at the capped rate: a running batch would have written more.
    stays_stopped(cli, 3.0)
    assert parts(out) == before
    assert not any("Resumed" in x for x in cli.stderr)

    cli.signal(signal.SIGCONT)
    assert cli.wait(60) == 0, cli.stderr
    assert cli.stderr[-1] == "assetdesk: Resumed.", cli.stderr
    items = [json.loads(line) for line in cli.stdout]
    assert [item["id"] for item in items] == ids
    for item, n in zip(items, range(4), strict=True):
        assert Path(item["path"]).read_bytes() == data[n]
    assert sorted(p.name for p in out.iterdir()) == sorted(Path(i["path"]).name for i in items)


def range_start(request: dict[str, Any]) -> int:
    found = re.fullmatch(r"bytes=(\d+)-\d*", request["headers"].get("range", ""))
    assert found is not None, request["headers"]
    return int(found[1])


def gets(sb: Any, path: str) -> list[dict[str, Any]]:
    """The storage origin's GETs of `path`, in order."""
    return [r for r in sb.requests("storage") if r["method"] == "GET" and r["path"] == path]


def lookups(sb: Any) -> list[str]:
    """The asset ids the API was asked to look up, in order."""
    return [r["path"].rsplit("/", 1)[1] for r in sb.requests("api") if r["method"] == "GET"]


@dataclass(frozen=True)
class HeldBatch:
    """A batch `stop_while_held` started and stopped: the CLI, its folder, each file's bytes,
    asset id and storage path."""

    cli: Cli
    out: Path
    data: list[bytes]
    ids: list[str]
    paths: list[str]


def stop_while_held(
    sb: Any,
    tmp_path: Path,
    clis: list[Cli],
    *,
    files: int,
    held: int,
    jobs: int,
    looked_up: int | None = None,
) -> HeldBatch:
    """`files` Google Flow clips of ~2 MiB, downloaded `jobs` at once by the CLI; the first
    `held` files' first answers break after FIRST bytes and their ranged second GETs are held
    HELD seconds, then send SECOND bytes and drop. Once those second GETs came (and `looked_up`
    lookups, when given), SIGTSTP: the CLI stops before the hold ends, and the sandbox drops the
    held connections while it is stopped."""
    sources = [
        write_padded_clip(tmp_path / f"clip-{n}.mp4", 2 * MIB + n * 1000) for n in range(files)
    ]
    data = [source.read_bytes() for source in sources]
    ids = [sb.put_google_flow_asset(source, "video/mp4") for source in sources]
    keys = {asset["mediaGenerationId"]: asset["object"]["key"] for asset in sb.google_flow_assets()}
    paths = [f"/{keys[media_id]}" for media_id in ids]
    for path in paths[:held]:
        sb.fault("storage", path, method="GET", drop_after_bytes=FIRST)
        sb.fault("storage", path, method="GET", latency=HELD, drop_after_bytes=SECOND)
    sb.clear_requests()
    out = tmp_path / "out"
    out.mkdir()
    cli = start_cli(clis, sb, "download", *ids, "--to", str(out), "--jobs", str(jobs))

    def ready() -> bool:
        seconds = all(len(gets(sb, path)) == 2 for path in paths[:held])
        return seconds and (looked_up is None or len(lookups(sb)) == looked_up)

    lookups_said = "" if looked_up is None else f", and {looked_up} lookups"
    wait_until(ready, f"the held files' second GETs{lookups_said}", timeout=30)
    _, stopped_at = stop_and_check(cli, total=files)
    held_since = min(gets(sb, path)[1]["time"] for path in paths[:held])
    assert stopped_at - held_since < HELD, "stopped too late for the test to hold"
    storage_port = urllib.parse.urlsplit(sb.storage_url).port
    assert storage_port is not None

    def all_dropped() -> bool:
        states = cli.sockets_to(storage_port)
        return len(states) >= held and ESTABLISHED not in states

    wait_until(all_dropped, f"the sandbox dropped the {held} connections", timeout=HELD + 10)
    return HeldBatch(cli, out, data, ids, paths)


def test_connections_dropped_while_stopped_go_on_from_their_bytes(
    sb: Any, tmp_path: Path, clis: list[Cli]
) -> None:
    """Each file's first answer breaks after FIRST bytes (while the CLI runs: its `.part` holds
    them); the ranged request that goes on is held HELD seconds, long enough for the CLI to be
    stopped first, then the sandbox sends SECOND bytes and drops the connection. Continued, the
    CLI asks for each file from where its bytes end: no byte is fetched twice."""
    batch = stop_while_held(sb, tmp_path, clis, files=3, held=3, jobs=3)
    cli, paths = batch.cli, batch.paths
    assert cli.stopped()
    on_disk = parts(batch.out)

    cli.signal(signal.SIGCONT)
    assert cli.wait(60) == 0, cli.stderr
    assert cli.stderr[-1] == "assetdesk: Resumed.", cli.stderr
    assert len(on_disk) == 3  # each file was a `.part` while stopped
    items = [json.loads(line) for line in cli.stdout]
    for item, source, path in zip(items, batch.data, paths, strict=True):
        assert Path(item["path"]).read_bytes() == source
        assert [range_start(r) for r in gets(sb, path)] == [0, FIRST, FIRST + SECOND]


def test_a_stop_longer_than_the_links_life_goes_on_with_fresh_links(
    sb: Any, tmp_path: Path, clis: list[Cli]
) -> None:
    """Two files run (each with its connection dropped while stopped, as above), two wait with
    their links looked up ahead; the sandbox's clock is moved seven hours on while the CLI is
    stopped, so every link has expired when it goes on. Each file is looked up again once
    storage refuses its link, and goes on from its bytes: the refused request is the only one
    asked twice from the same byte, and it brought none."""
    batch = stop_while_held(sb, tmp_path, clis, files=4, held=2, jobs=2, looked_up=4)
    cli, ids, paths = batch.cli, batch.ids, batch.paths
    sb.advance_clock(7 * 3600)  # the links last six hours

    cli.signal(signal.SIGCONT)
    assert cli.wait(60) == 0, cli.stderr
    assert cli.stderr[-1] == "assetdesk: Resumed.", cli.stderr
    items = [json.loads(line) for line in cli.stdout]
    for item, source in zip(items, batch.data, strict=True):
        assert Path(item["path"]).read_bytes() == source
    assert sorted(lookups(sb)) == sorted(2 * ids)  # each looked up once more, no more
    for path, starts in zip(
        paths, ([0, FIRST, FIRST + SECOND], [0, FIRST, FIRST + SECOND], [0], [0]), strict=True
    ):
        asked = gets(sb, path)
        expires = [r["params"]["Expires"] for r in asked]
        # The last start again, with a fresh link: the refused request brought no byte.
        assert [range_start(r) for r in asked] == [*starts, starts[-1]]
        assert expires[-1] != expires[-2] and len(set(expires[:-1])) == 1
