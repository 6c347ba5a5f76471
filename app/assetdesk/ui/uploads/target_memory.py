"""The Uploads pane's last target, kept in the window's settings (QSettings) across starts."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from assetdesk.core.provider import Provider
from assetdesk.services.upload_items import UploadTarget

_GROUP = "uploads/target"


def read_target(settings: QSettings | None) -> UploadTarget | None:
    """The target saved last, or None (nothing saved, or settings that do not read as one)."""
    if settings is None:
        return None
    settings.beginGroup(_GROUP)
    try:
        values = {key: settings.value(key) for key in settings.childKeys()}
    finally:
        settings.endGroup()
    try:
        provider = Provider(str(values.get("provider")))
        account_id = int(str(values.get("account_id")))
    except ValueError:
        return None
    text = {key: str(value) or None for key, value in values.items() if value is not None}
    segment = text.get("segment_id")
    return UploadTarget(
        account_id,
        text.get("account_name") or "",
        text.get("email"),
        provider=provider,
        scope=text.get("scope"),
        segment_id=int(segment) if segment and segment.isdigit() else None,
        locale=text.get("locale"),
        relative_path=text.get("relative_path"),
    )


def save_target(settings: QSettings | None, target: UploadTarget) -> None:
    """Remember `target` for the next start."""
    if settings is None:
        return
    settings.beginGroup(_GROUP)
    try:
        settings.remove("")
        settings.setValue("provider", target.provider.value)
        settings.setValue("account_id", target.account_id)
        settings.setValue("account_name", target.account_name)
        for key, value in (
            ("email", target.email),
            ("scope", target.scope),
            ("segment_id", target.segment_id),
            ("locale", target.locale),
            ("relative_path", target.relative_path),
        ):
            if value is not None:
                settings.setValue(key, str(value))
    finally:
        settings.endGroup()
    settings.sync()
