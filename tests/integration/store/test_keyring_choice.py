"""Only the operating systems' keyrings are used: a file-based backend that keyring picks, by
PYTHON_KEYRING_BACKEND or as an installed plugin (the way keyrings.alt is found), is named and
treated as no keyring, and nothing reaches its file; beside the Secret Service, such a plugin is
passed over for it.

The backends are real (file_keyring_child.py: a JSON file each), chosen by keyring itself in a
child process, as the app's own start-up chooses.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
SECRET = "user:4242-FileKeyringMustNotHoldThis1"


def run_child(
    tmp_path: Path, *, extra_path: Path | None = None, without: tuple[str, ...] = (), **env: str
) -> dict[str, Any]:
    files = tmp_path / "keyring-files"
    files.mkdir(exist_ok=True)
    dropped = ("PYTHON_KEYRING", "ASSETDESK_", *without)
    full = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    path = [str(HERE), *([str(extra_path)] if extra_path else []), full.get("PYTHONPATH", "")]
    full.update(
        PYTHONPATH=os.pathsep.join(p for p in path if p),
        FILE_KEYRING_PATH=str(files),
        XDG_CONFIG_HOME=str(tmp_path / "config"),  # no keyringrc.cfg of the user's
        **env,
    )
    done = subprocess.run(
        [sys.executable, "-c", "import file_keyring_child as child; child.main()"],
        capture_output=True,
        text=True,
        env=full,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    report["files"] = {p.name: p.read_text("utf-8") for p in files.iterdir()}
    return report


def installed_plugin(tmp_path: Path) -> Path:
    """A folder that, on sys.path, is an installed distribution whose `keyring.backends` entry
    point loads the file backends: how keyring finds keyrings.alt."""
    site = tmp_path / "site"
    info = site / "file_keyrings-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: file-keyrings\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[keyring.backends]\nfiles = file_keyring_child\n")
    return site


def assert_refused(report: dict[str, Any], names: str, verb: str) -> None:
    assert report["available"] is False and report["has_backend"] is False
    assert report["reason"] == f"Found {names}, which {verb} secrets in a file: not used."
    assert f"found {names}, which {verb} secrets in a file: not used" in report["set_error"]
    assert "session only" in report["set_error"]
    assert report["files"] == {}  # nothing was written, not even read into being
    assert report["session_only_works"] is True


def test_a_file_keyring_chosen_by_environment_is_named_and_not_used(tmp_path: Path) -> None:
    report = run_child(tmp_path, PYTHON_KEYRING_BACKEND="file_keyring_child.PlaintextFileKeyring")
    assert report["backend"] == "PlaintextFileKeyring"
    assert_refused(report, "PlaintextFileKeyring", "keeps")


def test_file_keyring_plugins_without_a_system_keyring_are_not_used(tmp_path: Path) -> None:
    """No session bus, so no Secret Service: keyring chains the two file plugins."""
    plugin = installed_plugin(tmp_path)
    report = run_child(tmp_path, extra_path=plugin, without=("DBUS_SESSION_BUS_ADDRESS",))
    assert report["backend"] == "ChainerBackend"
    assert_refused(report, "PlaintextFileKeyring and ObscuredFileKeyring", "keep")


@pytest.mark.keyring
def test_beside_the_secret_service_a_file_plugin_is_passed_over(
    tmp_path: Path, secret_service: object
) -> None:
    report = run_child(tmp_path, extra_path=installed_plugin(tmp_path))
    assert report["backend"] == "Keyring" and report["backend_name"] == "Secret Service"
    assert report["available"] is True and report["reason"] is None
    assert report["read_back"] is True  # kept in the Secret Service, then deleted
    assert report["files"] == {}
