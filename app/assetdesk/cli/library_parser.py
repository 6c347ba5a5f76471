"""The grammar of the library commands: `runway list --all`, `wordbee assets`, `wordbee delete`,
`delete`.

parser.py calls these on its sub-parsers, so that the library's options live beside each other.
"""

from __future__ import annotations

import argparse

__all__ = ["add_delete_command", "add_runway_list_all", "add_wordbee_library"]

SCOPE_HELP = "pr{project}, jbs{job} or jbc{job}"


def add_runway_list_all(runway_list: argparse.ArgumentParser) -> None:
    runway_list.add_argument(
        "--all",
        action="store_true",
        help="every page (offset 0 to 1000 by 50) instead of one; --offset and --limit are ignored",
    )


def add_wordbee_library(wordbee_commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    assets = wordbee_commands.add_parser(
        "assets",
        help="the assets of a project's segments (all of them, found by the segment search, "
        "when no SEGMENT_ID is given)",
    )
    assets.add_argument("segment_ids", nargs="*", type=int, metavar="SEGMENT_ID")
    assets.add_argument("--scope", required=True, help=SCOPE_HELP)

    delete = wordbee_commands.add_parser(
        "delete",
        help="delete one file of a segment, permanently (needs --yes)",
        description="Delete one file of a segment in Wordbee. It cannot be undone. Without "
        "--yes nothing is deleted: the command says what it would delete and exits 2.",
    )
    delete.add_argument("segment_id", type=int, metavar="SEGMENT_ID")
    delete.add_argument("--scope", required=True, help=SCOPE_HELP)
    delete.add_argument("--filename", required=True, help="the file's exact name in Wordbee")
    delete.add_argument("--locale", help="delete only this language's copy")
    delete.add_argument("--relative-path", metavar="P", help="the file's folder in the segment")
    delete.add_argument("--yes", action="store_true", help="really delete")


def add_delete_command(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    delete = commands.add_parser(
        "delete",
        help="delete Google Flow and Runway assets on their service, permanently (needs --yes)",
        description="Delete each asset on its service: Google Flow mediaGenerationIds (in "
        "batches of at most 100 per Google account) and Runway assetIds (one per call). "
        "Without --yes nothing is deleted: the command says what it would delete and exits 2.",
    )
    delete.add_argument("ids", nargs="+", metavar="ID")
    delete.add_argument("--yes", action="store_true", help="really delete")
