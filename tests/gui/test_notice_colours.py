"""Banners and the style sheet's colours from the palette (ui/widgets/notice.py, ui/style.py,
ui/widgets/colours.py): WCAG contrast measured on rendered pixels, light and dark, and at a
palette change at run time. With ASSETDESK_SHOT_DIR set, the light and dark renderings are saved
there as notices-light.png and notices-dark.png."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from assetdesk.ui.style import follow_palette
from assetdesk.ui.widgets.colours import (
    DONE_COLOUR,
    ERROR_COLOUR,
    STATE_COLOURS,
    contrast_ratio,
    legible,
    readable,
)
from assetdesk.ui.widgets.notice import Notice

KINDS = ("info", "warning", "error")
WCAG_AA = 4.5


def light_palette() -> QPalette:
    return QPalette(QColor("#efefef"))


def dark_palette() -> QPalette:
    dark = QPalette(QColor("#2b2b2b"))
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    return dark


PALETTES = {"light": light_palette, "dark": dark_palette}


@pytest.fixture
def app_palette(qapp: QApplication) -> Iterator[None]:
    """Whatever a test sets with QApplication.setPalette is undone after it."""
    before = QGuiApplication.palette()
    yield
    QApplication.setPalette(before)


def rendered(widget: QWidget) -> QImage:
    QApplication.processEvents()
    return widget.grab().toImage()


def measured(image: QImage) -> tuple[QColor, QColor]:
    """(text, background) of a rendered banner: the background inside its top padding, the
    text the pixel that contrasts most with it (glyph cores carry the text's own colour)."""
    background = image.pixelColor(image.width() // 2, 4)
    text = background
    for y in range(8, image.height() - 8):
        for x in range(8, image.width() - 8):
            pixel = image.pixelColor(x, y)
            if contrast_ratio(pixel, background) > contrast_ratio(text, background):
                text = pixel
    return text, background


def banner(qtbot: QtBot, kind: str) -> Notice:
    notice = Notice()
    qtbot.addWidget(notice)
    notice.setFixedWidth(420)
    notice.show_message(f"An {kind} banner: Google Flow refused this content.", kind)
    return notice


@pytest.mark.usefixtures("app_palette")
@pytest.mark.parametrize("theme", PALETTES)
@pytest.mark.parametrize("kind", KINDS)
def test_banner_text_reads_on_its_background(qtbot: QtBot, theme: str, kind: str) -> None:
    QApplication.setPalette(PALETTES[theme]())
    notice = banner(qtbot, kind)
    text, background = measured(rendered(notice))
    assert background == notice.colours()[1]
    assert contrast_ratio(text, background) >= WCAG_AA
    window = QGuiApplication.palette().color(QPalette.ColorRole.Window)
    # The banner is tinted, not a white or black slab: its lightness is the window's side.
    assert (background.lightnessF() < 0.5) == (theme == "dark")
    assert background != window


@pytest.mark.usefixtures("app_palette")
def test_banner_follows_a_palette_change(qtbot: QtBot) -> None:
    QApplication.setPalette(light_palette())
    notice = banner(qtbot, "error")
    _, light_background = measured(rendered(notice))
    assert light_background.lightnessF() > 0.7
    QApplication.setPalette(dark_palette())
    text, background = measured(rendered(notice))
    assert background.lightnessF() < 0.35
    assert contrast_ratio(text, background) >= WCAG_AA
    QApplication.setPalette(light_palette())
    assert measured(rendered(notice))[1] == light_background


def style_sheet_sample(qtbot: QtBot) -> tuple[QWidget, list[QLabel]]:
    """A widget with the window's style sheet and a label of each colour the sheet derives."""
    window = QWidget()
    qtbot.addWidget(window)
    follow_palette(window)
    window.setAutoFillBackground(True)
    layout = QVBoxLayout(window)
    labels = []
    for name, text in (
        ("paneSubtitle", "Drop files anywhere on the window"),
        ("fieldError", "This token is not complete"),
        ("dropZone", "Drop to upload"),
    ):
        label = QLabel(text)
        label.setObjectName(name)
        label.setFixedWidth(360)
        layout.addWidget(label)
        labels.append(label)
    labels[2].setProperty("dropActive", True)
    window.show()
    return window, labels


def label_contrast(label: QLabel) -> float:
    """The text's contrast with the label's background, read inside its border (the text is
    left-aligned and much shorter than the label: its right end is background)."""
    image = rendered(label)
    background = image.pixelColor(image.width() - 30, image.height() // 2)
    return max(
        contrast_ratio(image.pixelColor(x, y), background)
        for y in range(4, image.height() - 4)
        for x in range(4, image.width() - 4)
    )


@pytest.mark.usefixtures("app_palette")
def test_style_sheet_text_reads_in_both_themes_and_follows_a_change(qtbot: QtBot) -> None:
    QApplication.setPalette(light_palette())
    window, labels = style_sheet_sample(qtbot)
    light_sheet = window.styleSheet()
    assert [label_contrast(label) >= WCAG_AA for label in labels] == [True] * 3
    # A dark palette whose highlight is a dark blue, as Qt derives it from a grey.
    QApplication.setPalette(dark_palette())
    QApplication.processEvents()
    assert window.styleSheet() != light_sheet
    assert [label_contrast(label) >= WCAG_AA for label in labels] == [True] * 3
    red = rendered(labels[1])
    reddest = max(
        (red.pixelColor(x, y) for y in range(red.height()) for x in range(red.width())),
        key=lambda pixel: pixel.redF() - pixel.greenF(),
    )
    assert reddest.redF() - reddest.greenF() > 0.3, "a field error stays red"


def test_contrast_ratio_is_wcags() -> None:
    black, white = QColor("#000000"), QColor("#ffffff")
    assert contrast_ratio(black, white) == pytest.approx(21.0)
    assert contrast_ratio(white, white) == pytest.approx(1.0)
    # WCAG's worked figure: #767676 on white is the lightest grey that passes AA (4.54).
    assert contrast_ratio(QColor("#767676"), white) == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("background", ["#ffffff", "#2b2b2b", "#808080", "#000000"])
def test_legible_reaches_the_minimum_on_any_background(background: str) -> None:
    for start in ("#c5221f", "#1a73e8", "#808080", "#ffffff", "#000000"):
        made = legible(QColor(start), QColor(background), 4.5)
        assert contrast_ratio(made, QColor(background)) >= 4.5


@pytest.mark.usefixtures("app_palette")
@pytest.mark.parametrize("theme", PALETTES)
def test_the_three_kinds_look_different(qtbot: QtBot, tmp_path: Path, theme: str) -> None:
    QApplication.setPalette(PALETTES[theme]())
    panel = QWidget()
    qtbot.addWidget(panel)
    follow_palette(panel)
    panel.setAutoFillBackground(True)
    layout = QVBoxLayout(panel)
    title = QLabel(f"Banners, {theme} palette")
    title.setObjectName("paneTitle")
    layout.addWidget(title)
    words = {
        "info": "Uploads resume where they stopped when AssetDesk starts again.",
        "warning": "No keyring was found: secrets are kept for this session only.",
        "error": "Google Flow refused this content under its content policy: "
        "it shows the face of a public figure.",
    }
    notices = []
    for kind in KINDS:
        notice = Notice()
        notice.show_message(words[kind], kind)
        layout.addWidget(notice)
        notices.append(notice)
    subtitle = QLabel("Drop files anywhere on the window, or paste them")
    subtitle.setObjectName("paneSubtitle")
    error = QLabel("The token is not complete")
    error.setObjectName("fieldError")
    layout.addWidget(subtitle)
    layout.addWidget(error)
    panel.resize(520, 300)
    panel.show()
    backgrounds = {measured(rendered(notice))[1].name() for notice in notices}
    assert len(backgrounds) == 3
    shots = Path(os.environ.get("ASSETDESK_SHOT_DIR") or tmp_path)
    assert rendered(panel).save(str(shots / f"notices-{theme}.png"))


@pytest.mark.parametrize("theme", PALETTES)
@pytest.mark.parametrize("colour", [ERROR_COLOUR, DONE_COLOUR, *STATE_COLOURS.values()])
def test_state_colours_read_on_the_base(theme: str, colour: QColor) -> None:
    palette = PALETTES[theme]()
    base = palette.color(QPalette.ColorRole.Base)
    made = readable(colour, palette)
    assert contrast_ratio(made, base) >= WCAG_AA
    assert abs(made.hslHue() - colour.hslHue()) <= 2, "a state keeps its hue"


def test_a_state_colour_that_reads_is_left_as_it_is() -> None:
    assert readable(ERROR_COLOUR, light_palette()) == ERROR_COLOUR
    assert readable(DONE_COLOUR, light_palette()) == DONE_COLOUR
