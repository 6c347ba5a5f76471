"""Where AssetDesk keeps its files: one root folder per platform, or the `--data-dir` folder.

No Qt here: the locations follow each platform's convention directly.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from assetdesk.store.thumbnail_pack import PACK_FILE

__all__ = ["APP_DIR_NAME", "AppPaths"]

APP_DIR_NAME = "AssetDesk"


@dataclass(frozen=True, slots=True)
class AppPaths:
    """The folders and files under one data root. Nothing is created until `ensure()`."""

    root: Path

    @property
    def database(self) -> Path:
        return self.root / "assetdesk.sqlite3"

    @property
    def thumbnails(self) -> Path:
        """The thumbnail cache's folder: its pack file, and the PNG files an older AssetDesk
        kept there one per thumbnail until the pack takes them in (store/thumbnail_pack.py)."""
        return self.root / "thumbnails"

    @property
    def thumbnail_pack(self) -> Path:
        return self.thumbnails / PACK_FILE

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def log_file(self) -> Path:
        return self.logs / "assetdesk.log"

    @property
    def cache(self) -> Path:
        """Throw-away files (previews being fetched, partial thumbnails)."""
        return self.root / "cache"

    @property
    def downloads_default(self) -> Path:
        """Where downloads go until the user picks a folder: ~/Downloads/AssetDesk, or under the
        data root when it was relocated (so tests never write into the user's home)."""
        if self._relocated:
            return self.root / "downloads"
        return Path.home() / "Downloads" / APP_DIR_NAME

    @property
    def _relocated(self) -> bool:
        return self.root != self.platform_root()

    @staticmethod
    def platform_root() -> Path:
        """The platform's usual app-data folder for AssetDesk."""
        home = Path.home()
        if sys.platform == "win32":
            base = os.environ.get("LOCALAPPDATA") or str(home / "AppData" / "Local")
            return Path(base) / APP_DIR_NAME
        if sys.platform == "darwin":
            return home / "Library" / "Application Support" / APP_DIR_NAME
        xdg = os.environ.get("XDG_DATA_HOME", "")
        # The XDG spec says a relative value is invalid and must be ignored.
        base_path = Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".local" / "share"
        return base_path / APP_DIR_NAME

    @classmethod
    def default(cls) -> AppPaths:
        return cls(cls.platform_root())

    @classmethod
    def from_option(cls, data_dir: str | os.PathLike[str] | None) -> AppPaths:
        """The `--data-dir` folder when given (relative to the current folder, `~` expanded),
        else the platform default."""
        if data_dir is None or not str(data_dir).strip():
            return cls.default()
        return cls(Path(data_dir).expanduser().resolve())

    def ensure(self) -> AppPaths:
        """Create the folders and return self. AssetDesk's own folders are private to the user
        (POSIX); the root is made private only when AssetDesk creates it: a folder the user
        chose with --data-dir keeps the permissions the user gave it."""
        created = not self.root.exists()
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        owned = [self.thumbnails, self.logs, self.cache]
        for folder in owned:
            folder.mkdir(mode=0o700, exist_ok=True)
        if os.name == "posix":
            for folder in [self.root] * created + owned:
                folder.chmod(0o700)
        return self
