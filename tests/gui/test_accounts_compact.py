"""The Accounts pane made compact for a window of three panes (issue 15): health dots, a pane
240 px wide, Add without a keyring, Test all, and banners that do not move what is under them
(the dialog's Test is in test_accounts_dialog.py). Real services, the sandbox over HTTP, the
real keyring under `make test`. With ASSETDESK_SHOT_DIR set, renderings are saved there as
h4-*.png."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring.backends.fail
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from assetdesk.sandbox.launcher import SandboxProcess
from assetdesk.services.app import AppServices, build_services
from assetdesk.store.paths import AppPaths
from assetdesk.store.secrets import SecretStore
from assetdesk.ui.accounts.delegate import PAD, dot_colour
from assetdesk.ui.accounts.dialog import AccountDialog
from assetdesk.ui.accounts.model import AccountRole
from assetdesk.ui.accounts.pane import AccountsPane
from assetdesk.ui.accounts.store_choice import SESSION_ONLY_CHOICE
from assetdesk.ui.style import follow_palette
from assetdesk.ui.tasks import BackgroundTasks
from assetdesk.ui.widgets.colours import contrast_ratio

REAL_KEYRING = os.environ.get("ASSETDESK_TEST_KEYRING") == "secret-service"
needs_keyring = pytest.mark.skipif(
    not REAL_KEYRING, reason="needs the Secret Service of `make test` (ASSETDESK_TEST_KEYRING)"
)


def light_palette() -> QPalette:
    return QPalette(QColor("#efefef"))


def dark_palette() -> QPalette:
    dark = QPalette(QColor("#2b2b2b"))
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    return dark


PALETTES = {"light": light_palette, "dark": dark_palette}


@pytest.fixture
def app_palette(qapp: QApplication) -> Iterator[None]:
    before = QGuiApplication.palette()
    yield
    QApplication.setPalette(before)


def shot(widget: QWidget, name: str, tmp_path: Path) -> None:
    QApplication.processEvents()
    folder = Path(os.environ.get("ASSETDESK_SHOT_DIR") or tmp_path)
    assert widget.grab().save(str(folder / f"accounts-{name}.png"))


def open_pane(
    qtbot: QtBot, services: AppServices, tasks: BackgroundTasks, arun: Any, size=(240, 600)
) -> AccountsPane:
    pane = AccountsPane(services.accounts, tasks, redactor=services.redactor)
    qtbot.addWidget(pane)
    follow_palette(pane)
    pane.setAutoFillBackground(True)
    pane.resize(*size)
    pane.show()
    qtbot.waitExposed(pane)
    arun(pane.reload())
    return pane


def index_of(pane: AccountsPane, name: str) -> Any:
    model = pane.model
    for row in range(model.rowCount()):
        if model.index(row, 0).data(AccountRole.NAME) == name:
            return model.index(row, 0)
    raise AssertionError(f"no row named {name!r}")


def state(pane: AccountsPane, name: str) -> str:
    return str(index_of(pane, name).data(AccountRole.HEALTH_STATE))


def fill(qtbot: QtBot, field: QLineEdit, text: str) -> None:
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    qtbot.keyClicks(field, text)


def checked_alone(pane: AccountsPane, qtbot: QtBot, name: str, target: str) -> None:
    pane.view.setCurrentIndex(index_of(pane, name))
    qtbot.mouseClick(pane.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: state(pane, name) == target, timeout=15_000)


def dot_pixel(pane: AccountsPane, name: str) -> QColor:
    """The colour painted at the centre of the row's dot."""
    rect = pane.view.visualRect(index_of(pane, name))
    line = pane.view.fontMetrics().lineSpacing()
    image = pane.view.viewport().grab().toImage()
    ratio = image.devicePixelRatio()
    centre = QPoint(rect.left() + PAD + 5, rect.top() + PAD + line // 2)
    return image.pixelColor(int(centre.x() * ratio), int(centre.y() * ratio))


@pytest.mark.usefixtures("app_palette")
@pytest.mark.parametrize("theme", PALETTES)
def test_the_dots_say_each_state_in_colour_and_words(
    qtbot: QtBot,
    services: AppServices,
    tasks: BackgroundTasks,
    sandbox_accounts: list[Any],
    sb: SandboxProcess,
    arun: Any,
    tmp_path: Path,
    theme: str,
) -> None:
    QApplication.setPalette(PALETTES[theme]())
    for name, token in (("Refused", "user:1001-NotTheRealToken99"), ("Throttled", None)):
        arun(
            services.accounts.add_session_account(
                name=name,
                kind="useapi",
                base_url=sb.api_url,
                secret=token or sb.demo["useapi_token"],
            )
        )
    pane = open_pane(qtbot, services, tasks, arun, size=(240, 640))
    checked_alone(pane, qtbot, "Sandbox", "valid")
    checked_alone(pane, qtbot, "Refused", "invalid")
    sb.fault("api", "/v2/account", status=429, headers={"Retry-After": "600"}, count=5)
    checked_alone(pane, qtbot, "Throttled", "throttled")
    sb.clear_faults()
    # The Wordbee account is left untested.
    words = {
        name: str(index_of(pane, name).data(AccountRole.HEALTH_SHORT))
        for name in ("Sandbox", "Refused", "Throttled", "Sandbox Wordbee")
    }
    assert words["Sandbox"] == "Connected"
    assert words["Refused"] == "Refused"
    assert words["Throttled"].startswith("Throttled until ")
    hh, mm = words["Throttled"].removeprefix("Throttled until ").split(":")
    assert len(hh) == 2 and len(mm) == 2
    assert words["Sandbox Wordbee"] == "Not tested"

    pane.view.clearSelection()
    pane.view.setCurrentIndex(pane.model.index(-1, -1))
    assert not pane.panel.isVisible()  # no account chosen: no details
    QApplication.processEvents()
    pane.view.scrollToTop()
    palette = pane.view.palette()
    base = palette.color(QPalette.ColorRole.Base)
    painted = {name: dot_pixel(pane, name) for name in words}
    hues = {name: colour.hslHue() for name, colour in painted.items()}
    assert 90 <= hues["Sandbox"] <= 150, "connected: green"
    assert 20 <= hues["Throttled"] <= 50, "throttled: amber"
    assert hues["Refused"] <= 10 or hues["Refused"] >= 350, "refused: red"
    assert painted["Sandbox Wordbee"].hslSaturation() < 40, "untested: grey"
    for name, colour in painted.items():
        assert colour == dot_colour(state(pane, name), palette)
        assert contrast_ratio(colour, base) >= 3.0, f"{name}'s dot stands out from the list"
    shot(pane, f"dots-{theme}", tmp_path)


def inside(widget: QWidget, pane: QWidget) -> bool:
    """`widget` is shown whole inside `pane` and not squeezed below its smallest size."""
    top_left = widget.mapTo(pane, QPoint(0, 0))
    rect = widget.rect().translated(top_left)
    hint = widget.minimumSizeHint()
    return (
        widget.isVisible()
        and pane.rect().contains(rect)
        and rect.width() >= hint.width()
        and rect.height() >= hint.height()
    )


@pytest.mark.usefixtures("app_palette")
@pytest.mark.parametrize("theme", PALETTES)
def test_at_240_by_600_every_button_is_whole_inside_the_pane(
    qtbot: QtBot,
    services: AppServices,
    tasks: BackgroundTasks,
    sandbox_accounts: list[Any],
    arun: Any,
    tmp_path: Path,
    theme: str,
) -> None:
    QApplication.setPalette(PALETTES[theme]())
    pane = open_pane(qtbot, services, tasks, arun)
    assert pane.width() == 240 and pane.height() == 600
    # The details of a tested useapi.net account are the longest.
    checked_alone(pane, qtbot, "Sandbox", "valid")
    qtbot.waitUntil(lambda: pane.details.isVisible())
    buttons = [
        pane.add_button,
        pane.test_all_button,
        pane.edit_button,
        pane.test_button,
        pane.remove_button,
        pane.panel.fold_button,
    ]
    for button in buttons:
        assert inside(button, pane), button.text() or button.objectName()
    assert inside(pane.view, pane) and pane.view.height() >= 2 * pane.view.sizeHintForRow(0)
    shot(pane, f"pane-240-{theme}", tmp_path)

    # The details scroll when longer than their room; scrolled to, the last one is whole.
    def scrolled_to_whole() -> bool:
        pane.panel.body_scroll.ensureWidgetVisible(pane.details.default_email)
        return inside(pane.details.default_email, pane.panel.body_scroll.viewport())

    qtbot.waitUntil(scrolled_to_whole)
    shot(pane, f"pane-240-scrolled-{theme}", tmp_path)
    # Folded, the details give their room back to the list.
    list_height = pane.view.height()
    qtbot.mouseClick(pane.panel.fold_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pane.view.height() > list_height)
    assert not pane.details.isVisible() and inside(pane.test_button, pane)
    shot(pane, f"pane-240-folded-{theme}", tmp_path)


@pytest.fixture
def keyless_services(app_paths: AppPaths, arun: Any) -> Iterator[AppServices]:
    built = build_services(app_paths, secrets=SecretStore(keyring.backends.fail.Keyring()))
    yield built
    arun(built.aclose())


def test_add_without_a_keyring_says_why_and_offers_the_choice(
    qtbot: QtBot,
    keyless_services: AppServices,
    tasks: BackgroundTasks,
    arun: Any,
    tmp_path: Path,
) -> None:
    services = keyless_services
    pane = open_pane(qtbot, services, tasks, arun)
    problem = services.accounts.secret_store_problem
    assert problem
    assert pane.add_button.isEnabled() and pane.add_action.isEnabled()
    assert pane.add_button.toolTip().startswith(problem)
    assert "this session only" in pane.add_button.toolTip()
    assert inside(pane.banner.session_button, pane)
    shot(pane, "no-keyring", tmp_path)

    # Cancel: nothing changes.
    qtbot.mouseClick(pane.add_button, Qt.MouseButton.LeftButton)
    box = pane.store_choice
    assert box is not None and box.isVisible() and pane.dialog is None
    assert problem in box.informativeText() and "never on disk" in box.informativeText()
    shot(box, "no-keyring-choice", tmp_path)
    box.reject()
    qtbot.waitUntil(lambda: pane.store_choice is None)
    assert services.accounts.secret_store_problem == problem and pane.dialog is None

    # Keep for this session only: the store changes, then the dialog opens.
    pane.add_action.trigger()
    box = pane.store_choice
    assert box is not None
    keep = next(b for b in box.buttons() if b.text() == SESSION_ONLY_CHOICE)
    qtbot.mouseClick(keep, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pane.dialog is not None and pane.dialog.isVisible())
    assert services.accounts.secret_store_problem is None
    assert services.accounts.secret_store_where == "this session only"
    assert not pane.banner.session_button.isVisible()
    assert pane.add_button.toolTip().startswith("Add a useapi.net token")
    qtbot.waitUntil(lambda: "accounts.reload" not in tasks.names())  # the list read again


def open_add_dialog(qtbot: QtBot, pane: AccountsPane) -> AccountDialog:
    qtbot.mouseClick(pane.add_button, Qt.MouseButton.LeftButton)
    dialog = pane.dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_test_all_checks_every_account(
    qtbot: QtBot,
    services: AppServices,
    tasks: BackgroundTasks,
    sandbox_accounts: list[Any],
    sb: SandboxProcess,
    arun: Any,
) -> None:
    pane = open_pane(qtbot, services, tasks, arun)
    assert pane.test_all_action.isEnabled()
    qtbot.mouseClick(pane.test_all_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: state(pane, "Sandbox") == "valid" and state(pane, "Sandbox Wordbee") == "valid",
        timeout=15_000,
    )
    assert sb.requests("wordbee") and "/v2/account" in [r["path"] for r in sb.requests("api")]


def test_a_banner_does_not_move_what_is_under_it(
    qtbot: QtBot,
    services: AppServices,
    tasks: BackgroundTasks,
    sandbox_accounts: list[Any],
    arun: Any,
    tmp_path: Path,
) -> None:
    pane = open_pane(qtbot, services, tasks, arun)
    below = [pane.add_button, pane.view, pane.edit_button, pane.banner.store_label]

    def places() -> list[QPoint]:
        QApplication.processEvents()
        return [widget.mapTo(pane, QPoint(0, 0)) for widget in below]

    before = places()
    pane.notice.show_message(
        "“Studio” was removed, but the keyring did not answer, so its secret may still be there "
        "(under “AssetDesk”).",
        "warning",
    )
    assert pane.notice.isVisible() and places() == before
    # It lies over the top of the pane, whole and in front.
    assert pane.rect().contains(pane.notice.geometry())
    assert pane.notice.height() >= pane.notice.heightForWidth(pane.notice.width())
    shot(pane, "banner-over-the-title", tmp_path)
    pane.resize(300, 600)
    QApplication.processEvents()
    assert pane.notice.width() == 300 - 32  # follows the pane's width, inside its margins
    qtbot.mouseClick(pane.notice, Qt.MouseButton.LeftButton)  # a click closes it
    assert not pane.notice.isVisible()

    # In the dialog: an error under a field and the banner keep their room while empty.
    dialog = open_add_dialog(qtbot, pane)
    fields = [dialog.base_url, dialog.secret, dialog.save_button]
    spots = [field.mapTo(dialog, QPoint(0, 0)) for field in fields]
    qtbot.keyClicks(dialog.name, "x")
    fill(qtbot, dialog.name, "")
    assert dialog.errors["name"].isVisible()
    dialog.notice.show_message("A name already taken.", "error")
    QApplication.processEvents()
    assert [field.mapTo(dialog, QPoint(0, 0)) for field in fields] == spots
