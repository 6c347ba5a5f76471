"""A download never writes through a link another local user planted in the folder: not at
`NAME.part` (under every conflict policy, whether the download succeeds or fails), not at the
final name (a link there is replaced itself, or the name counts as taken), and not through a part
swapped for a link while it was being written. Real symlinks, real HTTP to the sandbox."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
from tests.helpers.downloads import DL_FAST, DlAsset, dl_listing, dl_source

from assetdesk.core.errors import IntegrityError, LocalFileError
from assetdesk.sandbox.launcher import SandboxProcess
from assetdesk.transfer.download import download
from assetdesk.transfer.names import Conflict
from assetdesk.transfer.options import DownloadOptions
from assetdesk.transfer.progress import TransferProgress

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows"),
]

PRECIOUS = b"export PATH=$HOME/bin:$PATH\n"


def options(policy: Conflict) -> DownloadOptions:
    return DownloadOptions(
        sha256=True, on_conflict=policy, backoff=DL_FAST.backoff, max_backoff=DL_FAST.max_backoff
    )


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """The file a planted link points at (a user's ~/.bashrc), outside the download folder."""
    path = tmp_path / "home" / ".bashrc"
    path.parent.mkdir()
    path.write_bytes(PRECIOUS)
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "downloads"
    path.mkdir()
    return path


def assert_untouched(victim: Path) -> None:
    assert victim.read_bytes() == PRECIOUS
    assert not victim.is_symlink()


@pytest.mark.parametrize("policy", list(Conflict))
async def test_a_planted_part_link_is_never_written_through(
    sb: SandboxProcess,
    dl_small: DlAsset,
    dl_http: httpx.AsyncClient,
    folder: Path,
    victim: Path,
    policy: Conflict,
) -> None:
    (folder / "clip.mp4.part").symlink_to(victim)
    result = await download(dl_source(sb, dl_http, dl_small), folder, options=options(policy))
    assert_untouched(victim)
    assert result.path.read_bytes() == dl_small.data and not result.path.is_symlink()
    if policy is Conflict.RENAME:  # the name counts as taken: its link is left alone
        assert result.path == folder / "clip (1).mp4"
        assert dl_listing(folder) == ["clip (1).mp4", "clip.mp4.part"]
        assert (folder / "clip.mp4.part").is_symlink()
    else:  # overwrite, skip: the stale part (the link itself) is removed, the download goes on
        assert result.path == folder / "clip.mp4"
        assert dl_listing(folder) == ["clip.mp4"]


@pytest.mark.parametrize("policy", [Conflict.OVERWRITE, Conflict.SKIP])
async def test_a_failed_download_leaves_a_linked_file_as_it_was(
    sb: SandboxProcess,
    dl_small: DlAsset,
    dl_http: httpx.AsyncClient,
    folder: Path,
    victim: Path,
    policy: Conflict,
) -> None:
    """The space is reserved before the body comes: through the link, a failed download left
    the linked file zero-filled."""
    (folder / "clip.mp4.part").symlink_to(victim)
    sb.fault("storage", dl_small.url_path, corrupt_byte_at=1000, count=2)
    with pytest.raises(IntegrityError):
        await download(dl_source(sb, dl_http, dl_small), folder, options=options(policy))
    assert_untouched(victim)
    assert dl_listing(folder) == []


@pytest.mark.parametrize("dangling", [False, True])
@pytest.mark.parametrize("policy", list(Conflict))
async def test_a_link_at_the_final_name(
    sb: SandboxProcess,
    dl_small: DlAsset,
    dl_http: httpx.AsyncClient,
    folder: Path,
    victim: Path,
    policy: Conflict,
    dangling: bool,
) -> None:
    """Overwrite replaces the link itself (never its target); rename and skip take the name as
    taken, a dangling link included."""
    pointed = victim.with_name("gone") if dangling else victim
    link = folder / "clip.mp4"
    link.symlink_to(pointed)
    result = await download(
        dl_source(sb, dl_http, dl_small), folder, filename="clip.mp4", options=options(policy)
    )
    assert_untouched(victim)
    if policy is Conflict.OVERWRITE:
        assert result.path == link and not link.is_symlink()
        assert link.read_bytes() == dl_small.data
        assert dl_listing(folder) == ["clip.mp4"]
        return
    assert link.is_symlink() and link.readlink() == pointed
    if policy is Conflict.RENAME:
        assert result.path == folder / "clip (1).mp4"
        assert result.path.read_bytes() == dl_small.data
    else:
        assert result.skipped and result.path == link
        assert dl_listing(folder) == ["clip.mp4"]


async def test_a_part_swapped_for_a_link_while_written_is_not_placed(
    sb: SandboxProcess,
    dl_small: DlAsset,
    dl_http: httpx.AsyncClient,
    folder: Path,
    victim: Path,
) -> None:
    """The bytes go through the descriptor opened at the start, never the path: a part replaced
    by a link mid-way is neither written through nor renamed into place."""
    sb.bandwidth("storage", 2_000_000)
    part = folder / "clip.mp4.part"
    swapped: list[bool] = []

    def on_progress(progress: TransferProgress) -> None:
        if progress.done and not swapped and part.exists():
            planted = folder / "planted"
            planted.symlink_to(victim)
            planted.replace(part)  # an atomic swap, as another user would do it
            swapped.append(True)

    with pytest.raises(LocalFileError) as caught:
        await download(
            dl_source(sb, dl_http, dl_small),
            folder,
            options=options(Conflict.OVERWRITE),
            progress=on_progress,
        )
    assert swapped
    assert caught.value.message == (
        f"The partial file of clip.mp4 in {folder} was replaced by something else while it was "
        "written; nothing was saved."
    )
    assert_untouched(victim)
    assert dl_listing(folder) == []
