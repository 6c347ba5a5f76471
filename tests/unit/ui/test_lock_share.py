"""The window's thread first for Python's lock: a short switch interval while the window runs,
the previous one again afterwards (whatever ended the run)."""

from __future__ import annotations

import sys

import pytest

from assetdesk.ui.lock_share import SWITCH_INTERVAL_S, window_first


def test_the_switch_interval_is_short_while_the_window_runs_and_restored_after() -> None:
    before = sys.getswitchinterval()
    assert before > SWITCH_INTERVAL_S  # Python's default is 5 ms
    with pytest.raises(RuntimeError), window_first():
        assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL_S)
        raise RuntimeError("the window's run ended badly")
    assert sys.getswitchinterval() == before
