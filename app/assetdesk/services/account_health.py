"""An account's health: the outcome of a connection test, in one sentence.

A useapi.net token is checked with `/v2/account` and its Google Flow accounts (each healthy or
needing attention in the service's own words), plus its Runway accounts; a Wordbee account by
signing in. A failed check becomes a state and a sentence (`health_from_error`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from assetdesk.core.errors import (
    AssetDeskError,
    NetworkError,
    SessionExpired,
    Throttled,
    Unauthorized,
    as_sentence,
)
from assetdesk.providers.google_flow import FlowAccount
from assetdesk.services.account_clients import UseapiClients

__all__ = [
    "AccountHealth",
    "FlowAccountState",
    "flow_account_state",
    "health_from_error",
    "useapi_health",
]

log = logging.getLogger("assetdesk.services.accounts")


@dataclass(frozen=True)
class FlowAccountState:
    """One Google Flow account of a useapi.net token, as the pane lists it."""

    email: str
    healthy: bool
    sentence: str  # "Ready" when healthy, else the service's error or health in plain words


@dataclass(frozen=True)
class AccountHealth:
    """The outcome of a connection test, in one sentence, and what the service reported."""

    state: str  # valid | invalid | throttled | reconnect | unreachable | secret_missing | error
    sentence: str
    retry_at: datetime | None
    checked_at: datetime
    details: tuple[str, ...] = ()
    owner_email: str | None = None
    flow_accounts: tuple[FlowAccountState, ...] = ()
    runway_accounts: tuple[str, ...] = ()  # emails from GET /v1/runwayml/accounts


def flow_account_state(account: FlowAccount) -> FlowAccountState:
    if account.healthy:
        return FlowAccountState(account.email, True, "Ready")
    # `health` is "OK" or the service's own words for what is wrong; `error` is the raw cause.
    health = account.health.strip()
    said = health if health and health.upper() != "OK" else account.error or "needs attention"
    return FlowAccountState(account.email, False, as_sentence(said))


def health_from_error(error: AssetDeskError, now: datetime) -> AccountHealth:
    if isinstance(error, Unauthorized):
        return AccountHealth("invalid", error.message, None, now)
    if isinstance(error, Throttled):
        when = error.retry_at.astimezone().strftime("%H:%M") if error.retry_at else None
        sentence = f"Throttled until {when}." if when else "Throttled; try again later."
        return AccountHealth("throttled", sentence, error.retry_at, now)
    if isinstance(error, SessionExpired):
        return AccountHealth("reconnect", error.message, None, now)
    if isinstance(error, NetworkError):
        return AccountHealth("unreachable", error.message, None, now)
    return AccountHealth("error", error.message, None, now)


async def useapi_health(clients: UseapiClients, now: datetime) -> AccountHealth:
    """The token's owner and its Google Flow accounts (and, if it can, its Runway accounts)."""
    owner = await clients.connection.account()
    flow = await clients.google_flow.accounts()
    try:
        runway = tuple(await clients.runway.accounts())
    except AssetDeskError as error:  # the token's health is known; Runway's list is extra
        log.warning("listing the Runway accounts failed: %s", error.message)
        runway = ()
    details = tuple(f"{a.email}: {'OK' if a.healthy else (a.error or a.health)}" for a in flow)
    states = tuple(flow_account_state(a) for a in flow)
    who = f" as {owner.email}" if owner.email else ""
    sick = [a for a in flow if not a.healthy]
    if flow and len(sick) == len(flow):
        state = "reconnect"
        sentence = f"Connected{who}, but every Google Flow account needs attention."
    else:
        state = "valid"
        summary = f"{len(flow)} Google Flow account{'s' if len(flow) != 1 else ''}"
        if sick:
            summary += f", {len(sick)} needing attention"
        sentence = f"Connected{who}; {summary}."
    return AccountHealth(
        state,
        sentence,
        None,
        now,
        details,
        owner_email=owner.email,
        flow_accounts=states,
        runway_accounts=runway,
    )
