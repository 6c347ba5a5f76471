"""The colours of states, defined once: the red of an error, the green of done, a health's colour.

Hex strings, so that the window's style sheet (`ui/style.py`) and the models' `QColor`s share
them. Everything else takes its colours from the palette, so a light or dark theme still applies:
the banners' colours, the secondary text and the error red of the style sheet are derived from a
palette here (`notice_colours`, `secondary_text`, `error_text`), each brought to a WCAG contrast
of at least `MIN_CONTRAST` against the background it is drawn on.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

#: Text of a row that failed or was refused, and of an error notice.
ERROR_TEXT = "#a50e0e"
#: Text of a row that is done.
DONE_TEXT = "#137333"
#: A health check's dot and line, and a field's error under it: good, bad, wait, unknown.
GOOD = "#1e8e3e"
BAD = "#c5221f"
WAIT = "#b06000"
UNKNOWN = "#80868b"

ERROR_COLOUR = QColor(ERROR_TEXT)
DONE_COLOUR = QColor(DONE_TEXT)

#: Colour of the state dot and the health line, per `AccountHealth.state`.
STATE_COLOURS = {
    "valid": QColor(GOOD),
    "invalid": QColor(BAD),
    "throttled": QColor(WAIT),
    "reconnect": QColor(WAIT),
    "unreachable": QColor(BAD),
    "secret_missing": QColor(WAIT),
    "keyring": QColor(WAIT),
    "error": QColor(BAD),
}
UNTESTED_COLOUR = QColor(UNKNOWN)


def readable(colour: QColor, palette: QPalette) -> QColor:
    """`colour` as it reads on `palette`'s base: the same on a light one, lightened on a dark one
    (the dark reds and greens above are for light backgrounds); either way brought to
    `MIN_CONTRAST` against the base if it falls short."""
    base = palette.color(QPalette.ColorRole.Base)
    if base.lightnessF() >= 0.5:
        return legible(colour, base)
    lighter = QColor(colour)
    lighter.setHslF(
        colour.hslHueF(), colour.hslSaturationF(), max(colour.lightnessF(), 0.72), colour.alphaF()
    )
    return legible(QColor(lighter.name()), base)


#: WCAG 2 AA for body text is 4.5; a little more, so that anti-aliased glyphs still reach it.
MIN_CONTRAST = 5.0

#: The hue of each banner kind; the banner mixes it into the palette's window colour.
NOTICE_ACCENTS = {"info": QColor("#1a73e8"), "warning": QColor("#e37400"), "error": QColor(BAD)}


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: QColor) -> float:
    """WCAG 2's relative luminance of an opaque colour (0 black .. 1 white)."""
    red, green, blue = (_linear(c) for c in (colour.redF(), colour.greenF(), colour.blueF()))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: QColor, second: QColor) -> float:
    """WCAG 2's contrast ratio of two opaque colours, 1 (same) .. 21 (black on white)."""
    light, dark = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def mixed(base: QColor, other: QColor, share: float) -> QColor:
    """`base` with `share` (0..1) of `other` mixed in, opaque, in 8-bit channels (as painted)."""
    return QColor.fromRgb(
        *(
            round(255 * (mine + (theirs - mine) * share))
            for mine, theirs in (
                (base.redF(), other.redF()),
                (base.greenF(), other.greenF()),
                (base.blueF(), other.blueF()),
            )
        )
    )


def legible(colour: QColor, background: QColor, minimum: float = MIN_CONTRAST) -> QColor:
    """`colour` (its hue and saturation kept) made lighter on a dark background or darker on a
    light one until it reaches `minimum` contrast; else black or white, whichever contrasts more."""
    if contrast_ratio(colour, background) >= minimum:
        return QColor(colour)
    on_dark = relative_luminance(background) < 0.18
    hue, saturation = colour.hslHueF(), colour.hslSaturationF()
    lightness = colour.lightnessF()
    while 0.0 <= lightness <= 1.0:
        lightness += 0.02 if on_dark else -0.02
        exact = QColor.fromHslF(max(hue, 0.0), saturation, min(max(lightness, 0.0), 1.0))
        candidate = QColor(exact.name())  # 8-bit channels, as a style sheet paints it
        if contrast_ratio(candidate, background) >= minimum:
            return candidate
    black, white = QColor("#000000"), QColor("#ffffff")
    return max(black, white, key=lambda end: contrast_ratio(end, background))


def is_dark(palette: QPalette) -> bool:
    """Whether `palette` is a dark theme (its window darker than its window text)."""
    window = palette.color(QPalette.ColorRole.Window)
    text = palette.color(QPalette.ColorRole.WindowText)
    return relative_luminance(window) < relative_luminance(text)


def notice_colours(kind: str, palette: QPalette) -> tuple[QColor, QColor]:
    """(text, background) of a banner of `kind` ("info", "warning", "error") on `palette`: the
    window colour tinted with the kind's hue, and that hue as legible text on it."""
    accent = NOTICE_ACCENTS[kind]
    window = palette.color(QPalette.ColorRole.Window)
    dark = is_dark(palette)
    background = mixed(window, accent, 0.28 if dark else 0.12)
    start = QColor.fromHslF(max(accent.hslHueF(), 0.0), 0.75, 0.78 if dark else 0.30)
    return legible(QColor(start.name()), background), background


def secondary_text(palette: QPalette) -> QColor:
    """Subtitles, hints and empty states: the window text softened towards the window, legible."""
    window = palette.color(QPalette.ColorRole.Window)
    softened = mixed(palette.color(QPalette.ColorRole.WindowText), window, 0.4)
    return legible(softened, window)


def error_text(palette: QPalette) -> QColor:
    """An error's red as text on `palette`'s window (a field's error under it)."""
    window = palette.color(QPalette.ColorRole.Window)
    start = QColor(BAD).lighter(170) if is_dark(palette) else QColor(BAD)
    return legible(start, window)
