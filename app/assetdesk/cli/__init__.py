"""Command line: the window by default, sub-commands for scripting.

Nothing here imports Qt unless the window is asked for, so `assetdesk --help` and the scripting
commands start fast and run on machines without a display. Scripting commands print one JSON
object per line per item, and exit 0 when every item succeeded, 1 when any failed, 2 on a usage
error. The grammar is parser.py, the command bodies commands.py, the JSON lines output.py.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from assetdesk.cli.parser import VALUED_OPTIONS, build_parser, split_window_files
from assetdesk.cli.upload_parser import upload_usage_problem

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    at = _sandbox_position(args_list)
    if at is not None:
        # Every emulator flag (--json, --control, --storage-port...) passes through untouched.
        parser.parse_args(args_list[: at + 1])  # the global options still get checked
        from assetdesk.sandbox.__main__ import main as sandbox_main

        sandbox_status: int = sandbox_main(args_list[at + 1 :])
        return sandbox_status
    words, files = split_window_files(parser, args_list)
    args = parser.parse_args(words)
    problem = upload_usage_problem(args)
    if problem is not None:
        parser.error(problem)
    if files and args.self_test:
        parser.error("--self-test takes no files")
    if args.command is None:
        from assetdesk.ui.app import run_gui

        status: int = run_gui(
            data_dir=args.data_dir,
            sandbox=args.sandbox,
            argv=[sys.argv[0]],
            self_test=args.self_test,
            # Relative to the folder the command was given in, whichever process queues them.
            files=[Path(name).absolute() for name in files],
        )
        return status
    from assetdesk.cli.commands import run_command
    from assetdesk.cli.output import Output
    from assetdesk.services.credentials import CredentialsMissing

    out = Output(sys.stdout)
    try:
        return asyncio.run(run_command(args, out.emit, environ=dict(os.environ)))
    except CredentialsMissing as error:
        parser.error(str(error))
    except KeyboardInterrupt:
        return 130


def _sandbox_position(args: list[str]) -> int | None:
    """Where the `sandbox` command stands among the arguments, if it is the command."""
    skip = False
    for index, word in enumerate(args):
        if skip:
            skip = False
        elif word in VALUED_OPTIONS:
            skip = True
        elif word == "sandbox":
            return index
        elif not word.startswith("-"):
            return None  # another command
    return None
