"""The `.part` on disk: created new and never through a link, a kept one reopened only when it is
a plain file, and the record beside it written without following a link (real files and
symlinks)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from assetdesk.transfer.names import Conflict
from assetdesk.transfer.part_file import claim, claim_kept, create_part, release
from assetdesk.transfer.resume import record_path, write_record

pytestmark = pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")

PRECIOUS = b"alias ls='ls --color'\n"


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    path = tmp_path / "victim"
    path.write_bytes(PRECIOUS)
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "out"
    path.mkdir()
    return path


def test_create_part_refuses_any_existing_entry(folder: Path, victim: Path) -> None:
    link = folder / "a.mp4.part"
    link.symlink_to(victim)
    with pytest.raises(FileExistsError):
        create_part(link)
    assert victim.read_bytes() == PRECIOUS


@pytest.mark.parametrize("policy", [Conflict.OVERWRITE, Conflict.SKIP])
def test_claim_removes_a_planted_link_and_writes_a_file_of_its_own(
    folder: Path, victim: Path, policy: Conflict
) -> None:
    part = folder / "a.mp4.part"
    part.symlink_to(victim)
    claimed = claim(folder, "a.mp4", policy)
    assert claimed is not None
    target, handle = claimed
    try:
        handle.write(b"new bytes")
    finally:
        handle.close()
        release(part)
    assert target == folder / "a.mp4"
    assert not part.is_symlink() and part.read_bytes() == b"new bytes"
    assert victim.read_bytes() == PRECIOUS


def test_a_kept_part_that_is_a_link_is_not_taken_over(folder: Path, victim: Path) -> None:
    part = folder / "a.mp4.part"
    part.symlink_to(victim)
    write_record(part, {"version": 1})
    assert claim_kept(part, usable=True) is None
    assert not os.path.lexists(part) and not record_path(part).exists()
    assert victim.read_bytes() == PRECIOUS


def test_a_kept_plain_part_is_taken_over(folder: Path) -> None:
    part = folder / "a.mp4.part"
    part.write_bytes(b"kept")
    handle = claim_kept(part, usable=True)
    assert handle is not None
    try:
        assert handle.read() == b"kept"
    finally:
        handle.close()
        release(part)


@pytest.mark.parametrize("planted", ["a.mp4.part.json.tmp", "a.mp4.part.json"])
def test_the_record_is_never_written_through_a_link(
    folder: Path, victim: Path, planted: str
) -> None:
    part = folder / "a.mp4.part"
    (folder / planted).symlink_to(victim)
    write_record(part, {"version": 1, "key": "k"})
    assert victim.read_bytes() == PRECIOUS
    record = record_path(part)
    assert not record.is_symlink() and json.loads(record.read_text()) == {"version": 1, "key": "k"}
    assert sorted(p.name for p in folder.iterdir()) == ["a.mp4.part.json"]
