"""The "Add files" dialog: every name typed into it comes back, including one that is not there.

Qt's own dialog, asked for existing files, leaves out a typed name that is not there when other
names are typed with it, and answers a single such name with a message box; the queue could not
list what it never saw. Here `picked` carries every typed name, so the queue lists a missing one
as refused with its reason like any other file. (A platform's native dialog checks names itself
and never calls `accept` here.)
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QFileDialog, QLineEdit, QWidget

from assetdesk.ui.uploads.drop_zone import PICK_FILTER

#: The object name of the name field in Qt's own (non-native) file dialog.
NAME_FIELD = "fileNameEdit"


class AddFilesDialog(QFileDialog):
    """Emits `picked(list[Path])` with the files chosen or typed."""

    picked = Signal(list)

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent, "Add files to upload")
        self.setFileMode(QFileDialog.FileMode.ExistingFiles)
        self.setNameFilters([PICK_FILTER, "All files (*)"])
        self.filesSelected.connect(lambda files: self.picked.emit([Path(f) for f in files]))

    def typed_paths(self) -> list[Path]:
        """The names in the name field, as Qt reads them ("a.png" alone, or "a.png" "b.png"
        quoted), relative to the folder shown; [] when the field is empty or not there."""
        field = self.findChild(QLineEdit, NAME_FIELD)
        text = field.text().strip() if field is not None else ""
        if not text:
            return []
        names = text.split('"')[1::2] if '"' in text else [text]
        folder = Path(self.directory().absolutePath())
        return [folder / Path(name).expanduser() for name in names if name.strip()]

    def accept(self) -> None:
        typed = self.typed_paths()
        if any(not path.exists() for path in typed):
            self.picked.emit(typed)
            QDialog.accept(self)  # past Qt's check, which would drop or refuse the missing ones
            return
        super().accept()
