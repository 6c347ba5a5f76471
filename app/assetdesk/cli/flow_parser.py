"""The grammar of `assetdesk flow ...`: Google Flow projects and media listings.

Imports nothing heavy, like parser.py, which registers it.
"""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["add_flow_commands"]


def add_flow_commands(commands: Any) -> None:
    """Add `flow projects` and `flow media` to the sub-parsers action `commands`."""
    flow: argparse.ArgumentParser = commands.add_parser(
        "flow", help="Google Flow projects and media, as the service lists them"
    )
    flow_commands = flow.add_subparsers(dest="flow_command", metavar="COMMAND", required=True)
    projects = flow_commands.add_parser(
        "projects",
        help="one line per project holding media (counts are of generated media only)",
    )
    projects.add_argument("--email", help="one Google Flow account (default: every account)")
    media = flow_commands.add_parser(
        "media",
        help="one line per asset of a project (default: each account's current project)",
    )
    media.add_argument("--email", help="one Google Flow account (default: every account)")
    media.add_argument(
        "--project",
        metavar="P",
        help="the projectId (from `flow projects`); without --email, the account holding it",
    )
