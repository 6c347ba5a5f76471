"""Qt's own messages (qWarning and friends, QPA plugin chatter) routed into Python logging."""

from __future__ import annotations

import logging

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

log = logging.getLogger("assetdesk.qt")

_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _handle(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    level = _LEVELS.get(mode, logging.WARNING)
    category = context.category or "default"
    if category == "default":
        log.log(level, "%s", message)
    else:
        log.log(level, "[%s] %s", category, message)


def install_qt_message_handler() -> None:
    """Send every Qt message to the "assetdesk.qt" logger (call once, before the QApplication)."""
    qInstallMessageHandler(_handle)
