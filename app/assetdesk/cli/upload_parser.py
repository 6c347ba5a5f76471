"""The grammar of the uploads to Runway and to a Wordbee segment: `runway upload` and `wordbee
upload`, and the usage rules argparse cannot say by itself (checked before anything is read).

Imports nothing heavy, like parser.py, which registers it.
"""

from __future__ import annotations

import argparse
import re

__all__ = ["add_runway_upload", "add_wordbee_upload", "upload_usage_problem"]

#: Uploads go into a project's segments only: `pr` and its number.
_PROJECT_SCOPE = re.compile(r"pr\d{1,12}", re.IGNORECASE)


def add_runway_upload(runway_commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    upload = runway_commands.add_parser(
        "upload",
        help="upload images, videos and audio to Runway (each file checked locally first)",
        description="Upload each file to Runway as an asset. Each file is checked first by its "
        "real type (its bytes, not its name) and size; a refused file is never sent. Prints "
        "one JSON line per file with its assetId.",
    )
    upload.add_argument("files", nargs="+", metavar="FILE")
    upload.add_argument("--email", help="the Runway account, when the token has several")
    upload.add_argument(
        "--name", metavar="N", help="the asset's name in Runway (one file only; default: its name)"
    )


def add_wordbee_upload(wordbee_commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    upload = wordbee_commands.add_parser(
        "upload",
        help="upload files (or folders, keeping their sub-folders) to a Wordbee segment",
        description="Upload each file to one segment of a Wordbee project. A folder is "
        "uploaded whole, each file under its sub-folder (inside --relative-path). Prints one "
        "JSON line per file with its catalog id.",
    )
    upload.add_argument("files", nargs="+", metavar="FILE")
    upload.add_argument("--scope", required=True, help="the project: pr{project}, like pr7214")
    upload.add_argument("--segment-id", required=True, type=int, metavar="S")
    upload.add_argument("--locale", metavar="L", help="the files' language (default: none)")
    upload.add_argument(
        "--relative-path", metavar="P", help="the folder in the segment to put the files in"
    )


def upload_usage_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with an upload command's options, as a usage error; None when nothing is."""
    if args.command == "runway" and args.runway_command == "upload":
        if args.name is not None and len(args.files) != 1:
            return "--name names one file; leave it out to name each asset after its file"
        if args.name is not None and not args.name.strip():
            return "--name is empty"
    if args.command == "wordbee" and args.wordbee_command == "upload":
        if not _PROJECT_SCOPE.fullmatch(args.scope.strip()):
            return (
                f"--scope {args.scope}: Wordbee takes uploads into a project's segments: "
                "give pr and the project number, like pr7214"
            )
        if args.segment_id <= 0:
            return "--segment-id is a segment's number, like 27665601"
    return None
