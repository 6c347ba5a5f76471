"""Everything Qt.

Qt's multimedia library looks for optional system libraries and warns once for each one the
machine lacks: PipeWire when the library loads ("Couldn't load pipewire-0.3 library"), VA-API
when its FFmpeg backend starts ("Couldn't load va-drm library"). Without them, sound goes
through PulseAudio and video decodes on the CPU, as they should. The rule that turns those
warnings off is set here, before any module of this package imports QtMultimedia: set after the
import, Qt does not apply it to the library's category.
"""

from PySide6.QtCore import QLoggingCategory

#: Qt's category for its optional-library loader (the PipeWire and VA-API stubs).
OPTIONAL_LIBRARIES_CATEGORY = "qt.multimedia.symbolsresolver"

QLoggingCategory.setFilterRules(f"{OPTIONAL_LIBRARIES_CATEGORY}.warning=false")
