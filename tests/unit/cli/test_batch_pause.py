"""cli/batch_pause.py: the pause line, and where Ctrl+Z is left alone. The stop and the resume
themselves are tested on a real CLI process (tests/integration/test_cli_batch_pause.py): a
stop here would stop the test run."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Iterator

import pytest

from assetdesk.cli.batch_pause import BatchCount, pause_on_ctrl_z

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="Windows has no SIGTSTP")


@pytest.fixture
def default_tstp() -> Iterator[None]:
    """SIGTSTP's action as the test run had it, put back afterwards."""
    before = signal.getsignal(signal.SIGTSTP)
    signal.signal(signal.SIGTSTP, signal.SIG_DFL)
    yield
    signal.signal(signal.SIGTSTP, before)


def test_the_pause_line_says_how_many_are_saved_and_failed() -> None:
    assert BatchCount(40, saved=3).paused_sentence() == (
        "Paused: 3 of 40 saved; fg resumes, then Ctrl+C stops and keeps the parts."
    )
    assert BatchCount(40, saved=3, failed=2).paused_sentence() == (
        "Paused: 3 of 40 saved, 2 failed; fg resumes, then Ctrl+C stops and keeps the parts."
    )


def test_the_handler_is_the_loops_inside_and_the_default_again_after(default_tstp: None) -> None:
    async def run() -> None:
        loop = asyncio.get_running_loop()
        with pause_on_ctrl_z(loop, lambda: "", lambda _: None) as installed:
            assert installed
            assert signal.getsignal(signal.SIGTSTP) != signal.SIG_DFL
        assert signal.getsignal(signal.SIGTSTP) == signal.SIG_DFL

    asyncio.run(run())


def test_a_sigtstp_ignored_at_start_stays_ignored(default_tstp: None) -> None:
    """A shell without job control may start the CLI with SIGTSTP ignored: Ctrl+Z then does
    nothing, as that shell meant."""
    signal.signal(signal.SIGTSTP, signal.SIG_IGN)
    said: list[str] = []

    def say(sentence: str) -> None:
        said.append(sentence)
        raise RuntimeError("a pause would stop the test run")

    async def run() -> None:
        loop = asyncio.get_running_loop()
        with pause_on_ctrl_z(loop, lambda: "paused", say) as installed:
            assert not installed
            signal.raise_signal(signal.SIGTSTP)
            await asyncio.sleep(0.05)
        assert signal.getsignal(signal.SIGTSTP) == signal.SIG_IGN

    asyncio.run(run())
    assert said == []
