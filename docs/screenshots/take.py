"""Make the window's screenshots in docs/screenshots: the whole window busy (uploads running, a
download under way, the Library showing a preview and the inspector), Quick Look and the quit
box, at 1280x720, 1600x1000 and 2560x1600 (scale 2), in a light and a dark palette. The panes'
states (docs/screenshots/states) are their GUI tests' renderings:
`ASSETDESK_SHOT_DIR=docs/screenshots/states make test`.

    PYTHONPATH=app python docs/screenshots/take.py [--only NAME]

Each screen runs in a child process (Qt's offscreen platform is given the screen's size and
scale at its start) against the offscreen sandbox, with a throw-away data folder and no keyring.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEMO = HERE.parents[1] / "resources" / "demo"
#: name -> (logical width, logical height, device pixel ratio)
SCREENS = {
    "1280x720": (1280, 720, 1),
    "1600x1000": (1600, 1000, 1),
    "2560x1600-scale2": (1280, 800, 2),
}
PALETTES = ("light", "dark")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="one screen name: " + ", ".join(SCREENS))
    parser.add_argument("--child", nargs=2, metavar=("SCREEN", "PALETTE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return asyncio_child(*args.child)
    failed = 0
    for screen, (width, height, ratio) in SCREENS.items():
        if args.only and args.only != screen:
            continue
        with tempfile.TemporaryDirectory() as scratch:
            config = Path(scratch) / "screen.json"
            config.write_text(json.dumps({"screens": [_screen(width, height, ratio)]}))
            env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}")
            for palette in PALETTES:
                done = subprocess.run(
                    [sys.executable, __file__, "--child", screen, palette], env=env, check=False
                )
                failed += done.returncode != 0
                print(f"{screen} {palette}: {'ok' if done.returncode == 0 else 'FAILED'}")
    return 1 if failed else 0


def _screen(width: int, height: int, ratio: int) -> dict[str, object]:
    return {
        "name": "Screen",
        "x": 0,
        "y": 0,
        "width": width,
        "height": height,
        "logicalDpi": 96,
        "logicalBaseDpi": 96,
        "dpr": ratio,
    }


def asyncio_child(screen: str, palette: str) -> int:
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication([sys.argv[0]])
    app.setStyle("Fusion")
    app.setQuitOnLastWindowClosed(False)
    if palette == "dark":
        app.setPalette(_dark_palette())
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        return loop.run_until_complete(_scene(screen, palette))


def _dark_palette():  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QColor, QPalette

    palette = QPalette()
    roles = QPalette.ColorRole
    for role, colour in (
        (roles.Window, "#2b2b2b"),
        (roles.WindowText, "#e6e6e6"),
        (roles.Base, "#1e1e1e"),
        (roles.AlternateBase, "#262626"),
        (roles.Text, "#e6e6e6"),
        (roles.Button, "#353535"),
        (roles.ButtonText, "#e6e6e6"),
        (roles.Highlight, "#2f65ca"),
        (roles.HighlightedText, "#ffffff"),
        (roles.ToolTipBase, "#353535"),
        (roles.ToolTipText, "#e6e6e6"),
        (roles.PlaceholderText, "#8a8a8a"),
        (roles.Light, "#505050"),
        (roles.Midlight, "#404040"),
        (roles.Mid, "#5a5a5a"),
        (roles.Dark, "#202020"),
        (roles.Link, "#7aa7ff"),
    ):
        palette.setColor(role, QColor(colour))
    disabled = QPalette.ColorGroup.Disabled
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        palette.setColor(disabled, role, QColor("#7a7a7a"))
    return palette


async def _scene(screen: str, palette: str) -> int:
    import keyring.backends.fail

    from assetdesk.sandbox.launcher import SandboxProcess
    from assetdesk.services.app import build_services
    from assetdesk.store.paths import AppPaths
    from assetdesk.store.secrets import SecretStore
    from assetdesk.ui.main_window import MainWindow
    from assetdesk.ui.tasks import BackgroundTasks

    sandbox = SandboxProcess.start(control=True)
    scratch = Path(tempfile.mkdtemp(prefix="assetdesk-shots-"))
    paths = AppPaths(scratch / "data")
    paths.ensure()
    services = build_services(paths, secrets=SecretStore(keyring.backends.fail.Keyring()))
    tasks = BackgroundTasks()
    try:
        demo = sandbox.demo
        await services.accounts.add_session_account(
            name="Studio", kind="useapi", base_url=sandbox.api_url, secret=demo["useapi_token"]
        )
        await services.accounts.add_session_account(
            name="Studio Wordbee",
            kind="wordbee",
            base_url=sandbox.wordbee_url,
            secret=demo["wordbee_key"],
            wordbee_account_id=str(demo["wordbee_account_id"]),
        )
        window = MainWindow(services, tasks)
        available = window.screen().availableGeometry()
        window.setGeometry(available)
        window.show()
        await window.accounts_pane.reload()
        await window.uploads_pane.activate()
        window.accounts_pane.test_all()
        window.library_pane.refresher.start()
        await window.library_pane.refresher.wait()
        await window.library_pane.reload()
        await _busy(window, sandbox, scratch)
        out = HERE / f"window-{screen}-{palette}.png"
        window.grab().save(str(out))
        print(out)
        window.library_pane.open_quick_look()
        await asyncio.sleep(1.5)
        _save_over(window, window.library_pane.quick_look, f"quick-look-{screen}-{palette}")
        if window.library_pane.quick_look is not None:
            window.library_pane.quick_look.close()
        box = window.request_quit()  # uploads and a download run: it asks first
        await asyncio.sleep(0.5)
        _save_over(window, box, f"quit-box-{screen}-{palette}")
        if box is not None:
            box.close()
        window.close()
        return 0
    finally:
        await tasks.aclose()
        await services.aclose()
        sandbox.stop()


def _save_over(window, top, name: str) -> None:  # type: ignore[no-untyped-def]
    """The window with `top` (a window of its own over it) painted where it shows."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QPainter

    shot = window.grab()
    if top is not None and top.isVisible():
        painter = QPainter(shot)
        painter.drawPixmap(
            top.mapToGlobal(QPoint(0, 0)) - window.mapToGlobal(QPoint(0, 0)), top.grab()
        )
        painter.end()
    out = HERE / f"{name}.png"
    shot.save(str(out))
    print(out)


