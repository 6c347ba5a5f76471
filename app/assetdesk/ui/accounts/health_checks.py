"""The Accounts pane's connection tests, each a background task: one account's (its row says
"Checking…" and then the result), every account's at once (Test all), and the add-account
dialog's test of what is typed in, which saves nothing (`services.account_trial`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from shiboken6 import isValid

from assetdesk.core.errors import AssetDeskError
from assetdesk.services.account_trial import check_unsaved

if TYPE_CHECKING:
    from assetdesk.core.redact import Redactor
    from assetdesk.services.accounts import AccountsService
    from assetdesk.ui.accounts.dialog import AccountDialog, AccountForm
    from assetdesk.ui.accounts.model import AccountsModel
    from assetdesk.ui.tasks import BackgroundTasks
    from assetdesk.ui.widgets.notice import Notice


class HealthChecks:
    def __init__(
        self,
        accounts: AccountsService,
        tasks: BackgroundTasks,
        model: AccountsModel,
        notice: Notice,
        redactor: Redactor,
        *,
        on_keyring_problem: Callable[[], None],
    ) -> None:
        self._accounts = accounts
        self._tasks = tasks
        self._model = model
        self._notice = notice
        self._redactor = redactor
        self._on_keyring_problem = on_keyring_problem

    def start(self, account_id: int) -> None:
        """Check `account_id`'s connection in the background (a newer check replaces a running
        one of the same account)."""
        self._tasks.spawn(
            self.check(account_id),
            name=f"accounts.check[{account_id}]",
            key=f"accounts.check[{account_id}]",
        )

    def cancel(self, account_id: int) -> None:
        self._tasks.cancel(f"accounts.check[{account_id}]")

    def start_all(self) -> None:
        """Check every account at once; each row shows its own result as it comes."""
        for row in range(self._model.rowCount()):
            self.start(self._model.account_at(row).id)

    async def check(self, account_id: int) -> None:
        self._notice.clear()
        self._model.set_checking(account_id, True)
        try:
            health = await self._accounts.check(account_id)
        except AssetDeskError as error:
            self._notice.show_message(str(error), "error")
            raise
        finally:
            self._model.set_checking(account_id, False)
        self._model.set_health(account_id, health)
        if health.state == "keyring":
            self._on_keyring_problem()

    # ------------------------------------------------------------------ before saving

    def start_trial(self, dialog: AccountDialog, form: AccountForm) -> None:
        """Test what `dialog` holds, without saving it; the dialog says the outcome."""
        self._tasks.spawn(self._trial(dialog, form), name="accounts.trial", key="accounts.trial")

    async def _trial(self, dialog: AccountDialog, form: AccountForm) -> None:
        dialog.set_testing(True)
        try:
            assert form.secret is not None
            health = await check_unsaved(
                kind=form.kind.value,
                secret=form.secret,
                base_url=form.base_url,
                wordbee_account_id=form.wordbee_account_id,
                redactor=self._redactor,
            )
        except AssetDeskError as error:
            if isValid(dialog):
                dialog.test_failed(error.message)
            return
        finally:
            if isValid(dialog):  # closed meanwhile: Qt may already have deleted it
                dialog.set_testing(False)
        if isValid(dialog):
            dialog.show_test_result(health.state, health.sentence)
