"""The preview's image: decoded off the GUI thread, then fit to the view or zoomed and panned."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QCursor, QImage, QPixmap, QResizeEvent, QTransform, QWheelEvent
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QWidget,
)

from assetdesk.core.errors import AssetDeskError, as_sentence
from assetdesk.ui.image_files import read_image

ZOOM_STEP = 1.25
MIN_ZOOM = 0.05
MAX_ZOOM = 16.0


class PreviewError(AssetDeskError):
    """An asset could not be previewed; `str()` is one sentence naming it."""

    kind = "preview"


def decode_image(data: bytes, title: str) -> QImage:
    """Bytes -> an upright QImage in a format QPixmap takes without converting (worker thread)."""
    image, error = read_image(data)  # never through a QBuffer: see ui/image_files.py
    if image.isNull():
        reason = as_sentence(error).rstrip(".").lower()
        raise PreviewError(f"{title} could not be decoded as an image ({reason}).")
    wanted = (
        QImage.Format.Format_ARGB32_Premultiplied
        if image.hasAlphaChannel()
        else QImage.Format.Format_RGB32
    )
    return image if image.format() == wanted else image.convertToFormat(wanted)


class ImageView(QGraphicsView):
    """One image, fit to the view (never enlarged) or zoomed around a point; dragging pans."""

    zoom_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scene = QGraphicsScene(self)
        self._item = QGraphicsPixmapItem()
        self._scene.addItem(self._item)
        self.setScene(self._scene)
        self._image = QImage()
        self._fitting = True
        self.setInteractive(False)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        # No scroll bars: a steady viewport keeps "fit" steady; dragging pans all the same.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)

    def current_image(self) -> QImage:
        """The image shown, at its full size (a null QImage when none)."""
        return self._image

    @property
    def fitting(self) -> bool:
        return self._fitting

    def scale_factor(self) -> float:
        return float(self.transform().m11())

    def set_image(self, image: QImage) -> None:
        self._image = image
        self._item.setPixmap(QPixmap.fromImage(image))
        self._scene.setSceneRect(self._item.boundingRect())
        self.fit()

    def clear_image(self) -> None:
        self._image = QImage()
        self._item.setPixmap(QPixmap())

    def fit(self) -> None:
        """Show the whole image, shrunk to the view when larger, at 100 % when it fits."""
        self._fitting = True
        self._apply(self._fit_scale(), None)
        self.centerOn(self._item)

    def actual_size(self) -> None:
        self._fitting = False
        self._apply(1.0, self._cursor_point())

    def zoom_by(self, factor: float, anchor: QPoint | None = None) -> None:
        """Zoom by `factor` keeping the image point under `anchor` (viewport coordinates; None:
        under the mouse when it is over the view, else the centre) where it was."""
        self._fitting = False
        self._apply(self.scale_factor() * factor, anchor or self._cursor_point())

    def _fit_scale(self) -> float:
        size = self._image.size()
        if size.isEmpty():
            return 1.0
        view = self.viewport().size()
        return min(1.0, view.width() / size.width(), view.height() / size.height())

    def _cursor_point(self) -> QPoint | None:
        point = self.viewport().mapFromGlobal(QCursor.pos())
        return point if self.viewport().rect().contains(point) else None

    def _apply(self, scale: float, anchor: QPoint | None) -> None:
        scale = max(min(MIN_ZOOM, self._fit_scale()), min(MAX_ZOOM, scale))
        anchor = anchor or self.viewport().rect().center()
        before = self.mapToScene(anchor)
        self.setTransform(QTransform.fromScale(scale, scale))
        # Crisp pixels when enlarged, smooth ones when shrunk.
        self._item.setTransformationMode(
            Qt.TransformationMode.FastTransformation
            if scale >= 1
            else Qt.TransformationMode.SmoothTransformation
        )
        moved = self.mapFromScene(before) - anchor
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() + moved.x())
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() + moved.y())
        self.zoom_changed.emit(scale)

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if not steps or self._image.isNull():
            event.ignore()
            return
        self.zoom_by(ZOOM_STEP**steps, event.position().toPoint())
        event.accept()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fitting and not self._image.isNull():
            self.fit()
