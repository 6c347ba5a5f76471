"""Child of test_app_lifecycle: the user closes the window while the app reads the accounts
at start-up (a keyring may take its time). The app must shut down in order and exit 0.

argv: data folder
"""

from __future__ import annotations

import inspect
import sys
from typing import Any

from PySide6.QtWidgets import QApplication

from assetdesk.services.accounts import AccountsService
from assetdesk.ui.app import run_gui
from assetdesk.ui.main_window import MainWindow

read_accounts = AccountsService.list


async def list_while_the_user_closes(self: AccountsService) -> Any:
    # Only the start-up's read (the panes, all shown at once, read the accounts too).
    if any(frame.function == "_session" for frame in inspect.stack()):
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow):
                widget.close()
    return await read_accounts(self)


if __name__ == "__main__":
    AccountsService.list = list_while_the_user_closes  # type: ignore[method-assign]
    sys.exit(run_gui(data_dir=sys.argv[1], sandbox=False, argv=["assetdesk"]))
