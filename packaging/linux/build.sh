#!/bin/sh
# Build the Linux packages from this checkout:
#   $OUT/assetdesk_VERSION_ARCH.deb         (installs to /opt/assetdesk, /usr/bin/assetdesk)
#   $OUT/assetdesk-VERSION-linux-ARCH.tar.gz (the same folder, to unpack anywhere)
# Needs: the project installed in $PYTHON's environment with PyInstaller (`pip install -e .[test]`),
# dpkg-deb. OUT defaults to ./dist, the scratch folder WORK to a temporary one. COMPRESS=fast
# (the tests) trades size for time: gzip -1 instead of xz and gzip -6.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
OUT=${OUT:-$ROOT/dist}
WORK=${WORK:-$(mktemp -d)}
VERSION=$("$PYTHON" -c 'from importlib.metadata import version; print(version("assetdesk"))')
ARCH=$(dpkg --print-architecture)

mkdir -p "$OUT"
"$PYTHON" -m PyInstaller --noconfirm --log-level WARN \
    --distpath "$WORK/pyinstaller" --workpath "$WORK/build" "$ROOT/packaging/assetdesk.spec"

# Links to the libraries the spec left out (PyInstaller still makes them): nothing to point to.
find "$WORK/pyinstaller/AssetDesk" -xtype l -delete

STAGE="$WORK/deb"
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
    "$STAGE/usr/share/icons/hicolor/256x256/apps"
cp -a "$WORK/pyinstaller/AssetDesk" "$STAGE/opt/assetdesk"
ln -s /opt/assetdesk/assetdesk "$STAGE/usr/bin/assetdesk"
cp "$ROOT/packaging/linux/assetdesk.desktop" "$STAGE/usr/share/applications/"
cp "$ROOT/resources/icons/assetdesk.png" "$STAGE/usr/share/icons/hicolor/256x256/apps/"
SIZE=$(du -sk "$STAGE" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@SIZE@/$SIZE/" \
    "$ROOT/packaging/linux/control.in" > "$STAGE/DEBIAN/control"
if [ "${COMPRESS:-best}" = fast ]; then
    DEB_FLAGS="-Zgzip -z1"; GZ_LEVEL=1
else
    DEB_FLAGS="-Zxz"; GZ_LEVEL=6
fi
# shellcheck disable=SC2086  # DEB_FLAGS is two words on purpose
dpkg-deb --root-owner-group $DEB_FLAGS --build "$STAGE" "$OUT/assetdesk_${VERSION}_${ARCH}.deb" \
    >/dev/null
tar -C "$WORK/pyinstaller" -cf - AssetDesk | gzip "-$GZ_LEVEL" \
    > "$OUT/assetdesk-$VERSION-linux-$ARCH.tar.gz"
echo "$OUT/assetdesk_${VERSION}_${ARCH}.deb"
echo "$OUT/assetdesk-$VERSION-linux-$ARCH.tar.gz"
