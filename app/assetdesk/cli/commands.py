"""The scripting commands' bodies, on the same core as the window.

Each command reports one dict per item through `emit` (output.py shapes them) and returns the
exit status: 0 when every item succeeded, 1 when any failed. Credentials come from `--account`
or the environment (services/credentials.py); none at all is a usage error.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TextIO

from assetdesk.cli import delete_command, library_commands, upload_commands
from assetdesk.cli.batch_pause import BatchCount, pause_on_ctrl_z
from assetdesk.cli.flow_commands import run_flow_command
from assetdesk.cli.output import (
    error_item,
    runway_item,
    uploaded_item,
    url_item,
    wordbee_item,
)
from assetdesk.core.errors import AssetDeskError, InvalidInput
from assetdesk.core.ids import MediaGenerationId
from assetdesk.core.provider import AccountKind, Provider
from assetdesk.providers.google_flow import GoogleFlowClient
from assetdesk.providers.runway import RunwayClient
from assetdesk.providers.useapi import UseapiConnection
from assetdesk.providers.wordbee import WordbeeClient
from assetdesk.services.credentials import (
    CredentialsMissing,
    UseapiCredentials,
    WordbeeCredentials,
    useapi_from_env,
    wordbee_from_env,
)
from assetdesk.transfer.names import Conflict
from assetdesk.transfer.options import DownloadOptions, DownloadResult

__all__ = ["Emit", "run_command"]

log = logging.getLogger("assetdesk.cli")

Emit = Callable[[dict[str, Any]], None]


async def _saved_account(args: argparse.Namespace, kind: AccountKind) -> Any:
    from assetdesk.services.credentials import open_account_credentials

    return await open_account_credentials(args.data_dir, args.account, kind)


async def _credentials(
    args: argparse.Namespace,
    kind: AccountKind,
    from_env: Callable[[], Any],
    missing: str,
) -> Any:
    """A saved account's credentials with --account, else the environment's."""
    if args.account:
        return await _saved_account(args, kind)
    found = from_env()
    if found is None:
        raise CredentialsMissing(missing)
    return found


async def useapi_credentials(
    args: argparse.Namespace, environ: Mapping[str, str]
) -> UseapiCredentials:
    found: UseapiCredentials = await _credentials(
        args,
        AccountKind.USEAPI,
        lambda: useapi_from_env(environ),
        "no useapi.net credentials: pass --account NAME or set ASSETDESK_USEAPI_TOKEN",
    )
    return found


async def wordbee_credentials(
    args: argparse.Namespace, environ: Mapping[str, str]
) -> WordbeeCredentials:
    found: WordbeeCredentials = await _credentials(
        args,
        AccountKind.WORDBEE,
        lambda: wordbee_from_env(environ),
        "no Wordbee credentials: pass --account NAME or set ASSETDESK_WORDBEE_URL, "
        "ASSETDESK_WORDBEE_ACCOUNT_ID and ASSETDESK_WORDBEE_KEY",
    )
    return found


async def upload(args: argparse.Namespace, emit: Emit, creds: UseapiCredentials) -> int:
    """Every file is checked locally first; refused files are reported and never sent."""
    accepted, failed = await upload_commands.checked_files(args.files, Provider.GOOGLE_FLOW, emit)
    if not accepted:
        return 1
    async with UseapiConnection(creds.token, creds.base_url) as connection:
        flow = GoogleFlowClient(connection)
        for candidate in accepted:
            try:
                result = await flow.upload(
                    candidate.path, candidate.media_type, candidate.size, email=args.email
                )
            except AssetDeskError as error:
                failed += 1
                emit(error_item(error, file=str(candidate.path)))
            else:
                emit(uploaded_item(candidate, result))
    return 1 if failed else 0


async def resolve(args: argparse.Namespace, emit: Emit, creds: UseapiCredentials) -> int:
    failed = 0
    async with UseapiConnection(creds.token, creds.base_url) as connection:
        flow = GoogleFlowClient(connection)
        for text in args.ids:
            try:
                parsed = MediaGenerationId.parse(text, asset_only=True)
                emit(url_item(await flow.resolve_url(parsed)))
            except AssetDeskError as error:
                failed += 1
                emit(error_item(_about_id(error, "mediaGenerationId"), mediaGenerationId=text))
    return 1 if failed else 0


def _about_id(error: AssetDeskError, what: str) -> AssetDeskError:
    """Parser sentences say what is wrong; for the user, say with what."""
    if isinstance(error, InvalidInput) and not error.message.startswith("Invalid"):
        error.message = f"Invalid {what}: {error.message}."
    return error


async def runway_get(args: argparse.Namespace, emit: Emit, creds: UseapiCredentials) -> int:
    failed = 0
    async with UseapiConnection(creds.token, creds.base_url) as connection:
        runway = RunwayClient(connection)
        for text in args.ids:
            try:
                emit(runway_item(await runway.get(text)))
            except AssetDeskError as error:
                failed += 1
                emit(error_item(error, assetId=text))
    return 1 if failed else 0


async def runway_list(args: argparse.Namespace, emit: Emit, creds: UseapiCredentials) -> int:
    async with UseapiConnection(creds.token, creds.base_url) as connection:
        try:
            assets = await RunwayClient(connection).list(
                offset=args.offset, limit=args.limit, media_type=args.media_type, email=args.email
            )
        except AssetDeskError as error:
            emit(error_item(error))
            return 1
    for asset in assets:
        emit(runway_item(asset))
    return 0


async def wordbee_list(args: argparse.Namespace, emit: Emit, creds: WordbeeCredentials) -> int:
    async with WordbeeClient(creds.base_url, creds.account_id, creds.key) as client:
        try:
            if len(args.segment_ids) == 1:
                assets = await client.list_segment_assets(args.segment_ids[0], args.scope)
            else:
                assets = await client.list_assets(args.segment_ids, args.scope)
        except AssetDeskError as error:
            emit(error_item(error, segmentIds=args.segment_ids, scope=args.scope))
            return 1
        finally:
            await client.sign_out()
    for asset in assets:
        emit(wordbee_item(asset))
    return 0


def _download_setup(args: argparse.Namespace) -> tuple[Path, DownloadOptions]:
    folder = Path(args.to).expanduser()
    options = DownloadOptions(
        segments=getattr(args, "segments", 4),
        on_conflict=Conflict(args.on_conflict),
        sha256=True,  # printed for every item
        keep_partial=True,  # Ctrl+C or a dead network: the next run goes on where this one ended
    )
    return folder, options


async def download(args: argparse.Namespace, emit: Emit, creds: UseapiCredentials) -> int:
    """Up to --jobs assets at once, each one's link looked up a little ahead of its transfer;
    one line per asset in input order (services/batch_download.py)."""
    from assetdesk.net.clients import make_download_client
    from assetdesk.services.batch_download import (
        AssetBatch,
        ReadyAsset,
        run_bounded,
        segments_per_file,
    )
    from assetdesk.services.downloads import catalog_assets
    from assetdesk.services.throttle_gate import BATCH_RETRY

    ids = await asyncio.to_thread(_expand_stdin, args.ids, sys.stdin)
    folder, options = _download_setup(args)
    options = dataclasses.replace(
        options, segments=segments_per_file(args.jobs, options.segments, len(ids))
    )
    known = await asyncio.to_thread(catalog_assets, args.data_dir, ids)  # the window's names

    count = BatchCount(len(ids))

    def report(text: str, result: DownloadResult | None, error: AssetDeskError | None) -> None:
        if error is not None:
            emit(error_item(_about_id(error, "asset id"), id=text))
        elif result is not None:
            emit({"id": text, **result.to_dict()})

    async with (
        UseapiConnection(creds.token, creds.base_url, retry=BATCH_RETRY) as connection,
        make_download_client() as http,
    ):
        batch = AssetBatch(connection, http, folder, options, known)

        async def prepare(text: str) -> ReadyAsset:
            try:
                return await batch.prepare(text)
            except AssetDeskError:
                count.failed += 1
                raise

        async def transfer(text: str, ready: ReadyAsset) -> DownloadResult:
            try:
                result = await batch.transfer(text, ready)
            except AssetDeskError:
                count.failed += 1
                raise
            count.saved += 1
            return result

        with pause_on_ctrl_z(asyncio.get_running_loop(), count.paused_sentence, _say):
            failed = await run_bounded(
                ids, prepare, transfer, report, jobs=args.jobs, lookahead=args.jobs
            )
    return 1 if failed else 0


def _say(sentence: str) -> None:
    print(f"assetdesk: {sentence}", file=sys.stderr, flush=True)


def _expand_stdin(words: list[str], stdin: TextIO) -> list[str]:
    """The ids given, with `-` replaced by stdin's lines (blank lines and `#` comments skipped;
    blocking)."""
    ids: list[str] = []
    for word in words:
        if word != "-":
            ids.append(word)
            continue
        for line in stdin:
            text = line.strip()
            if text and not text.startswith("#"):
                ids.append(text)
    return ids


async def wordbee_download(args: argparse.Namespace, emit: Emit, creds: WordbeeCredentials) -> int:
    from assetdesk.services.downloads import download_wordbee_asset

    folder, options = _download_setup(args)
    about = {"segmentId": args.segment_id, "scope": args.scope, "filename": args.filename}
    async with WordbeeClient(creds.base_url, creds.account_id, creds.key) as client:
        try:
            result = await download_wordbee_asset(
                client,
                args.segment_id,
                args.scope,
                args.filename,
                folder,
                locale=args.locale,
                relative_path=args.relative_path,
                keep_folders=args.keep_folders,
                options=options,
            )
        except AssetDeskError as error:
            emit(error_item(error, **about))
            return 1
        finally:
            await client.sign_out()
    emit({**about, **result.to_dict()})
    return 0


async def run_command(args: argparse.Namespace, emit: Emit, *, environ: Mapping[str, str]) -> int:
    """Run the parsed scripting command; credential problems raise CredentialsMissing."""
    try:
        if args.command == "wordbee":
            wordbee_creds = await wordbee_credentials(args, environ)
            if args.wordbee_command == "download":
                return await wordbee_download(args, emit, wordbee_creds)
            if args.wordbee_command == "assets":
                return await library_commands.wordbee_assets(args, emit, wordbee_creds)
            if args.wordbee_command == "delete":
                return await library_commands.wordbee_delete(args, emit, wordbee_creds)
            if args.wordbee_command == "upload":
                return await upload_commands.wordbee_upload(args, emit, wordbee_creds)
            return await wordbee_list(args, emit, wordbee_creds)
        creds = await useapi_credentials(args, environ)
    except AssetDeskError as error:  # a saved account that cannot be used
        emit(error_item(error, account=args.account))
        return 1
    if args.command == "upload":
        return await upload(args, emit, creds)
    if args.command == "download":
        return await download(args, emit, creds)
    if args.command == "resolve":
        return await resolve(args, emit, creds)
    if args.command == "flow":
        return await run_flow_command(args, emit, creds)
    if args.command == "delete":
        return await delete_command.delete_ids(args, emit, creds)
    if args.command == "runway" and args.runway_command == "upload":
        return await upload_commands.runway_upload(args, emit, creds)
    if args.command == "runway" and args.runway_command == "get":
        return await runway_get(args, emit, creds)
    if args.command == "runway" and args.runway_command == "list" and args.all:
        return await library_commands.runway_list_all(args, emit, creds)
    if args.command == "runway" and args.runway_command == "list":
        return await runway_list(args, emit, creds)
    raise CredentialsMissing(f"unknown command {args.command}")
