"""`assetdesk FILE...`: where a command would stand, words that name no command are the
window's files; a command keeps every word."""

from __future__ import annotations

import pytest

from assetdesk.cli.parser import build_parser, split_window_files


@pytest.mark.parametrize(
    ("words", "kept", "files"),
    [
        (["a.png"], [], ["a.png"]),
        (
            ["--data-dir", "d", "a.png", "--sandbox", "b.mp4"],
            ["--data-dir", "d", "--sandbox"],
            ["a.png", "b.mp4"],
        ),
        # An option's value is no file, even when it reads like a command.
        (["--data-dir", "upload", "a.png"], ["--data-dir", "upload"], ["a.png"]),
        # After `--`, every word is a file (a file called like a command, or like an option).
        (["--", "upload", "--sandbox"], [], ["upload", "--sandbox"]),
        # After the first file, a command's name is a file too.
        (["x.png", "download"], [], ["x.png", "download"]),
        (["--sandbox"], ["--sandbox"], []),
        ([], [], []),
    ],
)
def test_words_that_name_no_command_are_files(
    words: list[str], kept: list[str], files: list[str]
) -> None:
    assert split_window_files(build_parser(), words) == (kept, files)


@pytest.mark.parametrize(
    "words", [["upload", "a.png"], ["--account", "me", "runway", "list"], ["sandbox", "--json"]]
)
def test_a_command_keeps_every_word(words: list[str]) -> None:
    assert split_window_files(build_parser(), words) == (words, [])


def test_the_window_with_files_parses_as_no_command() -> None:
    parser = build_parser()
    kept, files = split_window_files(parser, ["--data-dir", "d", "a.png"])
    args = parser.parse_args(kept)
    assert args.command is None and args.data_dir == "d" and files == ["a.png"]
