"""The services AssetDesk reaches, named once: where an asset lives (`Provider`, as the catalog
stores it) and the kind of account that reaches them (`AccountKind`, as the accounts table does)."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["AccountKind", "Provider"]


class Provider(StrEnum):
    """Where an asset lives. The values are the catalog's `assets.provider` column (store/db.py)."""

    GOOGLE_FLOW = "google-flow"
    RUNWAY = "runway"
    WORDBEE = "wordbee"

    @property
    def label(self) -> str:
        """The name a user reads: 'Google Flow', 'Runway', 'Wordbee'."""
        return _LABELS[self]


_LABELS = {
    Provider.GOOGLE_FLOW: "Google Flow",
    Provider.RUNWAY: "Runway",
    Provider.WORDBEE: "Wordbee",
}


class AccountKind(StrEnum):
    """useapi.net (Google Flow and Runway through one token) or Wordbee Translator."""

    USEAPI = "useapi"
    WORDBEE = "wordbee"
