"""The download source of a Wordbee segment asset: streamed from the Wordbee API with the session
token, one ranged request at a time, for the transfer engine."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

import httpx

from assetdesk.core.provider import Provider
from assetdesk.providers.wordbee import WordbeeClient
from assetdesk.transfer.sources import range_header


class WordbeeSource:
    """A Wordbee segment asset, streamed from the Wordbee API with the session token."""

    def __init__(
        self,
        client: WordbeeClient,
        segment_id: int,
        scope: str,
        filename: str,
        *,
        locale: str | None = None,
        relative_path: str | None = None,
    ) -> None:
        self.client = client
        self.segment_id = segment_id
        self.scope = scope
        self.filename = filename
        self.locale = locale
        self.relative_path = relative_path
        self.label = filename
        self.suggested_name: str | None = filename
        self.resume_key: str | None = f"{Provider.WORDBEE}:" + "|".join(
            (str(segment_id), scope, locale or "", relative_path or "", filename)
        )

    def open(self, first: int, last: int | None) -> AbstractAsyncContextManager[httpx.Response]:
        return self.client.open_download(
            self.segment_id,
            self.scope,
            self.filename,
            locale=self.locale,
            relative_path=self.relative_path,
            headers=range_header(first, last),
        )