async def _busy(window, sandbox, scratch: Path) -> None:  # type: ignore[no-untyped-def]
    """Two uploads whose answers are slow, two queued, a download stalled half way, and the
    Library's first image selected (previewed, inspected)."""
    import shutil
    from urllib.parse import urlsplit

    sources = scratch / "shoot"
    sources.mkdir()
    names = ("sunrise-640x360.png", "bars-800x450.jpg", "clip-320x180.mp4", "swatch-256x256.png")
    for name in names:
        shutil.copy(DEMO / name, sources / name)
    sandbox.fault("api", "/v1/google-flow/assets*", method="POST", count=4, latency=60)
    window.uploads_pane.add_paths([sources / name for name in names])
    library = window.library_pane
    assets = library.model.assets_of_rows(range(library.model.rowCount()))
    video = next((a for a in assets if a.kind == "video"), None)
    image = next((a for a in assets if a.kind == "image" and a.width), assets[0])
    if video is not None:  # its download stalls half way (the link's path, not the others')
        link = await library._library.signed_link(video)
        path = urlsplit(link.url).path
        sandbox.fault("storage", path, count=5, stall_after_bytes=9_000, stall_seconds=60)
        (scratch / "downloads").mkdir()
        library.download_jobs.save_to_folder(video, scratch / "downloads")
    library.select_ids({image.id})
    await asyncio.sleep(2.5)


if __name__ == "__main__":
    sys.exit(main())
