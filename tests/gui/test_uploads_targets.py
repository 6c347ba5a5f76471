"""The Uploads pane's targets on the real window, offscreen, against the sandbox: the row for each
service (and that it fits 1280 px), Runway's several accounts, the last target kept across starts,
waiting items moved and checked again when the target changes, retry to the item's own target,
an upload whose answer was lost (checked on the service, or sent again after asking), and
uploads to Runway and Wordbee showing in the Library."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from PySide6.QtCore import QPoint, QSettings, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QStyle,
    QStyleOptionComboBox,
    QWidget,
)
from pytestqt.qtbot import QtBot
from tests.helpers.library_rows import listed_assets
from tests.helpers.main_window import Pane, open_window
from tests.helpers.media_files import DEMO, MEDIA

from assetdesk.core.ids import RunwayAssetId, WordbeeScope, wordbee_key
from assetdesk.core.provider import Provider
from assetdesk.core.upload_rules import rules_for
from assetdesk.services.app import AppServices
from assetdesk.services.upload_items import ItemState, UploadItem, UploadTarget
from assetdesk.ui.main_window import MainWindow
from assetdesk.ui.tasks import BackgroundTasks
from assetdesk.ui.uploads.model import Column
from assetdesk.ui.uploads.pane import UploadsPane
from assetdesk.ui.uploads.target_picker import ONLY_RUNWAY
from assetdesk.ui.widgets.colours import ERROR_COLOUR

WIDE = (1280, 760)
JO = "jo.demo@gmail.com"


def choose(pane: UploadsPane, provider: Provider) -> None:
    """Pick the service in the row's first combo, as a click on its entry would."""
    combo = pane.picker.service_combo
    combo.setCurrentIndex(combo.findData(provider.value))


def type_into(field: QLineEdit, text: str) -> None:
    """Type `text` into `field` (replacing what it holds), then Enter."""
    field.setFocus()
    field.selectAll()
    QTest.keyClick(field, Qt.Key.Key_Backspace)
    QTest.keyClicks(field, text)
    QTest.keyClick(field, Qt.Key.Key_Return)


def name_segment(pane: UploadsPane, scope: str, segment: int, locale: str, folder: str) -> None:
    fields = pane.picker.wordbee
    line = fields.project_combo.lineEdit()
    assert line is not None
    type_into(line, scope)
    type_into(fields.segment, str(segment))
    type_into(fields.locale_field, locale)
    type_into(fields.folder_field, folder)


def shown(pane: UploadsPane, name: str) -> dict[str, str]:
    row = pane.model.row_of(item_named(pane, name).id)
    return {c.name.lower(): str(pane.model.index(row, c).data() or "") for c in Column}


def item_named(pane: UploadsPane, name: str) -> UploadItem:
    for item in pane._queue.items:
        if item.row.name == name:
            return item
    raise AssertionError(f"no row named {name!r}")


def select(pane: UploadsPane, name: str) -> None:
    pane.view.clearSelection()
    pane.view.selectRow(pane.model.row_of(item_named(pane, name).id))


def ended(pane: UploadsPane, *names: str) -> bool:
    pane.repaint_progress()
    items = [item_named(pane, name) for name in names]
    return all(
        i.state not in (ItemState.PENDING, ItemState.UPLOADING) and not i.task for i in items
    )


def posts(sb: Any, prefix: str) -> list[dict[str, Any]]:
    return [r for r in sb.requests("api") if r["method"] == "POST" and r["path"].startswith(prefix)]


