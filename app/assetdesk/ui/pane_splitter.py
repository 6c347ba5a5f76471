"""The window's panes side by side: each collapses (dragged shut, or hidden from the View menu)
and comes back at the width it had; the widths of a first start follow the screen's."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSize, Qt, Signal
from PySide6.QtWidgets import QSplitter, QWidget

#: A first start's share of the width for each pane (left to right) and its bounds in pixels;
#: the pane with no bound (the Library) takes what is left.
DEFAULT_SHARE = (0.18, None, 0.28)
DEFAULT_BOUNDS = ((220, 320), None, (320, 560))


class PaneSplitter(QSplitter):
    """`panes_changed` fires when a pane was shown or collapsed (by code or by a drag)."""

    panes_changed = Signal()

    def __init__(self, panes: list[QWidget], *, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setObjectName("panes")
        self.setChildrenCollapsible(True)
        self.setHandleWidth(6)
        for index, pane in enumerate(panes):
            self.addWidget(pane)
            self.setStretchFactor(index, 1 if DEFAULT_SHARE[index] is None else 0)
        #: The width each pane had before it was collapsed (its width when shown again).
        self._widths: dict[int, int] = {}
        self._open = self.open_panes()
        self.splitterMoved.connect(self._moved)

    # ------------------------------------------------------------------ state

    def is_open(self, index: int) -> bool:
        """Whether pane `index` has a width (meaningful once the window is laid out)."""
        return self.sizes()[index] > 0

    def open_panes(self) -> tuple[bool, ...]:
        return tuple(self.is_open(index) for index in range(self.count()))

    # ------------------------------------------------------------------ changing

    def set_open(self, index: int, open_: bool) -> bool:
        """Show or collapse pane `index`; False when refused (the last open pane stays)."""
        return self.open_pane(index) if open_ else self.collapse_pane(index)

    def open_pane(self, index: int) -> bool:
        sizes = self.sizes()
        if sizes[index] > 0:
            return True
        want = self._widths.get(index) or self._default_width(index, sum(sizes))
        donor = max(range(len(sizes)), key=lambda i: sizes[i] if i != index else -1)
        room = sizes[donor] - self._least(donor)
        width = max(min(want, room), self._least(index), 1)
        sizes[donor] = max(sizes[donor] - width, 0)
        sizes[index] = width
        self.setSizes(sizes)
        self._changed()
        return True

    def _least(self, index: int) -> int:
        """The narrowest pane `index` can be."""
        pane = self.widget(index)
        return 0 if pane is None else max(pane.minimumWidth(), pane.minimumSizeHint().width())

    def collapse_pane(self, index: int) -> bool:
        sizes = self.sizes()
        if sizes[index] == 0:
            return True
        if sum(1 for width in sizes if width > 0) <= 1:
            return False
        self._widths[index] = sizes[index]
        # Its width goes to the widest open pane (the Library, mostly).
        heir = max(
            (i for i in range(len(sizes)) if i != index and sizes[i] > 0), key=sizes.__getitem__
        )
        sizes[heir] += sizes[index]
        sizes[index] = 0
        self.setSizes(sizes)
        self._changed()
        return True

    def minimumSizeHint(self) -> QSize:
        """As narrow as the open panes allow: a folded pane's minimum does not count (Qt's own
        hint sums every pane's, so a window could not shrink below three panes with one folded)."""
        hint = super().minimumSizeHint()
        sizes = self.sizes()
        open_ = [index for index, width in enumerate(sizes) if width > 0]
        if not self.isVisible() or not open_ or len(open_) == len(sizes):
            return hint
        width = sum(self._least(index) for index in open_)
        return QSize(width + self.handleWidth() * (len(sizes) - 1), hint.height())

    def fold_to_fit(self, width: int, order: tuple[int, ...]) -> list[int]:
        """Fold panes, in `order`, until the open ones fit in `width` pixels (a small screen);
        returns the panes folded."""
        folded: list[int] = []
        for index in order:
            if self.minimumSizeHint().width() <= width:
                break
            if self.is_open(index) and self.collapse_pane(index):
                folded.append(index)
        return folded

    def toggle(self, index: int) -> bool:
        return self.set_open(index, not self.is_open(index))

    def apply_defaults(self, width: int) -> list[int]:
        """A first start's widths for a window `width` pixels wide (returned)."""
        sizes = [self._default_width(index, width) for index in range(self.count())]
        free = [index for index, share in enumerate(DEFAULT_SHARE) if share is None]
        rest = width - sum(size for index, size in enumerate(sizes) if index not in free)
        for index in free:
            sizes[index] = max(rest // len(free), 1)
        self.setSizes(sizes)
        return sizes

    def _default_width(self, index: int, total: int) -> int:
        share = DEFAULT_SHARE[index]
        bounds = DEFAULT_BOUNDS[index]
        if share is None or bounds is None:
            return max(total // 2, 1)
        return int(min(max(total * share, bounds[0]), bounds[1]))

    # ------------------------------------------------------------------ remembering

    def widths(self) -> str:
        """The width of each pane, a collapsed one's before it was collapsed ("300,0,420"): the
        splitter's own state keeps 0 for it."""
        return ",".join(str(self._widths.get(index, 0)) for index in range(self.count()))

    def restore(self, state: QByteArray, widths: str = "") -> bool:
        """The splitter's saved state, and the widths `widths()` gave."""
        restored = self.restoreState(state)
        for index, text in enumerate(widths.split(",")[: self.count()]):
            if text.strip().isdigit() and int(text) > 0:
                self._widths[index] = int(text)
        self._changed()
        return restored

    def _moved(self, *_: object) -> None:
        self._changed()

    def _changed(self) -> None:
        self.updateGeometry()  # the minimum follows the open panes
        for index, width in enumerate(self.sizes()):
            if width > 0:
                self._widths[index] = width
        now = self.open_panes()
        if now != self._open:
            self._open = now
            self.panes_changed.emit()
