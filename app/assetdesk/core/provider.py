"""The services an asset can live on: one name each, as the catalog stores it."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Provider"]


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
