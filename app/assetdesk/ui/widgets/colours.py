"""The colours of states, defined once: the red of an error, the green of done, a health's colour.

Hex strings, so that the window's style sheet (`ui/style.py`) and the models' `QColor`s share
them. Everything else takes its colours from the palette, so a light or dark theme still applies.
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
    (the dark reds and greens above are for light backgrounds)."""
    if palette.color(QPalette.ColorRole.Base).lightnessF() >= 0.5:
        return colour
    lighter = QColor(colour)
    lighter.setHslF(
        colour.hslHueF(), colour.hslSaturationF(), max(colour.lightnessF(), 0.72), colour.alphaF()
    )
    return lighter
