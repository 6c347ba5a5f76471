"""The Library's model on its own: its order, its filter and its bounded thumbnail memory."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPixmap

from assetdesk.core.provider import Provider
from assetdesk.services.library import Asset
from assetdesk.ui.library.model import Column, LibraryModel
from assetdesk.ui.library.place_filter import LibraryFilter


def asset(number: int, *, size: int = 0) -> Asset:
    return Asset(
        id=number,
        provider=Provider.RUNWAY,
        remote_id=f"user:1-runwayml:a@b.c-asset:{number:04d}",
        kind="image",
        name=f"picture {number:04d}.png",
        mime="image/png",
        size=size,
        width=None,
        height=None,
        duration_seconds=None,
        account_id=1,
        account_email="a@b.c",
        source_path=None,
        origin="listed",
        created_at=f"2026-01-01T00:{number % 60:02d}:00Z",
        added_at="2026-11-27T00:00:00+00:00",
    )


def pixmap() -> QPixmap:
    made = QPixmap(8, 8)
    made.fill(QColor("teal"))
    return made


def test_thumbnails_in_memory_are_bounded_and_asked_again(qapp: Any) -> None:
    model = LibraryModel()
    model.max_thumbnails = 3
    wanted: list[int] = []
    model.want_thumbnail = lambda a: wanted.append(a.id)
    model.set_assets([asset(n) for n in range(1, 6)])
    for row in range(5):  # every row painted once: each thumbnail asked for once
        model.index(row, 0).data(Qt.ItemDataRole.DecorationRole)
    assert sorted(wanted) == [1, 2, 3, 4, 5]
    for number in (1, 2, 3):
        model.set_thumbnail(number, pixmap())
    model.index(model.row_of(1), 0).data(Qt.ItemDataRole.DecorationRole)  # 1 painted again
    model.set_thumbnail(4, pixmap())
    model.set_thumbnail(5, pixmap())
    assert model.thumbnails_made() == 3
    assert [n for n in range(1, 6) if model.thumbnail(n) is not None] == [1, 4, 5]
    wanted.clear()
    model.index(model.row_of(2), 0).data(Qt.ItemDataRole.DecorationRole)
    assert wanted == [2]  # dropped ones are made again (from the disk cache) when painted


def test_the_model_orders_rows_and_the_filter_keeps_its_order(qapp: Any) -> None:
    model = LibraryModel()
    model.set_assets([asset(n, size=n * 10 % 70) for n in range(1, 8)])
    proxy = LibraryFilter()
    proxy.setSourceModel(model)
    proxy.sort(Column.SIZE, Qt.SortOrder.DescendingOrder)
    sizes = [proxy.index(r, 0).data(Qt.ItemDataRole.UserRole + 10).size for r in range(7)]
    assert sizes == sorted(sizes, reverse=True)
    proxy.set_filters(text="picture 000")
    names = [proxy.index(r, Column.NAME).data() for r in range(proxy.rowCount())]
    assert sorted(names) == [f"picture 000{n}.png" for n in range(1, 8)]
    proxy.set_filters(text="0003")
    assert [proxy.index(r, Column.NAME).data() for r in range(proxy.rowCount())] == [
        "picture 0003.png"
    ]
