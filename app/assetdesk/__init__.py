"""AssetDesk: a desktop asset manager for Google Flow, Runway and Wordbee Translator."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("assetdesk")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
