"""The upload commands' grammar and the usage rules argparse cannot say: `--name` names one file,
a Wordbee upload goes into a project's segment."""

from __future__ import annotations

import pytest

from assetdesk.cli.parser import build_parser
from assetdesk.cli.upload_parser import upload_usage_problem


def problem(*argv: str) -> str | None:
    return upload_usage_problem(build_parser().parse_args(list(argv)))


def test_runway_upload_takes_files_an_email_and_one_name() -> None:
    args = build_parser().parse_args(["runway", "upload", "a.png", "--email", "e@x.org"])
    assert (args.files, args.email, args.name) == (["a.png"], "e@x.org", None)
    assert problem("runway", "upload", "a.png", "--name", "Hero") is None
    assert problem("runway", "upload", "a.png", "b.mov") is None


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (("a.png", "b.png", "--name", "Hero"), "--name names one file"),
        (("a.png", "--name", "  "), "--name is empty"),
    ],
)
def test_runway_name_rules(argv: tuple[str, ...], said: str) -> None:
    assert (problem("runway", "upload", *argv) or "").startswith(said)


def test_wordbee_upload_takes_a_project_segment_locale_and_folder() -> None:
    argv = ["wordbee", "upload", "shots", "--scope", "PR7214", "--segment-id", "27665601"]
    args = build_parser().parse_args([*argv, "--locale", "fr", "--relative-path", "a/b"])
    assert (args.segment_id, args.locale, args.relative_path) == (27665601, "fr", "a/b")
    assert upload_usage_problem(args) is None


@pytest.mark.parametrize(
    ("scope", "segment", "said"),
    [
        ("jbs7214", "1", "--scope jbs7214: Wordbee takes uploads into a project's segments"),
        ("pr", "1", "--scope pr: Wordbee takes uploads"),
        ("pr7214", "0", "--segment-id is a segment's number"),
    ],
)
def test_wordbee_scope_and_segment_rules(scope: str, segment: str, said: str) -> None:
    found = problem("wordbee", "upload", "a.png", "--scope", scope, "--segment-id", segment)
    assert (found or "").startswith(said)


def test_other_commands_have_no_upload_rules() -> None:
    assert problem("runway", "list") is None
    assert problem("wordbee", "list", "1", "--scope", "pr1") is None


def test_the_scope_and_segment_are_required() -> None:
    with pytest.raises(SystemExit) as caught:
        build_parser().parse_args(["wordbee", "upload", "a.png", "--segment-id", "1"])
    assert caught.value.code == 2
