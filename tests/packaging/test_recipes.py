"""What can be checked here of the recipes that cannot run here (Windows, macOS, the release
workflow), and the lint of the Linux one."""

from __future__ import annotations

import ast
import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from assetdesk.core.provider import Provider
from assetdesk.core.upload_rules import rules_for

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


def uploadable_types() -> list[tuple[str, tuple[str, ...]]]:
    """Every type some upload target takes: its MIME type and its extensions."""
    found = {m.mime.lower(): m.extensions for p in Provider for m in rules_for(p).accepted}
    assert "image/png" in found and "audio/flac" in found and "video/x-matroska" in found
    return sorted(found.items())


def test_the_desktop_entry_opens_files_of_every_type_an_upload_target_takes() -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys keep their case
    parser.read(PACKAGING / "linux" / "assetdesk.desktop", encoding="utf-8")
    entry = parser["Desktop Entry"]
    # %F: the files chosen ("Open with", a drop on the launcher), as local paths.
    assert entry["Exec"].split() == ["assetdesk", "%F"]
    listed = entry["MimeType"].split(";")
    assert listed[-1] == ""  # a list ends with ';'
    missing = [mime for mime, _ in uploadable_types() if mime not in listed]
    assert missing == []


def test_the_macos_bundle_offers_to_open_images_films_and_sound() -> None:
    source = (PACKAGING / "assetdesk.spec").read_text()
    (assignment,) = [
        node
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign)
        and [getattr(t, "id", None) for t in node.targets] == ["INFO_PLIST"]
    ]
    plist = eval(compile(ast.Expression(assignment.value), "spec", "eval"), {})
    documents = plist["CFBundleDocumentTypes"]
    assert sorted(t for d in documents for t in d["LSItemContentTypes"]) == [
        "public.audio",
        "public.image",
        "public.movie",
    ]
    assert {d["LSHandlerRank"] for d in documents} == {"Alternate"}  # never the default
    assert "info_plist=INFO_PLIST" in source


def test_the_windows_installer_adds_assetdesk_to_open_with_for_every_uploadable_type() -> None:
    iss = (PACKAGING / "windows" / "assetdesk.iss").read_text()
    registry = iss.split("[Registry]", 1)[1].split("\n[", 1)[0]
    command = 'ValueData: """{app}\\assetdesk.exe"" ""%1"""'
    app_key = 'Subkey: "Software\\Classes\\Applications\\assetdesk.exe'
    assert (
        f'{app_key}\\shell\\open\\command"; ValueType: string; ValueName: ""; {command}' in registry
    )
    assert 'Subkey: "Software\\Classes\\AssetDesk.Media\\shell\\open\\command"' in registry
    for _mime, extensions in uploadable_types():
        for ext in extensions:
            assert f'{app_key}\\SupportedTypes"; ValueType: string; ValueName: "{ext}"' in registry
            assert (
                f'Subkey: "Software\\Classes\\{ext}\\OpenWithProgids"; ValueType: string; '
                'ValueName: "AssetDesk.Media"; ValueData: ""; Flags: uninsdeletevalue'
            ) in registry
    assert "ChangesAssociations=yes" in iss


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
