#!/usr/bin/env python3
"""Seed corpora for tests/fuzz/fuzz_image.c: the files tests/gen-images.py
makes, sorted by format, with the signature the harness adds taken off.

Usage: image-seeds.py OUTDIR   (writes OUTDIR/png, jpeg, gif, webp, bmp, heif, poly, deflate)
"""
import os
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1]
strip = {"png": (b"\x89PNG\r\n\x1a\n", 8), "jpeg": (b"\xff\xd8\xff", 3),
         "gif": (b"GIF8", 6), "bmp": (b"BM", 2), "webp": (b"RIFF", None),
         "heif": (b"\0\0\0\x14ftypheic", 20)}
with tempfile.TemporaryDirectory() as tmp:
    subprocess.run([sys.executable, os.path.join(here, "..", "gen-images.py"), tmp], check=True)
    for fmt in list(strip) + ["poly"]:
        os.makedirs(os.path.join(out, fmt), exist_ok=True)
    for name in sorted(os.listdir(tmp)):
        with open(os.path.join(tmp, name), "rb") as f:
            data = f.read()
        if len(data) > 65536:
            continue
        for fmt, (magic, n) in strip.items():
            if data.startswith(magic):
                seed = data[4:8] + data[12:] if fmt == "webp" else data[n:]
                with open(os.path.join(out, fmt, name), "wb") as f:
                    f.write(seed)
        with open(os.path.join(out, "poly", name), "wb") as f:
            f.write(data[-4096:])
    # Raw deflate streams of several levels and kinds of data.
    import zlib
    os.makedirs(os.path.join(out, "deflate"), exist_ok=True)
    samples = [b"the quick brown fox " * 50, bytes(range(256)) * 8, b"\0" * 5000,
               os.urandom(300)]
    for i, sample in enumerate(samples):
        for level in (0, 1, 6, 9):
            z = zlib.compressobj(level, zlib.DEFLATED, -15)
            with open(os.path.join(out, "deflate", "%d-%d" % (i, level)), "wb") as f:
                f.write(z.compress(sample) + z.flush())
