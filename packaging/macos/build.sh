#!/bin/sh
# Build the macOS app and disk image: dist/AssetDesk.app and dist/AssetDesk-VERSION.dmg.
# Needs Python 3.11+ and Xcode's command line tools (iconutil, hdiutil). Untested here (no Mac):
# the release workflow runs it on a macOS runner. Signing and notarisation are not set up yet.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
PYTHON=${PYTHON:-python3}
"$PYTHON" -m venv .venv
.venv/bin/python -m pip install --upgrade pip
.venv/bin/python -m pip install -e '.[test]'
VERSION=$(.venv/bin/python -c 'from importlib.metadata import version; print(version("assetdesk"))')

# The .icns from the committed PNG.
ICONSET=$(mktemp -d)/assetdesk.iconset
mkdir -p "$ICONSET"
for size in 16 32 128 256; do
    sips -z "$size" "$size" resources/icons/assetdesk.png --out "$ICONSET/icon_${size}x${size}.png" >/dev/null
done
iconutil -c icns "$ICONSET" -o resources/icons/assetdesk.icns

.venv/bin/python -m PyInstaller --noconfirm --distpath dist --workpath build/pyinstaller \
    packaging/assetdesk.spec
QT_QPA_PLATFORM=offscreen dist/AssetDesk.app/Contents/MacOS/assetdesk --self-test

/usr/libexec/PlistBuddy -c "Set :CFBundleShortVersionString $VERSION" \
    dist/AssetDesk.app/Contents/Info.plist
/usr/libexec/PlistBuddy -c "Set :CFBundleVersion $VERSION" dist/AssetDesk.app/Contents/Info.plist

rm -f "dist/AssetDesk-$VERSION.dmg"
hdiutil create -volname AssetDesk -srcfolder dist/AssetDesk.app -ov -format UDZO \
    "dist/AssetDesk-$VERSION.dmg"
echo "dist/AssetDesk-$VERSION.dmg"
