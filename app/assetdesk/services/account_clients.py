"""Each account's pooled clients: made on first use, reused, closed when the account changes.

A useapi.net account has one connection shared by its Google Flow and Runway clients; a Wordbee
account one client, whose server-side session is signed out when it closes. The accounts service
makes them (it reads the secret) under the account's lock, and closes them on edit or removal.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from assetdesk.providers.google_flow import GoogleFlowClient
from assetdesk.providers.runway import RunwayClient
from assetdesk.providers.useapi import UseapiConnection
from assetdesk.providers.wordbee import WordbeeClient

__all__ = ["ClientPool", "UseapiClients"]

log = logging.getLogger("assetdesk.services.accounts")


@dataclass(frozen=True)
class UseapiClients:
    connection: UseapiConnection
    google_flow: GoogleFlowClient
    runway: RunwayClient


class ClientPool:
    """The clients made so far, one set per account, and one lock per account."""

    def __init__(self) -> None:
        self._useapi: dict[int, UseapiClients] = {}
        self._wordbee: dict[int, WordbeeClient] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    def lock(self, account_id: int) -> asyncio.Lock:
        """One lock per account: its clients are made, used for removal and closed one at a time."""
        return self._locks.setdefault(account_id, asyncio.Lock())

    def useapi(self, account_id: int) -> UseapiClients | None:
        return self._useapi.get(account_id)

    def keep_useapi(self, account_id: int, connection: UseapiConnection) -> UseapiClients:
        """The Google Flow and Runway clients on `connection`, kept for the account."""
        clients = UseapiClients(connection, GoogleFlowClient(connection), RunwayClient(connection))
        self._useapi[account_id] = clients
        return clients

    def wordbee(self, account_id: int) -> WordbeeClient | None:
        return self._wordbee.get(account_id)

    def keep_wordbee(self, account_id: int, client: WordbeeClient) -> WordbeeClient:
        self._wordbee[account_id] = client
        return client

    async def close(self, account_id: int) -> None:
        useapi = self._useapi.pop(account_id, None)
        wordbee = self._wordbee.pop(account_id, None)
        try:
            if wordbee is not None:
                try:
                    await wordbee.sign_out()  # end the server-side session too
                finally:
                    await wordbee.aclose()
        finally:
            if useapi is not None:
                await useapi.connection.aclose()

    async def close_quietly(self, account_id: int) -> None:
        """Close an edited account's clients; a failed Wordbee sign-out only costs a log line."""
        try:
            await self.close(account_id)
        except Exception as error:  # the old session simply expires on the server
            log.warning(
                "closing the old clients of account %s failed: %s", account_id, type(error).__name__
            )

    async def close_all(self) -> None:
        """Close every client (each one even when another fails)."""
        for account_id in sorted({*self._useapi, *self._wordbee}):
            try:
                await self.close(account_id)
            except Exception:
                log.exception("closing the clients of account %s failed", account_id)
