"""`assetdesk flow projects` and `assetdesk flow media`: Google Flow's library as JSON lines.

Without --email every Google Flow account of the token is listed in turn; an account that fails
(401, 596, 429...) gets one error line naming it and the others go on (exit 1 at the end).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from assetdesk.cli.output import error_item
from assetdesk.core.errors import AssetDeskError, NotFound
from assetdesk.providers.google_flow import GoogleFlowClient
from assetdesk.providers.google_flow_listing import FlowMedia, FlowProject, GoogleFlowLibrary
from assetdesk.providers.useapi import UseapiConnection
from assetdesk.services.credentials import UseapiCredentials

__all__ = ["media_item", "project_item", "run_flow_command"]

Emit = Callable[[dict[str, Any]], None]


def project_item(email: str, project: FlowProject) -> dict[str, Any]:
    return {
        "email": email,
        "projectId": project.project_id,
        "title": project.title,
        "mediaCount": project.media_count,
    }


def media_item(email: str, media: FlowMedia) -> dict[str, Any]:
    return {
        "email": email,
        "mediaGenerationId": media.media_generation_id,
        "projectId": media.project_id,
        "likelyUpload": media.likely_upload,
        "kind": media.kind,
        "width": media.width,
        "height": media.height,
        "created": media.created,
        "title": media.title,
    }


async def _emails(flow: GoogleFlowClient, email: str | None) -> list[str]:
    if email:
        return [email]
    return [account.email for account in await flow.accounts()]


async def _project_home(
    flow: GoogleFlowClient, library: GoogleFlowLibrary, emails: list[str], project: str
) -> str:
    """The account (of `emails`) that holds `project`: its current project, or a listed one."""
    accounts = {account.email: account for account in await flow.accounts()}
    for email in emails:
        if accounts.get(email) and accounts[email].project_id == project:
            return email
    for email in emails:
        try:
            async for found in library.list_projects(email):
                if found.project_id == project:
                    return email
        except AssetDeskError:
            continue  # an account that cannot be read does not hold it as far as we can tell
    raise NotFound(f"No Google Flow account of this token holds project {project}.")


async def run_flow_command(args: argparse.Namespace, emit: Emit, creds: UseapiCredentials) -> int:
    async with UseapiConnection(creds.token, creds.base_url) as connection:
        flow, library = GoogleFlowClient(connection), GoogleFlowLibrary(connection)
        try:
            emails = await _emails(flow, args.email)
            if args.flow_command == "media" and args.project and not args.email:
                emails = [await _project_home(flow, library, emails, args.project)]
        except AssetDeskError as error:
            emit(error_item(error, email=args.email))
            return 1
        failed = 0
        for email in emails:
            try:
                if args.flow_command == "projects":
                    async for project in library.list_projects(email):
                        emit(project_item(email, project))
                else:
                    async for media in library.list_media(email, args.project):
                        emit(media_item(email, media))
            except AssetDeskError as error:
                failed += 1
                emit(error_item(error, email=email))
    return 1 if failed else 0
