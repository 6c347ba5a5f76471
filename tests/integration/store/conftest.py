"""The real Secret Service for the keyring tests.

They run when ASSETDESK_TEST_KEYRING=secret-service (tests/run-under-keyring.sh sets it inside
dbus-run-session with an unlocked gnome-keyring) and then must work; otherwise they are skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

HOW_TO_RUN = (
    "needs the real Secret Service: run `make test`, or "
    "`dbus-run-session -- bash tests/run-under-keyring.sh .venv/bin tests/integration/store`"
)


@pytest.fixture
def secret_service() -> Iterator[object]:
    """A keyring SecretService backend on a live, unlocked gnome-keyring; fails if unusable."""
    if os.environ.get("ASSETDESK_TEST_KEYRING") != "secret-service":
        pytest.skip(HOW_TO_RUN)
    from keyring.backends import SecretService

    backend = SecretService.Keyring()
    try:
        backend.get_password("AssetDesk", "conftest-probe")
    except Exception as error:  # the environment promised a keyring: this is a failure
        pytest.fail(f"ASSETDESK_TEST_KEYRING=secret-service but the keyring fails: {error!r}")
    yield backend
