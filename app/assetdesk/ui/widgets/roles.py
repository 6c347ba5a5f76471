"""Item-data roles that the shared progress delegate reads, whichever pane's model serves them."""

from __future__ import annotations

from PySide6.QtCore import Qt

#: The fraction done (0..1) or None, for the progress column's delegate.
FractionRole = Qt.ItemDataRole.UserRole + 2
#: The state's value ("pending", "failed", ...), for styling and tests.
StateRole = Qt.ItemDataRole.UserRole + 3
