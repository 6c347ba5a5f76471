"""`assetdesk delete ID... --yes`: Google Flow mediaGenerationIds and Runway assetIds, deleted on
their service, permanently.

Without `--yes` nothing is deleted: a sentence on stderr says what would be (how many, on which
service and account) and the command exits 2. With it, Google Flow ids go in batches of at most
100 per Google account (services/flow_delete.py: a refused batch is searched by halves, a refusal
naming no id stops that account with the service's words), Runway ids one per call. Each id gets
one JSON line: `{"id": ..., "deleted": true}` or the sentence why it was not deleted; the exit
status is 1 when any was not.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable
from typing import Any

from assetdesk.cli.library_commands import (
    NOT_CONFIRMED,
    delete_runway_ids,
    runway_delete_sentence,
)
from assetdesk.cli.output import error_item
from assetdesk.core.errors import InvalidInput, as_sentence
from assetdesk.core.ids import MediaGenerationId, RunwayAssetId, parse_asset_ref
from assetdesk.providers.google_flow_listing import GoogleFlowLibrary
from assetdesk.providers.useapi import UseapiConnection
from assetdesk.services.credentials import UseapiCredentials
from assetdesk.services.flow_delete import delete_flow_ids

__all__ = ["delete_ids", "delete_sentence"]

Emit = Callable[[dict[str, Any]], None]


def _flow_sentence(ids: list[str]) -> str:
    accounts = Counter(MediaGenerationId.parse(text).email for text in ids)
    where = ", ".join(f"{n} on {email}" for email, n in sorted(accounts.items()))
    return f"{len(ids)} Google Flow asset{'s' if len(ids) != 1 else ''} ({where})"


def delete_sentence(flow: list[str], runway: list[str]) -> str:
    """What deleting these would do, for the refusal without --yes."""
    parts = []
    if flow:
        parts.append(_flow_sentence(flow))
    if runway:
        parts.append(runway_delete_sentence(runway))
    return (
        f"would delete {' and '.join(parts)}, permanently; nothing was deleted. "
        "Add --yes to delete them."
    )


def _sorted_ids(ids: list[str], emit: Emit) -> tuple[list[str], list[str], int]:
    """(Google Flow ids, Runway ids, how many were unreadable: each said on its line)."""
    flow: list[str] = []
    runway: list[str] = []
    bad = 0
    for text in dict.fromkeys(ids):
        try:
            ref = parse_asset_ref(text)
        except InvalidInput as error:
            bad += 1
            why = as_sentence(f"{text} was not deleted: {error.message}")
            emit(error_item(InvalidInput(why), id=text, deleted=False))
            continue
        (runway if isinstance(ref, RunwayAssetId) else flow).append(text)
    return flow, runway, bad


def _say(sentence: str) -> None:
    print(f"assetdesk: {sentence}", file=sys.stderr, flush=True)


async def delete_ids(args: argparse.Namespace, emit: Emit, creds: UseapiCredentials) -> int:
    """Delete the ids (only with --yes); one line per id. Returns the exit status."""
    flow, runway, failed = _sorted_ids(list(args.ids), emit)
    if not args.yes:
        if flow or runway:
            _say(delete_sentence(flow, runway))
        else:
            _say("nothing to delete: no id could be read; nothing was deleted.")
        return NOT_CONFIRMED
    async with UseapiConnection(creds.token, creds.base_url) as connection:
        if flow:
            report = await delete_flow_ids(flow, GoogleFlowLibrary(connection).delete_media)
            for text in report.deleted:
                emit({"id": text, "deleted": True})
            for item in report.not_deleted:
                failed += 1
                line: dict[str, Any] = {"id": item.id, "deleted": False, "error": item.reason}
                line["kind"] = "unsure" if item.unsure else "not_deleted"
                if item.service_text:
                    line["service_text"] = item.service_text
                emit(line)
        if runway:
            failed += await delete_runway_ids(connection, runway, emit)
    return 1 if failed else 0
