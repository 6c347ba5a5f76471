"""The window's style sheet: spacing, the navigation list, pane titles, notices and empty states.

Colours come from the palette where they can, so the platform's light or dark theme still applies;
the colours of states come from `ui/widgets/colours.py`, where the models take theirs.
"""

from string import Template

from assetdesk.ui.widgets.colours import BAD, ERROR_TEXT

_SHEET = """
QListWidget#navigation {
    border: none;
    outline: 0;
    padding-top: 8px;
    font-size: 11pt;
}
QListWidget#navigation::item {
    padding: 8px 14px;
    border-radius: 6px;
    margin: 1px 6px;
    color: palette(text);
}
QListWidget#navigation::item:hover {
    background: palette(midlight);
}
QListWidget#navigation::item:selected {
    background: palette(highlight);
    color: palette(highlighted-text);
}
QLabel#paneTitle {
    font-size: 16pt;
    font-weight: 600;
}
QLabel#paneSubtitle, QLabel#paneHint {
    color: palette(placeholder-text);
}
QLabel#emptyState, QLabel#dropZone {
    color: palette(placeholder-text);
    font-size: 11pt;
}
QLabel#dropZone {
    border: 2px dashed palette(mid);
    border-radius: 10px;
    padding: 24px;
}
QLabel#dropZone[dropActive="true"] {
    border-color: palette(highlight);
    color: palette(highlight);
    background: palette(alternate-base);
}
QTableView#uploadQueue[dropActive="true"] {
    border: 2px solid palette(highlight);
}
QLabel#fieldError {
    color: $bad;
}
QLabel#notice {
    border-radius: 6px;
    padding: 8px 10px;
}
QLabel#notice[kind="info"] {
    background: #e8f0fe;
    color: #174ea6;
}
QLabel#notice[kind="warning"] {
    background: #fef7e0;
    color: #7a4100;
}
QLabel#notice[kind="error"] {
    background: #fce8e6;
    color: $error_text;
}
QListView#accountsList, QListWidget#droppedFiles {
    border: 1px solid palette(mid);
    border-radius: 6px;
}
QListWidget#droppedFiles::item {
    padding: 5px 6px;
}
QStatusBar QLabel {
    padding: 0 8px;
}
"""

STYLE_SHEET = Template(_SHEET).substitute(bad=BAD, error_text=ERROR_TEXT)
