"""`assetdesk --self-test`: proves an installed build works, end to end, without the network.

The window opens (offscreen unless a display is asked for); then the steps that need no window
run (`services/self_test.py`): the bundled sandbox starts, one demo image is uploaded, downloaded
and compared. Each step prints one line; the exit status is 0 when all passed, 1 with the step
that failed otherwise. Nothing touches the user's keyring or data folder.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from assetdesk.services.self_test import Report, report_failure, run_service_steps, say

if TYPE_CHECKING:
    from assetdesk.services.app import AppServices
    from assetdesk.services.sandbox_child import SandboxChild
    from assetdesk.ui.main_window import MainWindow


async def run_self_test(
    window: MainWindow,
    services: AppServices,
    child: SandboxChild,
    report: Report = say,
) -> bool:
    """True when every step passed; each step reports one line."""
    if not window.isVisible():
        return report_failure("the window", RuntimeError("the window did not open"), report)
    report(f"window open ({window.windowTitle()}, {sys.platform})")
    return await run_service_steps(
        services, child, report, account_added=window.accounts_pane.reload
    )
