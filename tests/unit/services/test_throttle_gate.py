"""An account's pause after a 429: its limits (how many waits, how long a wait), and that the
waits are told to whoever watches them. A lookup here is a plain coroutine that raises the typed
error a 429 becomes (the sandbox's 429s are in the integration and window tests)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from assetdesk.core.errors import Throttled
from assetdesk.services.throttle_gate import MAX_THROTTLE_WAITS, ThrottleGate


def refusing(
    times: int, retry_after: float | None
) -> tuple[list[int], Callable[[], Awaitable[str]]]:
    calls: list[int] = []

    async def lookup() -> str:
        calls.append(1)
        if len(calls) <= times:
            raise Throttled("Too many requests.", retry_after=retry_after)
        return "https://storage.example/file"

    return calls, lookup


@pytest.mark.anyio
async def test_eight_waits_are_waited_out_and_told() -> None:
    calls, lookup = refusing(MAX_THROTTLE_WAITS, 0.01)
    heard: list[float] = []
    gate = ThrottleGate()
    url = await gate.reporting(heard.append).call(lookup, what="asset")
    assert url == "https://storage.example/file"
    assert len(calls) == MAX_THROTTLE_WAITS + 1
    waits = [seconds for seconds in heard if seconds > 0]
    assert len(waits) == MAX_THROTTLE_WAITS and all(0 < s <= 0.01 for s in waits)
    assert heard[-1] == 0.0  # the last wait is over


@pytest.mark.anyio
async def test_a_ninth_429_is_reported() -> None:
    calls, lookup = refusing(MAX_THROTTLE_WAITS + 1, 0.01)
    with pytest.raises(Throttled):
        await ThrottleGate().call(lookup, what="asset")
    assert len(calls) == MAX_THROTTLE_WAITS + 1


@pytest.mark.anyio
async def test_a_wait_over_five_minutes_is_reported_at_once() -> None:
    calls, lookup = refusing(1, 301.0)
    gate = ThrottleGate()
    with pytest.raises(Throttled):
        await gate.call(lookup, what="asset")
    assert len(calls) == 1 and gate.left() == 0.0
