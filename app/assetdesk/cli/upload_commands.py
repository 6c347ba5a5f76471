"""`assetdesk runway upload` and `assetdesk wordbee upload`: files sent to Runway or to a Wordbee
segment, one JSON line each.

1. Every file is checked first against the target, as the Uploads pane checks it
   (services/local_files.py: its real type from its bytes, and its size against the target's
   cap); a refused file is an error line saying why and which target would take it, and is
   never sent.
2. The accepted files are sent one after the other. Runway gets the width, height and duration
   the file's header told; Wordbee gets each file of a folder under its sub-folder, inside
   `--relative-path` (as a folder dropped on the pane). The Wordbee client renews an expired
   session or file token itself (providers/wordbee_upload.py).
3. A service's refusal is an error line with its own words (`service_text`). A connection lost
   once the whole file was sent is `outcome_unknown`: the file may be on the service, so it is
   not sent again; the line says where to look.

Exit status as for `assetdesk upload`: 0 when every file was uploaded, 1 when any was not.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assetdesk.cli.output import error_item, runway_uploaded_item, wordbee_uploaded_item
from assetdesk.core.errors import AssetDeskError, InvalidInput, OutcomeUnknown
from assetdesk.core.ids import WordbeeScope
from assetdesk.core.provider import Provider
from assetdesk.providers.runway import RunwayClient
from assetdesk.providers.useapi import UseapiConnection
from assetdesk.providers.wordbee import WordbeeClient
from assetdesk.services.credentials import UseapiCredentials, WordbeeCredentials
from assetdesk.services.local_files import UploadCandidate, collect_uploads, inspect_upload
from assetdesk.services.upload_items import join_folder

__all__ = ["checked_files", "runway_upload", "wordbee_upload"]

Emit = Callable[[dict[str, Any]], None]


def _not_sent_again(error: OutcomeUnknown, where: str, look: str) -> OutcomeUnknown:
    """The lost answer's sentence, and what the user can do about it."""
    error.message = (
        f"{error.message} It may be on {where} now, so it was not sent again: "
        f"look for it with `{look}` before sending it again."
    )
    error.args = (error.message,)
    return error


async def checked_files(
    texts: list[str], provider: Provider, emit: Emit
) -> tuple[list[UploadCandidate], int]:
    """Each named file checked for `provider` before anything is sent: the ones it takes, and
    how many it refused (each refusal said on its own line)."""
    refused = 0
    accepted: list[UploadCandidate] = []
    for text in texts:
        try:
            accepted.append(await inspect_upload(Path(text), provider))
        except AssetDeskError as error:
            refused += 1
            emit(error_item(error, file=text))
    return accepted, refused


async def runway_upload(args: argparse.Namespace, emit: Emit, creds: UseapiCredentials) -> int:
    """Each file checked for Runway, then sent as an asset (named `--name` or after the file)."""
    accepted, failed = await checked_files(args.files, Provider.RUNWAY, emit)
    if not accepted:
        return 1
    async with UseapiConnection(creds.token, creds.base_url) as connection:
        runway = RunwayClient(connection)
        for candidate in accepted:
            name = args.name or candidate.path.name
            probe = candidate.probe
            try:
                asset = await runway.upload(
                    candidate.path,
                    candidate.media_type,
                    candidate.size,
                    name=name,
                    email=args.email,
                    width=probe.width,
                    height=probe.height,
                    duration_seconds=probe.duration_seconds,
                )
            except OutcomeUnknown as error:
                failed += 1
                look = "assetdesk runway list --all"
                look += f" --email {args.email}" if args.email else ""
                unknown = _not_sent_again(error, "Runway", look)
                emit(error_item(unknown, file=str(candidate.path), name=name))
            except AssetDeskError as error:
                failed += 1
                emit(error_item(error, file=str(candidate.path), name=name))
            else:
                emit(runway_uploaded_item(candidate, asset, args.email))
    return 1 if failed else 0


async def _wordbee_files(
    args: argparse.Namespace, emit: Emit
) -> tuple[list[tuple[UploadCandidate, str | None]], int]:
    """The files to send, each with its folder in the segment, and how many were refused (each
    refusal said on its line). Folders are walked; hidden files are skipped and counted."""
    files: list[tuple[UploadCandidate, str | None]] = []
    refused = hidden = 0
    for text in args.files:
        collected = await collect_uploads([Path(text)], Provider.WORDBEE)
        hidden += collected.hidden_skipped
        if not collected.files:
            refused += 1
            empty = InvalidInput(f"{Path(text).name}: the folder holds no file to upload.")
            emit(error_item(empty, file=text))
        for checked in collected.files:
            if checked.candidate is None:
                refused += 1
                assert checked.error is not None
                emit(error_item(checked.error, file=str(checked.path)))
            else:
                files.append((checked.candidate, join_folder(args.relative_path, checked.folder)))
    if hidden:
        plural = "s" if hidden != 1 else ""
        print(f"assetdesk: skipped {hidden} hidden file{plural}", file=sys.stderr, flush=True)
    return files, refused


async def wordbee_upload(args: argparse.Namespace, emit: Emit, creds: WordbeeCredentials) -> int:
    """Each file (folders walked) checked for Wordbee, then staged and attached to the segment."""
    scope = str(WordbeeScope.parse(args.scope))  # checked as a project scope by the parser
    files, failed = await _wordbee_files(args, emit)
    if not files:
        return 1
    about: dict[str, Any] = {"segmentId": args.segment_id, "scope": scope}
    async with WordbeeClient(creds.base_url, creds.account_id, creds.key) as client:
        try:
            for candidate, folder in files:
                where = {"file": str(candidate.path), **about, "relativePath": folder}
                try:
                    asset = await client.upload_to_segment(
                        candidate.path,
                        scope=scope,
                        segment_id=args.segment_id,
                        filename=candidate.path.name,
                        content_type=candidate.media_type.mime,
                        size=candidate.size,
                        locale=args.locale,
                        relative_path=folder,
                    )
                except OutcomeUnknown as error:
                    failed += 1
                    look = f"assetdesk wordbee list {args.segment_id} --scope {scope}"
                    emit(error_item(_not_sent_again(error, "the segment", look), **where))
                except AssetDeskError as error:
                    failed += 1
                    emit(error_item(error, **where))
                else:
                    emit(wordbee_uploaded_item(candidate, asset, scope))
        finally:
            await client.sign_out()
    return 1 if failed else 0