def row_widgets(pane: UploadsPane) -> list[list[QWidget]]:
    """The visible widgets of the target rows (where to, the service's own choice), each row
    left to right."""
    picker = pane.picker
    found = [
        w
        for w in picker.findChildren(QWidget)
        if w.isVisible()
        and w.parent() in (picker, picker.wordbee)
        and w is not picker.limits
        and w is not picker.wordbee
    ]
    rows: dict[int, list[QWidget]] = {}
    for widget in found:
        middle = widget.mapTo(picker, QPoint(0, widget.height() // 2)).y()
        line = next((y for y in rows if abs(y - middle) < widget.height() // 2 + 1), middle)
        rows.setdefault(line, []).append(widget)
    return [
        sorted(row, key=lambda w: w.mapTo(picker, QPoint(0, 0)).x())
        for _, row in sorted(rows.items())
    ]


def shown_whole(combo: QComboBox) -> QSize:
    """The size `combo` needs to show its current text uncut, as its style measures it."""
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    text = combo.fontMetrics().horizontalAdvance(combo.currentText())
    return combo.style().sizeFromContents(
        QStyle.ContentsType.CT_ComboBox, option, QSize(text, combo.height()), combo
    )


def assert_fits(pane: UploadsPane) -> None:
    """Nothing of the rows is squeezed below its size, overlaps its neighbour or runs off."""
    picker = pane.picker
    for row in row_widgets(pane):
        right = 0
        for widget in row:
            left = widget.mapTo(picker, QPoint(0, 0)).x()
            assert left >= right, f"{widget.objectName() or widget} overlaps its left neighbour"
            hint = widget.sizeHint() if isinstance(widget, QLabel) else widget.minimumSizeHint()
            # A service or account name is never cut (an email may be: its list shows it whole).
            if widget in (picker.service_combo, picker.account_combo):
                assert isinstance(widget, QComboBox)
                hint = shown_whole(widget)
            assert widget.width() >= hint.width(), f"{widget.objectName() or widget} is clipped"
            right = left + widget.width()
        assert right <= picker.width()


@pytest.fixture
def segment(sb: Any) -> tuple[str, int]:
    return sb.demo["wordbee"]["scope"], int(sb.demo["wordbee"]["segment_ids"][0])


def test_the_row_offers_each_service_and_fits_1280_px(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
    segment: tuple[str, int],
) -> None:
    scope, segment_id = segment
    wordbee = sandbox_accounts[1]
    arun(services.library.follow_wordbee_project(wordbee.id, WordbeeScope.parse(scope)))
    window = open_window(qtbot, services, tasks, arun, Pane.UPLOADS, WIDE)
    pane = window.uploads_pane
    picker = pane.picker
    services_listed = [picker.service_combo.itemText(i) for i in range(3)]
    assert services_listed == ["Google Flow", "Runway", "Wordbee segment"]

    # Google Flow: the token's Google accounts.
    qtbot.waitUntil(lambda: picker.email_combo.count() == 3)
    assert picker.account_combo.currentText() == "Sandbox"
    assert picker.email_label.text() == "Google account"
    assert [picker.email_combo.itemData(i) for i in range(3)] == [
        None,
        *sb.demo["google_flow_emails"],
    ]
    assert picker.limits.text() == rules_for(Provider.GOOGLE_FLOW).limit_text() + "."
    assert picker.limits.text().startswith("Google Flow: PNG, JPEG or WEBP images up to 20 MiB")
    assert_fits(pane)

    # Runway: the token's one Runway account, taken without an email (Runway picks nothing).
    choose(pane, Provider.RUNWAY)
    qtbot.waitUntil(lambda: picker.email_combo.count() == 2)
    assert picker.email_label.text() == "Runway account"
    assert [picker.email_combo.itemText(i) for i in range(2)] == [
        ONLY_RUNWAY,
        "runway.demo@example.com",
    ]
    assert picker.limits.text() == (
        "Runway: images up to 20 MiB, videos up to 500 MiB, audio up to 100 MiB "
        "(AssetDesk's defaults: the service states no limit)."
    )
    assert pane.target() == UploadTarget.runway(sandbox_accounts[0].id, "Sandbox", None)
    assert_fits(pane)

    # Wordbee: the Wordbee account, the projects the Library follows, then the segment.
    choose(pane, Provider.WORDBEE)
    assert picker.account_combo.currentText() == "Sandbox Wordbee"
    assert picker.email_combo.isHidden() and picker.wordbee.isVisible()
    qtbot.waitUntil(lambda: picker.wordbee.project_combo.count() == 1)
    assert picker.wordbee.project_combo.itemText(0) == scope
    assert pane.target() is None
    assert picker.limits.text() == (
        "Wordbee: any file up to 500 MiB (AssetDesk's default: the service states no limit). "
        "Give the id of the Wordbee segment the files go to."
    )
    line = picker.wordbee.project_combo.lineEdit()
    assert line is not None
    type_into(line, "job 12")  # the field takes only what can become pr1234
    assert line.text() == "12"
    assert picker.limits.text().endswith(
        "Name the Wordbee project (pr and its number, like pr7214)."
    )
    name_segment(pane, scope, segment_id, "fr", "refs/day 1")
    assert pane.target() == UploadTarget.wordbee(
        wordbee.id, "Sandbox Wordbee", scope, segment_id, "fr", "refs/day 1"
    )
    assert picker.limits.text() == (
        "Wordbee: any file up to 500 MiB (AssetDesk's default: the service states no limit)."
    )
    assert_fits(pane)


def test_files_dropped_for_an_unnamed_segment_wait_for_it(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.UPLOADS, WIDE)
    pane = window.uploads_pane
    choose(pane, Provider.WORDBEE)
    arun(pane._add([DEMO / "swatch-256x256.png"]))
    assert pane.model.rowCount() == 0
    assert pane.notice.text() == (
        "Nothing was added. Name the Wordbee project (pr and its number, like pr7214)."
    )


def test_a_token_with_several_runway_accounts_names_one(
    qtbot: QtBot, services: AppServices, sb: Any, tasks: BackgroundTasks, arun: Any
) -> None:
    other = arun(
        services.accounts.add_session_account(
            name="Other", kind="useapi", base_url=sb.api_url, secret=sb.demo["other_user_token"]
        )
    )
    arun(services.accounts.set_default_email(other.id, "other.two@example.com"))
    window = open_window(qtbot, services, tasks, arun, Pane.UPLOADS, WIDE)
    pane = window.uploads_pane
    choose(pane, Provider.RUNWAY)
    combo = pane.picker.email_combo
    qtbot.waitUntil(lambda: combo.findData("other.one@example.com") >= 0)
    # No "Automatic": the service needs one named; the account's default is chosen.
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "other.one@example.com",
        "other.two@example.com",
    ]
    assert combo.currentData() == "other.two@example.com"
    arun(pane._add([DEMO / "swatch-256x256.png"]))
    qtbot.waitUntil(lambda: ended(pane, "swatch-256x256.png"), timeout=15_000)
    item = item_named(pane, "swatch-256x256.png")
    assert item.state is ItemState.DONE
    (post,) = posts(sb, "/v1/runwayml/assets")
    assert parse_qs(post["query"])["email"] == ["other.two@example.com"]
    assert RunwayAssetId.parse(item.row.remote_id or "").email == "other.two@example.com"
    assert shown(pane, "swatch-256x256.png")["target"] == "Runway"


def test_the_last_target_is_chosen_again_at_the_next_start(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    tasks: BackgroundTasks,
    arun: Any,
    segment: tuple[str, int],
    tmp_path: Path,
) -> None:
    scope, segment_id = segment
    settings_file = str(tmp_path / "settings.ini")
    owners: list[BackgroundTasks] = []

    def start() -> MainWindow:
        """A window as the app opens it at a start (its own task owner, its settings file)."""
        settings = QSettings(settings_file, QSettings.Format.IniFormat)
        owner = BackgroundTasks()
        owners.append(owner)
        window = MainWindow(services, owner, settings=settings)
        qtbot.addWidget(window)
        window.resize(*WIDE)
        window.show()
        arun(window.uploads_pane.activate())
        return window

    first = start()
    pane = first.uploads_pane
    assert pane.target() == UploadTarget.google_flow(sandbox_accounts[0].id, "Sandbox")
    choose(pane, Provider.WORDBEE)
    name_segment(pane, scope, segment_id, "de", "refs")
    chosen = pane.target()
    assert chosen is not None and chosen.provider is Provider.WORDBEE
    first.close()

    second_window = start()
    second = second_window.uploads_pane
    assert second.picker.service_combo.currentText() == "Wordbee segment"
    assert second.picker.account_combo.currentText() == "Sandbox Wordbee"
    assert second.target() == chosen
    assert second.picker.wordbee.locale_field.text() == "de"

    # And a Runway account chosen by hand, the same way.
    choose(second, Provider.RUNWAY)
    combo = second.picker.email_combo
    qtbot.waitUntil(lambda: combo.findData("runway.demo@example.com") >= 0)
    combo.setCurrentIndex(combo.findData("runway.demo@example.com"))
    second_window.close()
    third_window = start()
    third = third_window.uploads_pane
    assert third.target() == UploadTarget.runway(
        sandbox_accounts[0].id, "Sandbox", "runway.demo@example.com"
    )
    third_window.close()
    for owner in owners:
        arun(owner.aclose())


def test_changing_the_target_moves_the_waiting_items_and_checks_them_again(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
    tmp_path: Path,
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.UPLOADS, WIDE)
    pane = window.uploads_pane
    useapi = sandbox_accounts[0]
    arun(pane._add([DEMO / "bars-800x450.jpg"]))  # sent to Google Flow: it stays there
    qtbot.waitUntil(lambda: ended(pane, "bars-800x450.jpg"), timeout=15_000)
    pane._queue.stop()  # what follows waits, so that it can be moved
    arun(pane._add([MEDIA / "clip.mov", DEMO / "swatch-256x256.png"]))
    assert item_named(pane, "clip.mov").state is ItemState.REFUSED

    choose(pane, Provider.RUNWAY)
    qtbot.waitUntil(lambda: pane.notice.text().startswith("Moved"))
    assert (
        pane.notice.text() == "Moved 2 waiting files to Runway · Sandbox · its only Runway account."
    )
    assert pane.notice.kind == "info"
    mov = item_named(pane, "clip.mov")
    assert mov.state is ItemState.PENDING and mov.row.provider is Provider.RUNWAY
    assert shown(pane, "clip.mov")["state"] == "Waiting"
    assert shown(pane, "clip.mov")["target"] == "Runway"
    assert item_named(pane, "bars-800x450.jpg").row.provider is Provider.GOOGLE_FLOW

    arun(pane._add([MEDIA / "sound.wav"]))
    assert item_named(pane, "sound.wav").state is ItemState.PENDING
    choose(pane, Provider.GOOGLE_FLOW)
    qtbot.waitUntil(lambda: "Google Flow" in pane.notice.text())
    assert pane.notice.text() == (
        "Moved 3 waiting files to Google Flow · Sandbox · automatic; "
        "Google Flow does not take 2 of them (see why on each)."
    )
    assert pane.notice.kind == "warning"
    wav = shown(pane, "sound.wav")
    assert wav["state"] == "Not sent"
    assert wav["progress"] == (
        "sound.wav: Google Flow does not take WAV audio — use PNG, JPEG, WEBP or MP4; "
        "Runway takes .wav."
    )
    assert item_named(pane, "swatch-256x256.png").state is ItemState.PENDING
    select(pane, "sound.wav")
    assert "To Google Flow · Sandbox · automatic." in pane.details.text()
    assert "Google Flow does not take WAV audio" in pane.details.text()
    # The one already sent was not touched, and nothing else was sent.
    done = item_named(pane, "bars-800x450.jpg")
    assert done.state is ItemState.DONE and done.row.account_id == useapi.id
    assert len(posts(sb, "/v1/google-flow/assets")) == 1
    assert posts(sb, "/v1/runwayml/assets") == []


def test_a_retry_goes_to_the_items_own_target(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.UPLOADS, WIDE)
    pane = window.uploads_pane
    sb.fault(
        "api",
        "/v1/runwayml/assets/",
        method="POST",
        status=400,
        body={"error": "Asset name already taken"},
    )
    choose(pane, Provider.RUNWAY)
    qtbot.waitUntil(lambda: pane.picker.email_combo.count() == 2)
    arun(pane._add([DEMO / "sunrise-640x360.png"]))
    qtbot.waitUntil(lambda: ended(pane, "sunrise-640x360.png"), timeout=15_000)
    item = item_named(pane, "sunrise-640x360.png")
    assert item.state is ItemState.FAILED
    assert "Asset name already taken" in (item.row.service_text or item.row.message or "")

    choose(pane, Provider.GOOGLE_FLOW)  # a failed item keeps its target
    assert item.row.provider is Provider.RUNWAY
    select(pane, "sunrise-640x360.png")
    pane.view.setFocus()
    QTest.keyClick(pane.view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: item.state is ItemState.DONE, timeout=15_000)
    assert len(posts(sb, "/v1/runwayml/assets")) == 2
    assert posts(sb, "/v1/google-flow/assets") == []
    assert RunwayAssetId.parse(item.row.remote_id or "")


def test_a_lost_answer_is_checked_on_the_service_or_sent_again_after_asking(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.UPLOADS, WIDE)
    pane = window.uploads_pane
    actions = pane.queue_actions
    # Each service keeps the file, then drops the connection before its answer.
    sb.fault("api", "/v1/runwayml/assets/", method="POST", drop_after_bytes=0)
    sb.fault("api", "/v1/google-flow/assets*", method="POST", drop_after_bytes=0)
    choose(pane, Provider.RUNWAY)
    arun(pane._add([DEMO / "swatch-256x256.png"]))
    choose(pane, Provider.GOOGLE_FLOW)
    arun(pane._add([DEMO / "bars-800x450.jpg"]))
    qtbot.waitUntil(lambda: ended(pane, "swatch-256x256.png", "bars-800x450.jpg"), timeout=15_000)
    runway_row = shown(pane, "swatch-256x256.png")
    assert runway_row["state"] == "Outcome unknown"
    assert runway_row["progress"] == "Sent; the answer was lost — it may be on Runway."
    assert shown(pane, "bars-800x450.jpg")["progress"] == (
        "Sent; the answer was lost — it may be on Google Flow."
    )
    qtbot.wait(300)  # room for a re-send that must not happen
    assert len(posts(sb, "/v1/runwayml/assets")) == 1
    assert len(posts(sb, "/v1/google-flow/assets")) == 1

    # Nothing selected: no button for them; an unknown row selected: both, and in its menu.
    assert all(b.isHidden() for b in actions.unknown_buttons)
    select(pane, "swatch-256x256.png")
    assert [b.text() for b in actions.unknown_buttons if b.isVisible()] == [
        "Check the service",
        "Send again…",
    ]
    assert "it is not known whether Runway kept" in pane.details.text()
    assert "To Runway · Sandbox · its only Runway account." in pane.details.text()
    actions.context_menu(pane.view, pane.view.visualRect(pane.view.currentIndex()).center())
    texts = [a.text() for a in actions.menu.actions() if not a.isSeparator()]
    actions.menu.close()
    assert texts[:3] == ["Copy mediaGenerationId", "Check the service", "Send again…"]

    # Check the service (its shortcut): found on Runway, so done and in the Library.
    pane.view.setFocus()
    with qtbot.waitSignal(pane.library_changed, timeout=15_000):
        QTest.keyClick(pane.view, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert pane.notice.text() == "Found on Runway: it is in the Library."
    found = item_named(pane, "swatch-256x256.png")
    assert found.state is ItemState.DONE
    assert found.row.remote_id in [a.remote_id for a in arun(services.library.assets())]

    # Google Flow lists another upload of the same kind and size since: its listing cannot
    # tell which is the file, so it stays unknown; Send again asks first.
    sb.put_google_flow_asset(DEMO / "bars-800x450.jpg", "image/jpeg", email=JO)
    select(pane, "bars-800x450.jpg")
    actions.buttons["check"].click()
    qtbot.waitUntil(lambda: "that could be this file" in pane.notice.text(), timeout=10_000)
    assert pane.notice.text().startswith("Google Flow has 2 uploads from that time")
    assert item_named(pane, "bars-800x450.jpg").state is ItemState.UNKNOWN
    actions.buttons["sendAgain"].click()
    box = actions.send_again_box
    assert box is not None and box.isVisible()
    assert box.text() == "Send “bars-800x450.jpg” again?"
    assert "may have kept it" in box.informativeText()
    box.button(QMessageBox.StandardButton.Cancel).click()
    qtbot.wait(300)  # room for a send that must not happen
    assert item_named(pane, "bars-800x450.jpg").state is ItemState.UNKNOWN
    assert len(posts(sb, "/v1/google-flow/assets")) == 1

    window.activateWindow()  # back from the box
    qtbot.waitUntil(window.isActiveWindow)
    pane.view.setFocus()
    QTest.keyClick(
        pane.view,
        Qt.Key.Key_R,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    box = actions.send_again_box
    assert box is not None and box.isVisible()
    send = next(b for b in box.buttons() if b.text() == "Send again")
    send.click()
    qtbot.waitUntil(
        lambda: item_named(pane, "bars-800x450.jpg").state is ItemState.DONE, timeout=15_000
    )
    assert len(posts(sb, "/v1/google-flow/assets")) == 2


def test_uploads_to_runway_and_wordbee_show_in_the_library(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
    segment: tuple[str, int],
    tmp_path: Path,
) -> None:
    scope, segment_id = segment
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY, WIDE)
    library = window.library_pane
    uploads = window.uploads_pane
    arun(uploads.activate())
    before = {a.remote_id for a in listed_assets(library.model)}
    clip = tmp_path / "handover clip.webm"
    shutil.copy(MEDIA / "clip.webm", clip)

    choose(uploads, Provider.RUNWAY)
    arun(uploads._add([MEDIA / "sound.mp3"]))
    choose(uploads, Provider.WORDBEE)
    name_segment(uploads, scope, segment_id, "fr", "handover")
    arun(uploads._add([clip]))
    qtbot.waitUntil(lambda: ended(uploads, "sound.mp3", clip.name), timeout=20_000)
    assert {i.state for i in uploads._queue.items} == {ItemState.DONE}

    # The Library is in front: it shows them as soon as the queue is done.
    def listed() -> dict[Provider, Any]:
        new = [a for a in listed_assets(library.model) if a.remote_id not in before]
        return {a.provider: a for a in new}

    qtbot.waitUntil(lambda: len(listed()) == 2, timeout=10_000)
    runway, wordbee = listed()[Provider.RUNWAY], listed()[Provider.WORDBEE]
    assert (runway.name, runway.mime) == ("sound.mp3", "audio/mpeg")
    assert runway.remote_id == item_named(uploads, "sound.mp3").row.remote_id
    assert RunwayAssetId.parse(runway.remote_id)
    assert wordbee.remote_id == wordbee_key(scope, segment_id, "fr", "handover", clip.name)
    assert (wordbee.name, wordbee.locale, wordbee.relative_path) == (clip.name, "fr", "handover")


def test_state_colours_and_audio_tiles_follow_a_dark_palette(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.UPLOADS, WIDE)
    pane = window.uploads_pane
    pane._queue.stop()
    choose(pane, Provider.RUNWAY)
    arun(pane._add([MEDIA / "sound.wav", MEDIA / "picture.bmp"]))  # waiting, and refused
    wav = item_named(pane, "sound.wav")
    bmp = item_named(pane, "picture.bmp")
    assert (wav.state, bmp.state) == (ItemState.PENDING, ItemState.REFUSED)
    refused = pane.model.index(pane.model.row_of(bmp.id), Column.STATE)
    foreground = Qt.ItemDataRole.ForegroundRole
    assert refused.data(foreground) == ERROR_COLOUR  # as on every light theme
    pane.model.index(pane.model.row_of(wav.id), Column.NAME).data(Qt.ItemDataRole.DecorationRole)
    qtbot.waitUntil(lambda: pane.model.thumbnail(wav.id) is not None, timeout=10_000)
    before = QGuiApplication.palette()
    dark = QPalette(QColor("#2b2b2b"))
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    dark.setColor(QPalette.ColorRole.Button, QColor("#353535"))
    try:
        QApplication.setPalette(dark)
        colour = refused.data(foreground)
        assert colour.hslHue() == ERROR_COLOUR.hslHue() and colour.lightnessF() >= 0.7
        # The audio tile is drawn again in the dark palette's colours.
        pane.model.index(pane.model.row_of(wav.id), Column.NAME).data(
            Qt.ItemDataRole.DecorationRole
        )

        def dark_tile() -> bool:
            tile = pane.model.thumbnail(wav.id)
            return tile is not None and tile.toImage().pixelColor(20, 1) == QColor("#353535")

        qtbot.waitUntil(dark_tile, timeout=10_000)
    finally:
        QApplication.setPalette(before)


def test_each_service_fits_a_1280_wide_window(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.UPLOADS, (1280, 720))
    pane = window.uploads_pane
    for provider in (Provider.WORDBEE, Provider.RUNWAY, Provider.GOOGLE_FLOW):
        choose(pane, provider)
        QApplication.processEvents()  # the layout requests the change posted
        assert window.width() == 1280, provider
        assert pane.minimumSizeHint().width() <= pane.width(), provider


def test_a_file_the_service_throttled_keeps_its_target(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    sb: Any,
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    throttled = sb.demo["google_flow_emails"][0]
    sb.set_google_flow_account(throttled, throttled_for=1800)
    window = open_window(qtbot, services, tasks, arun, Pane.UPLOADS, WIDE)
    pane = window.uploads_pane
    combo = pane.picker.email_combo
    qtbot.waitUntil(lambda: combo.findData(throttled) >= 0)
    combo.setCurrentIndex(combo.findData(throttled))
    arun(pane._add([DEMO / "swatch-256x256.png"]))
    swatch = item_named(pane, "swatch-256x256.png")
    qtbot.waitUntil(lambda: swatch.waiting, timeout=10_000)

    choose(pane, Provider.RUNWAY)  # tried on Google Flow already: it waits there
    qtbot.wait(300)  # room for a move that must not happen
    assert (swatch.row.provider, swatch.row.email) == (Provider.GOOGLE_FLOW, throttled)
    assert swatch.waiting and not pane.notice.text().startswith("Moved")
    assert posts(sb, "/v1/runwayml/assets") == []
