"""The command line's grammar: global options, the scripting commands and their options.

Building the parser imports nothing heavy, so `assetdesk --help` starts fast.
"""

from __future__ import annotations

import argparse

from assetdesk import __version__
from assetdesk.cli.flow_parser import add_flow_commands
from assetdesk.cli.library_parser import (
    add_delete_command,
    add_runway_list_all,
    add_wordbee_library,
)
from assetdesk.cli.upload_parser import add_runway_upload, add_wordbee_upload

__all__ = ["build_parser", "split_window_files"]

#: Global options that take a value: the word after them is that value, not a command.
VALUED_OPTIONS = ("--data-dir", "--account")

#: Assets `download` fetches at once by default, and at most (the API client pools 16
#: connections, and each running asset has one lookup ahead of it).
DEFAULT_JOBS = 4
MAX_JOBS = 16


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assetdesk",
        usage="%(prog)s [options] [FILE ...]\n       %(prog)s [options] COMMAND ...",
        description="AssetDesk: your Google Flow, Runway and Wordbee assets in one window. "
        "With no command it opens the window, with each FILE queued for upload to the current "
        "target (handed to the window already open on the same data folder, if any).",
        epilog="Credentials for the scripting commands: --account NAME (a saved account, its "
        "secret from the OS keyring) or the environment variables ASSETDESK_USEAPI_TOKEN "
        "[ASSETDESK_USEAPI_URL], ASSETDESK_WORDBEE_URL, ASSETDESK_WORDBEE_ACCOUNT_ID, "
        "ASSETDESK_WORDBEE_KEY.",
    )
    parser.add_argument("--version", action="version", version=f"AssetDesk {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", help="keep all AssetDesk writes in DIR")
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="open the window on the local offline sandbox instead of the real services",
    )
    parser.add_argument(
        "--account", metavar="NAME", help="the saved account to use for a scripting command"
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="open the window offscreen, upload and download one image through the bundled "
        "sandbox, check the bytes, and exit 0 (or print the step that failed and exit 1)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    upload = commands.add_parser("upload", help="upload images and videos to Google Flow")
    upload.add_argument("files", nargs="+", metavar="FILE")
    upload.add_argument(
        "--email", help="the Google Flow account to use (default: the service picks)"
    )

    resolve = commands.add_parser(
        "resolve", help="print a fresh signed download URL for Google Flow assets"
    )
    resolve.add_argument("ids", nargs="+", metavar="MEDIA_GENERATION_ID")

    download = commands.add_parser(
        "download",
        help="download Google Flow and Runway assets to a folder (resumed, verified)",
        description="Download each asset into DIR: resumed after a broken connection, in "
        "parallel segments when large, checked against the server's size and hashes, up to "
        "--jobs assets at once, each one's link looked up a little ahead of its transfer (a 429 "
        "from the service pauses the lookups for its Retry-After, then they go on). Prints one "
        "JSON line per asset, in the order the ids were given, with its path, bytes and "
        "sha256, or its error and kind.",
        epilog="Connections: at most max(JOBS, SEGMENTS) to the storage host at once; each "
        "file gets max(1, max(JOBS, SEGMENTS) // min(JOBS, number of ids)) of them as segments "
        "(so one file alone keeps all its --segments, and four files at --jobs 4 one each). "
        "Pause: Ctrl+Z stops the batch (a line on stderr says how many files are saved) and fg "
        "resumes it, each file going on from its bytes. Ctrl+C stops it and keeps the parts: the "
        "same command run again goes on from them; on Windows, which has no Ctrl+Z for "
        "programs, that is the pause.",
    )
    download.add_argument(
        "ids",
        nargs="+",
        metavar="ID",
        help="a mediaGenerationId or assetId; '-' reads ids from stdin, one per line "
        "(blank lines and lines starting with # are skipped)",
    )
    download.add_argument(
        "--jobs",
        type=_jobs,
        default=DEFAULT_JOBS,
        metavar="N",
        help=f"assets downloaded at once (1-{MAX_JOBS}, default {DEFAULT_JOBS})",
    )
    _download_options(download)

    runway = commands.add_parser("runway", help="Runway assets")
    runway_commands = runway.add_subparsers(dest="runway_command", metavar="COMMAND", required=True)
    runway_get = runway_commands.add_parser("get", help="one or more assets by assetId")
    runway_get.add_argument("ids", nargs="+", metavar="ASSET_ID")
    runway_list = runway_commands.add_parser("list", help="one page of the account's assets")
    runway_list.add_argument("--media-type", choices=["image", "video", "audio"])
    runway_list.add_argument("--offset", type=int, default=0)
    runway_list.add_argument("--limit", type=int, default=20)
    runway_list.add_argument("--email", help="the Runway account, when the token has several")
    add_runway_list_all(runway_list)
    add_runway_upload(runway_commands)

    wordbee = commands.add_parser("wordbee", help="Wordbee segment assets")
    wordbee_commands = wordbee.add_subparsers(
        dest="wordbee_command", metavar="COMMAND", required=True
    )
    wordbee_list = wordbee_commands.add_parser("list", help="the assets of segments")
    wordbee_list.add_argument("segment_ids", nargs="+", type=int, metavar="SEGMENT_ID")
    wordbee_list.add_argument("--scope", required=True, help="pr{project}, jbs{job} or jbc{job}")
    wordbee_download = wordbee_commands.add_parser(
        "download", help="download one segment asset (its file name from the server, made safe)"
    )
    wordbee_download.add_argument("segment_id", type=int, metavar="SEGMENT_ID")
    wordbee_download.add_argument(
        "--scope", required=True, help="pr{project}, jbs{job} or jbc{job}"
    )
    wordbee_download.add_argument("--filename", required=True, help="the asset's name in Wordbee")
    wordbee_download.add_argument("--locale")
    wordbee_download.add_argument("--relative-path", metavar="P")
    wordbee_download.add_argument(
        "--keep-folders",
        action="store_true",
        help="save under DIR/LOCALE/RELATIVE_PATH/ instead of DIR/",
    )
    _download_options(wordbee_download, segments=False)
    add_wordbee_library(wordbee_commands)
    add_wordbee_upload(wordbee_commands)

    add_flow_commands(commands)
    add_delete_command(commands)

    commands.add_parser(
        "sandbox",
        help="run the offline emulator of the services in the foreground "
        "(`assetdesk sandbox --help` for its options)",
        add_help=False,
    )
    return parser


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 1 <= value <= MAX_JOBS:
        raise argparse.ArgumentTypeError(f"give between 1 and {MAX_JOBS} jobs")
    return value


def _segments(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 1 <= value <= 16:
        raise argparse.ArgumentTypeError("give between 1 and 16 segments")
    return value


def _download_options(parser: argparse.ArgumentParser, *, segments: bool = True) -> None:
    parser.add_argument("--to", required=True, metavar="DIR", help="the folder to save into")
    if segments:
        parser.add_argument(
            "--segments",
            type=_segments,
            default=4,
            metavar="N",
            help="parallel streams for a large file (1-16, default 4)",
        )
    parser.add_argument(
        "--on-conflict",
        choices=["rename", "overwrite", "skip"],
        default="rename",
        help="when the file exists: save as 'name (1).ext' (default), replace it, or skip",
    )


def split_window_files(
    parser: argparse.ArgumentParser, words: list[str]
) -> tuple[list[str], list[str]]:
    """The words for argparse and the files for the window, apart.

    Where a command would stand, a word that names no command starts the window's files: it and
    every later word that is not an option (or an option's value) is a file; after `--` every
    word is. With a command, every word stays with argparse."""
    commands = _command_names(parser)
    kept: list[str] = []
    files: list[str] = []
    skip = False
    for index, word in enumerate(words):
        if skip:
            skip = False
            kept.append(word)
        elif word == "--":
            files.extend(words[index + 1 :])
            break
        elif word in VALUED_OPTIONS:
            skip = True
            kept.append(word)
        elif word.startswith("-") and word != "-":
            kept.append(word)
        elif not files and word in commands:
            return words, []
        else:
            files.append(word)
    return kept, files


def _command_names(parser: argparse.ArgumentParser) -> frozenset[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return frozenset(action.choices)
    return frozenset()
