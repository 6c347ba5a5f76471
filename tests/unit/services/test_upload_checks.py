"""services/upload_checks.py: the folder a file had inside a dropped folder."""

from __future__ import annotations

from pathlib import Path

from assetdesk.services.upload_checks import folder_in_drop


def test_the_folder_inside_the_dropped_folder_that_holds_the_file() -> None:
    drop = Path("/home/jo/drop")
    assert folder_in_drop(drop / "a.png", [drop]) is None
    assert folder_in_drop(drop / "shots" / "day 1" / "a.png", [drop]) == "shots/day 1"
    assert folder_in_drop(Path("/home/jo/other/a.png"), [drop]) is None
    # A file dropped itself has no folder, even beside a dropped folder.
    assert folder_in_drop(Path("/home/jo/a.png"), [drop, Path("/home/jo/a.png")]) is None
    # Two dropped folders that hold it: the innermost, in either order.
    inner = drop / "shots"
    assert folder_in_drop(inner / "day 1" / "a.png", [drop, inner]) == "day 1"
    assert folder_in_drop(inner / "day 1" / "a.png", [inner, drop]) == "day 1"
    # A relative drop, as the window may pass it.
    assert folder_in_drop(Path("drop/x/a.png"), [Path("drop")]) == "x"
