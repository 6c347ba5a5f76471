"""What can be checked here of the recipes that cannot run here (Windows, macOS, the release
workflow), and the lint of the Linux one."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
SCRIPTS = [PACKAGING / "linux" / "build.sh", PACKAGING / "macos" / "build.sh"]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.parent.name)
def test_shell_scripts_parse_and_pass_shellcheck(script: Path) -> None:
    subprocess.run(["sh", "-n", str(script)], check=True)
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck is not installed (make test installs it)")
    done = subprocess.run(["shellcheck", str(script)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


def test_the_spec_is_python_and_names_what_it_leaves_out() -> None:
    source = (PACKAGING / "assetdesk.spec").read_text()
    ast.parse(source)
    for module in ("PySide6.QtWebEngineCore", "PySide6.QtQuick", "PySide6.QtQml"):
        assert f'"{module}"' in source
    assert "keyring.backends.SecretService" in source and "keyring.backends.Windows" in source
    assert 'copy_metadata("assetdesk")' in source  # the version, from pyproject


def test_the_desktop_entry_is_valid() -> None:
    entry = PACKAGING / "linux" / "assetdesk.desktop"
    if shutil.which("desktop-file-validate") is None:
        pytest.skip("desktop-file-validate is not installed (make test installs it)")
    done = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_windows_installer_is_per_user_with_a_start_menu_entry_and_an_uninstaller() -> None:
    iss = (PACKAGING / "windows" / "assetdesk.iss").read_text()
    assert "PrivilegesRequired=lowest" in iss
    assert re.search(r"DefaultDirName=\{localappdata\}", iss)
    assert '{group}\\AssetDesk"; Filename: "{app}\\assetdesk.exe"' in iss
    assert "{uninstallexe}" in iss
    build = (PACKAGING / "windows" / "build.ps1").read_text()
    assert "--self-test" in build and "iscc" in build


def test_the_release_workflow_builds_all_three_on_their_own_runners_on_a_tag() -> None:
    workflow = (ROOT / ".github" / "workflows" / "release.yml").read_text()
    assert 'tags: ["v*"]' in workflow
    for runner, script in (
        ("ubuntu-", "packaging/linux/build.sh"),
        ("windows-", "packaging/windows/build.ps1"),
        ("macos-", "packaging/macos/build.sh"),
    ):
        assert f"runs-on: {runner}" in workflow and script in workflow
    assert "\t" not in workflow  # YAML: spaces only
