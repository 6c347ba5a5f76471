"""store/paths.py: the platform folders and the --data-dir relocation."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from assetdesk.store.db import open_database
from assetdesk.store.paths import AppPaths


def test_data_dir_relocates_every_folder(tmp_path: Path) -> None:
    paths = AppPaths.from_option(str(tmp_path / "data"))
    for location in (paths.database, paths.thumbnails, paths.thumbnail_pack, paths.logs,
                     paths.cache, paths.downloads_default, paths.log_file):  # fmt: skip
        assert location.is_relative_to(tmp_path / "data"), location


def test_ensure_creates_private_folders(tmp_path: Path) -> None:
    paths = AppPaths.from_option(tmp_path / "new" / "deeper").ensure()
    for folder in (paths.root, paths.thumbnails, paths.logs, paths.cache):
        assert folder.is_dir()
        if os.name == "posix":
            assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert not paths.database.exists()  # only folders; the database is made by open_database
    paths.ensure()  # a second time is harmless


def test_relative_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert AppPaths.from_option("rel").root == tmp_path / "rel"


@pytest.mark.skipif(sys.platform != "linux", reason="XDG rules apply on Linux")
def test_linux_default_follows_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert AppPaths.default().root == tmp_path / "xdg" / "AssetDesk"
    assert AppPaths.from_option(None).root == tmp_path / "xdg" / "AssetDesk"
    assert AppPaths.from_option("  ").root == tmp_path / "xdg" / "AssetDesk"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert AppPaths.default().root == tmp_path / "home" / ".local" / "share" / "AssetDesk"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert AppPaths.default().root == tmp_path / "home" / ".local" / "share" / "AssetDesk"
    assert AppPaths.default().downloads_default == tmp_path / "home" / "Downloads" / "AssetDesk"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_chosen_data_dir_keeps_its_permissions_and_the_app_keeps_its_own_private(
    tmp_path: Path,
) -> None:
    chosen = tmp_path / "shared with the team"
    chosen.mkdir(mode=0o755)
    chosen.chmod(0o755)
    paths = AppPaths.from_option(chosen).ensure()
    assert stat.S_IMODE(chosen.stat().st_mode) == 0o755  # the user's folder, untouched
    for own in (paths.thumbnails, paths.logs, paths.cache):
        assert stat.S_IMODE(own.stat().st_mode) == 0o700
    open_database(paths.database).close()
    assert stat.S_IMODE(paths.database.stat().st_mode) == 0o600
    fresh = AppPaths.from_option(tmp_path / "made by the app").ensure()
    assert stat.S_IMODE(fresh.root.stat().st_mode) == 0o700
