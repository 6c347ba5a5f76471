#!/usr/bin/env bash
# Regenerates the demo media of the sandbox (deterministic; needs ffmpeg and python3).
set -euo pipefail
cd "$(dirname "$0")"
ff() { ffmpeg -hide_banner -loglevel error -y -bitexact "$@"; }
ff -f lavfi -i "gradients=s=640x360:c0=0x1d2b64:c1=0xf8cdda:x0=0:y0=0:x1=640:y1=360:n=2:seed=1" \
   -frames:v 1 -pix_fmt rgb24 sunrise-640x360.png
ff -f lavfi -i "testsrc2=s=512x512:r=1" -frames:v 1 -q:v 4 pattern-512x512.jpg
ff -f lavfi -i "gradients=s=320x480:c0=0x134e5e:c1=0x71b280:x0=0:y0=0:x1=320:y1=480:n=2:seed=2" \
   -frames:v 1 -c:v libwebp -lossless 0 -quality 80 portrait-320x480.webp
ff -f lavfi -i "smptehdbars=s=800x450:r=1" -frames:v 1 -q:v 4 bars-800x450.jpg
ff -f lavfi -i "gradients=s=480x320:c0=0xff7e5f:c1=0xfeb47b:x0=0:y0=320:x1=480:y1=0:n=2:seed=3" \
   -frames:v 1 -q:v 5 pexels-gons3.jpg
ff -f lavfi -i "testsrc=s=256x256:r=1" -frames:v 1 -pix_fmt rgb24 swatch-256x256.png
ff -f lavfi -i "testsrc2=s=320x180:r=24:d=2" -c:v libx264 -preset veryslow -crf 32 \
   -pix_fmt yuv420p -movflags +faststart -map_metadata -1 -fflags +bitexact clip-320x180.mp4
ff -i clip-320x180.mp4 -frames:v 1 -q:v 6 clip-320x180-poster.jpg
# policy-refused.png: a 128x128 image with the sandbox's content-policy marker in a tEXt chunk.
ff -f lavfi -i "color=c=0xc0392b:s=128x128" -frames:v 1 -pix_fmt rgb24 policy-base.png
python3 - <<'PY'
import struct, zlib
data = open("policy-base.png", "rb").read()
text = b"Comment\x00ASSETDESK-SANDBOX-POLICY"
chunk = struct.pack(">I", len(text)) + b"tEXt" + text
chunk += struct.pack(">I", zlib.crc32(b"tEXt" + text) & 0xFFFFFFFF)
end = 8 + 25  # signature + IHDR chunk
open("policy-refused.png", "wb").write(data[:end] + chunk + data[end:])
PY
rm policy-base.png
