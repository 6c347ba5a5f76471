"""The Linux package, built here as a user's machine would get it: packaging/linux/build.sh, the
.deb unpacked into a scratch root (`dpkg -x`), and the installed binary's `--self-test` run
offscreen. Prints the bundle's size; the target is under 200 MB unpacked."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIMIT_MB = 200

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not sys.platform.startswith("linux") or shutil.which("dpkg-deb") is None,
        reason="the .deb is built on Debian-like Linux only",
    ),
]


def folder_size(path: Path) -> int:
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("package")
    env = dict(os.environ, PYTHON=sys.executable, OUT=str(work / "out"))
    env.update(WORK=str(work / "work"), COMPRESS="fast")
    done = subprocess.run(
        ["sh", str(ROOT / "packaging" / "linux" / "build.sh")],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    deb, tarball = (Path(line) for line in done.stdout.split())
    root = work / "root"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    return {"deb": deb, "tarball": tarball, "root": root}


def test_the_installed_binary_passes_its_self_test(built: dict[str, Path], tmp_path: Path) -> None:
    binary = built["root"] / "opt" / "assetdesk" / "assetdesk"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSETDESK_", "PYTHON"))}
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path), TMPDIR=str(tmp_path))
    done = subprocess.run(
        [str(binary), "--self-test"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert done.stdout.splitlines()[-1] == "self-test: passed"
    assert "Traceback" not in done.stderr
    shown = subprocess.run([str(binary), "--version"], capture_output=True, text=True, env=env)
    assert shown.stdout.strip() == f"AssetDesk {version('assetdesk')}"


def test_the_bundle_is_small_and_lists_what_it_left_out(built: dict[str, Path]) -> None:
    bundle = built["root"] / "opt" / "assetdesk"
    size_mb = folder_size(bundle) / 1e6
    deb_mb = built["deb"].stat().st_size / 1e6
    print(f"\nLinux bundle: {size_mb:.0f} MB unpacked, .deb {deb_mb:.0f} MB (gzip -1)")
    assert size_mb < LIMIT_MB, f"the bundle is {size_mb:.0f} MB; the target is {LIMIT_MB} MB"
    assert not [p for p in bundle.rglob("*") if p.is_symlink() and not p.exists()], "dangling links"
    libs = {p.name for p in bundle.rglob("*.so*")}
    for unused in ("libQt6WebEngineCore", "libQt6Quick", "libQt6Qml.", "libQt6Pdf", "libgtk-3"):
        assert not any(name.startswith(unused) for name in libs), f"{unused} is in the bundle"
    assert any(name.startswith("libQt6Widgets") for name in libs)
    assert (bundle / "_internal" / "resources" / "demo" / "sunrise-640x360.png").is_file()


def test_the_package_installs_a_launcher_an_icon_and_its_dependencies(
    built: dict[str, Path],
) -> None:
    root = built["root"]
    launcher = root / "usr" / "bin" / "assetdesk"
    assert launcher.is_symlink() and str(launcher.readlink()) == "/opt/assetdesk/assetdesk"
    desktop = (root / "usr" / "share" / "applications" / "assetdesk.desktop").read_text()
    assert "Exec=assetdesk %F\n" in desktop and "Icon=assetdesk\n" in desktop
    assert (
        root / "usr" / "share" / "icons" / "hicolor" / "256x256" / "apps" / "assetdesk.png"
    ).is_file()
    fields = subprocess.run(
        ["dpkg-deb", "-f", str(built["deb"]), "Package", "Version", "Depends"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"Version: {version('assetdesk')}" in fields
    for needed in ("libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libpulse0"):
        assert needed in fields
    listed = subprocess.run(
        ["tar", "-tzf", str(built["tarball"])], capture_output=True, text=True, check=True
    ).stdout.split()
    assert "AssetDesk/assetdesk" in listed
