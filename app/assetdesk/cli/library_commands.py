"""The library's scripting commands: every Runway asset (`runway list --all`), a Wordbee project's
segment assets (`wordbee assets`), deleting one Wordbee file (`wordbee delete`), and deleting
Runway assets by id (the Runway half of `delete`, for the command that also takes Google Flow ids).

Deleting is permanent: without `--yes` nothing is deleted, a sentence on stderr says what would
be, and the command exits 2. Each deleted item is one JSON line `{..., "deleted": true}`, each
failure one line naming the item and why.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from assetdesk.cli.output import error_item, runway_item, wordbee_item
from assetdesk.core.errors import AssetDeskError, InvalidInput, NotFound
from assetdesk.core.ids import RunwayAssetId
from assetdesk.providers.runway import RunwayAsset, RunwayClient
from assetdesk.providers.useapi import UseapiConnection
from assetdesk.providers.wordbee import WordbeeAsset, WordbeeClient
from assetdesk.providers.wordbee_segments import WordbeeSegments, check_filename
from assetdesk.services.credentials import UseapiCredentials, WordbeeCredentials

__all__ = [
    "delete_runway_ids",
    "runway_delete_sentence",
    "runway_list_all",
    "wordbee_assets",
    "wordbee_delete",
]

Emit = Callable[[dict[str, Any]], None]

#: The exit status of a delete that was not confirmed with --yes (as for a usage error).
NOT_CONFIRMED = 2


def _say(sentence: str) -> None:
    print(f"assetdesk: {sentence}", file=sys.stderr, flush=True)


def _listed(asset: RunwayAsset) -> dict[str, object]:
    item = runway_item(asset)
    if asset.task_id:
        item["taskId"] = asset.task_id
    if asset.is_upload is not None:
        item["isUserUpload"] = asset.is_upload
    return item


async def runway_list_all(args: argparse.Namespace, emit: Emit, creds: UseapiCredentials) -> int:
    """Every page of every Runway account of the token (or of --email), newest first."""
    failed = 0
    async with UseapiConnection(creds.token, creds.base_url) as connection:
        runway = RunwayClient(connection)
        try:
            emails: list[str | None] = [args.email] if args.email else [*await runway.accounts()]
        except AssetDeskError as error:
            emit(error_item(error))
            return 1
        for email in emails or [None]:
            try:
                async for asset in runway.list_all(
                    email=email, media_type=args.media_type, on_capped=_say
                ):
                    emit(_listed(asset))
            except AssetDeskError as error:  # this account fails; the others go on
                failed += 1
                emit(error_item(error, email=email))
    return 1 if failed else 0


async def wordbee_assets(args: argparse.Namespace, emit: Emit, creds: WordbeeCredentials) -> int:
    """The named segments' assets, or those of every segment the search finds for --scope."""
    async with WordbeeClient(creds.base_url, creds.account_id, creds.key) as client:
        library = WordbeeSegments(client)
        try:
            if args.segment_ids:
                assets = await library.list_assets(args.scope, args.segment_ids)
            else:
                assets = await library.list_project_assets(args.scope)
        except AssetDeskError as error:
            emit(error_item(error, scope=args.scope, segmentIds=args.segment_ids or None))
            return 1
        finally:
            await client.sign_out()
    for asset in assets:
        emit(wordbee_item(asset))
    return 0


async def wordbee_delete(args: argparse.Namespace, emit: Emit, creds: WordbeeCredentials) -> int:
    about: dict[str, object] = {
        "segmentId": args.segment_id,
        "scope": args.scope,
        "filename": args.filename,
    }
    if args.locale:
        about["locale"] = args.locale
    if args.relative_path:
        about["relativePath"] = args.relative_path
    try:
        check_filename(args.filename)
    except InvalidInput as error:
        emit(error_item(error, **about))
        return 1
    if not args.yes:
        copy = f"the {args.locale} copy of " if args.locale else ""
        folder = f" in folder “{args.relative_path}”" if args.relative_path else ""
        _say(
            f"would delete {copy}“{args.filename}”{folder} from Wordbee segment "
            f"{args.segment_id} ({args.scope}), permanently; nothing was deleted. "
            "Add --yes to delete it."
        )
        return NOT_CONFIRMED
    async with WordbeeClient(creds.base_url, creds.account_id, creds.key) as client:
        try:
            # The service answers 200 for a file it does not have: look first, so that
            # "deleted" is only said of a file that was there.
            listed = await client.list_segment_assets(args.segment_id, args.scope)
            if not any(_is_named(found, args) for found in listed):
                emit(error_item(NotFound(_not_there(args)), **about))
                return 1
            await WordbeeSegments(client).delete_asset(
                args.segment_id,
                args.scope,
                args.filename,
                locale=args.locale,
                relative_path=args.relative_path,
            )
        except AssetDeskError as error:
            emit(error_item(error, **about))
            return 1
        finally:
            await client.sign_out()
    emit({**about, "deleted": True})
    return 0


def _folder(path: str | None) -> str:
    return (path or "").replace("\\", "/").strip("/")


def _is_named(found: WordbeeAsset, args: argparse.Namespace) -> bool:
    """Whether a listed file is the one `wordbee delete` names (any locale without --locale;
    any folder without --relative-path)."""
    return (
        found.name == args.filename
        and (not args.locale or found.locale == args.locale)
        and (not args.relative_path or _folder(found.relative_path) == _folder(args.relative_path))
    )


def _not_there(args: argparse.Namespace) -> str:
    copy = f"a {args.locale} copy of " if args.locale else ""
    folder = f" in folder “{_folder(args.relative_path)}”" if args.relative_path else ""
    return (
        f"Wordbee segment {args.segment_id} ({args.scope}) has no {copy}“{args.filename}”"
        f"{folder}; nothing was deleted."
    )


def runway_delete_sentence(ids: Sequence[str]) -> str:
    """What deleting these Runway assets would do, by account, for the confirmation."""
    accounts: Counter[str] = Counter()
    for text in ids:
        try:
            accounts[RunwayAssetId.parse(text).email] += 1
        except InvalidInput:
            accounts["an unreadable id"] += 1
    where = ", ".join(f"{n} on {email}" for email, n in sorted(accounts.items()))
    count = len(ids)
    return f"{count} Runway asset{'s' if count != 1 else ''} ({where})"


async def delete_runway_ids(connection: UseapiConnection, ids: Sequence[str], emit: Emit) -> int:
    """Delete each Runway asset (one call each); one line per id. Returns how many failed."""
    runway = RunwayClient(connection)
    failed = 0
    for text in ids:
        try:
            await runway.delete_asset(text)
        except AssetDeskError as error:
            failed += 1
            emit(error_item(error, id=text, deleted=False))
        else:
            emit({"id": text, "deleted": True})
    return failed
