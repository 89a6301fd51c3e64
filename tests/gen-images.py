#!/usr/bin/env python3
"""Writes the attack (and control) images the vc-check-image tests check.

Usage: gen-images.py OUTDIR

Only the standard library: every file is built byte by byte here, so the
tests depend on nobody's corpus.  Sizes stay small (the largest is a few
hundred KB) so that the suite stays fast; big inputs belong in make bench.
"""
import base64
import io
import os
import struct
import sys
import zipfile
import zlib


def chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data +
            struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))


def ihdr(w, h, depth=8, ctype=2, interlace=0):
    return chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0,
                                      interlace))


SIG = b"\x89PNG\r\n\x1a\n"


def png(w=4, h=4, extra=b"", idat=None, tail=b""):
    """An RGB PNG; extra chunks go between IHDR and IDAT."""
    if idat is None:
        raw = b"".join(b"\x00" + bytes([x * 40, 80, 200]) * w
                       for x in range(h))
        idat = zlib.compress(raw)
    return SIG + ihdr(w, h) + extra + chunk(b"IDAT", idat) + \
        chunk(b"IEND", b"") + tail


def zeros_z(n):
    """n zero bytes, deflated in pieces so memory stays small."""
    z = zlib.compressobj(9)
    out = []
    block = b"\x00" * (1 << 20)
    while n > 0:
        k = min(n, len(block))
        out.append(z.compress(block[:k]))
        n -= k
    out.append(z.flush())
    return b"".join(out)


# --- JPEG: an 8x8 grey block, DC only, hand-made Huffman tables ---------

def seg(marker, data):
    return bytes([0xff, marker]) + struct.pack(">H", len(data) + 2) + data


DQT = seg(0xdb, b"\x00" + bytes([1] * 64))
# One code of length 1 ("0") in each table: DC category 0, AC EOB.
DHT = seg(0xc4, b"\x00" + bytes([1] + [0] * 15) + b"\x00") + \
    seg(0xc4, b"\x10" + bytes([1] + [0] * 15) + b"\x00")
SOS = seg(0xda, b"\x01\x01\x00\x00\x3f\x00")
# DC "0", EOB "0", padded with ones.
ENTROPY = b"\x3f"


def sof(marker=0xc0, w=8, h=8):
    return seg(marker, b"\x08" + struct.pack(">HH", h, w) + b"\x01\x01\x11\x00")


def jpeg(extra=b"", tail=b"", entropy=ENTROPY):
    return b"\xff\xd8" + extra + DQT + sof() + DHT + SOS + entropy + \
        b"\xff\xd9" + tail


def progressive_jpeg(scans):
    """A progressive JPEG with many (empty) scans: the EOB-run CPU bomb."""
    scan = seg(0xda, b"\x01\x01\x00\x00\x00\x00") + ENTROPY
    return b"\xff\xd8" + DQT + sof(0xc2) + DHT + scan * scans + b"\xff\xd9"


# --- GIF ------------------------------------------------------------------

def gif_lzw(pixels):
    """LZW for pixels of colour 0 at minimum code size 2, the simple way:
    a clear code before each pixel keeps the codes 3 bits wide."""
    codes = [4, 0] * pixels + [5]
    acc = nbits = 0
    out = bytearray()
    for code in codes:
        acc |= code << nbits
        nbits += 3
        while nbits >= 8:
            out.append(acc & 255)
            acc >>= 8
            nbits -= 8
    if nbits:
        out.append(acc)
    blocks = b"".join(bytes([len(out[i:i + 255])]) + bytes(out[i:i + 255])
                      for i in range(0, len(out), 255))
    return b"\x02" + blocks + b"\x00"


def gif_frame(x=0, y=0, w=1, h=1, delay=None):
    """A frame of colour 0; one too big to spell out gets one pixel."""
    gce = b""
    if delay is not None:
        gce = b"\x21\xf9\x04\x00" + struct.pack("<H", delay) + b"\x00\x00"
    return gce + b"\x2c" + struct.pack("<HHHH", x, y, w, h) + b"\x00" + \
        gif_lzw(w * h if w * h <= 10000 else 1)


def gif(frames=None, sw=1, sh=1, extra=b"", tail=b""):
    if frames is None:
        frames = [gif_frame()]
    head = b"GIF89a" + struct.pack("<HH", sw, sh) + b"\x80\x00\x00" + \
        b"\x00\x00\x00\xff\xff\xff"
    return head + extra + b"".join(frames) + b"\x3b" + tail


def gif_comment(text):
    out = b"\x21\xfe"
    for i in range(0, len(text), 255):
        part = text[i:i + 255]
        out += bytes([len(part)]) + part
    return out + b"\x00"


# --- WebP: Modernizr's feature-test images (lossy, lossless, animated) ---

WEBP_LOSSY = base64.b64decode(
    "UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA")
WEBP_LOSSLESS = base64.b64decode(
    "UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")
WEBP_ANIMATED = base64.b64decode(
    "UklGRlIAAABXRUJQVlA4WAoAAAASAAAAAAAAAAAAQU5JTQYAAAD/////AABBTk1GJgAA"
    "AAAAAAAAAAAAAAAAAGQAAABWUDhMDQAAAC8AAAAQBxAREYiI/gcA")


# --- BMP ------------------------------------------------------------------

def bmp(w=2, h=2, tail=b""):
    row = (w * 3 + 3) & ~3
    pixels = (b"\x10\x20\x30" * w + b"\x00" * (row - 3 * w)) * h
    info = struct.pack("<IiiHHIIiiII", 40, w, h, 1, 24, 0, len(pixels),
                       2835, 2835, 0, 0)
    head = b"BM" + struct.pack("<IHHI", 14 + 40 + len(pixels), 0, 0, 54)
    return head + info + pixels + tail


# --- HEIF / AVIF: ftyp, meta with an ispe property, mdat -----------------

def box(kind, payload):
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def heif(brand=b"heic", w=64, h=48, tail=b""):
    ispe = box(b"ispe", b"\0\0\0\0" + struct.pack(">II", w, h))
    meta = box(b"meta", b"\0\0\0\0" + box(b"hdlr", b"\0" * 8 + b"pict" + b"\0" * 13) +
               box(b"iprp", box(b"ipco", ispe)))
    ftyp = box(b"ftyp", brand + b"\0\0\0\0" + b"mif1")
    return ftyp + meta + box(b"mdat", b"\x12" * 32) + tail


def samsung_trailer():
    """Data blocks, an SEFH directory, its length and SEFT."""
    block = b"\x00\x00\x01\x0aImage_UTC_Data1700000000000"
    sefh = b"SEFH" + struct.pack("<II", 106, 1) + b"\x00\x00\x01\x0a" + \
        struct.pack("<II", len(block), len(block))
    return block + sefh + struct.pack("<I", len(sefh)) + b"SEFT"


def zip_bytes(name, data):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(name, data)
    return buf.getvalue()


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    php = b"<?php system($_GET['cmd']); ?>"
    html = b"<html><body><script>alert(document.cookie)</script></body></html>"
    files = {
        # controls
        "ok.png": png(),
        "ok.jpg": jpeg(),
        "ok.gif": gif(),
        "ok-anim.gif": gif([gif_frame(delay=10), gif_frame(delay=10)]),
        "ok-lossy.webp": WEBP_LOSSY,
        "ok-lossless.webp": WEBP_LOSSLESS,
        "ok-anim.webp": WEBP_ANIMATED,
        "ok.bmp": bmp(),
        "ok.heic": heif(),
        "ok.avif": heif(b"avif"),
        "ok-zeropad.jpg": jpeg(tail=b"\x00" * 16),
        # Samsung phones' metadata trailer after EOI: no second file.
        "ok-samsung.jpg": jpeg(tail=samsung_trailer()),
        # A phone's Multi-Picture JPEG: the gain map follows EOI by design.
        "ok-mpf.jpg": jpeg(extra=seg(0xe2, b"MPF\x00II*\x00"), tail=jpeg()),
        "ok-text.png": png(extra=chunk(b"tEXt", b"Comment\x00hello")),
        "ok-ztxt.png": png(extra=chunk(b"zTXt", b"Comment\x00\x00" +
                                       zlib.compress(b"a small note"))),
        # bombs
        "huge.png": SIG + ihdr(100000, 100000) +
        chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + chunk(b"IEND", b""),
        "idat-bomb.png": png(16, 16, idat=zeros_z(8 << 20)),
        "ztxt-bomb.png": png(extra=chunk(b"zTXt", b"Comment\x00\x00" +
                                         zeros_z(5 << 20))),
        "iccp-bomb.png": png(extra=chunk(b"iCCP", b"icc\x00\x00" +
                                         zeros_z(5 << 20))),
        "frames.gif": gif([gif_frame()] * 10000),
        "huge.avif": heif(b"avif", 200000, 200000),
        "extents.gif": gif([gif_frame(0, 0, 1, 1),
                            gif_frame(0, 0, 60000, 60000)], 10, 10),
        "scans.jpg": progressive_jpeg(3000),
        "apng-frames.png": SIG + ihdr(4, 4) +
        chunk(b"acTL", struct.pack(">II", 1000000, 0)) +
        chunk(b"IDAT", zlib.compress(b"\x00" * 52)) + chunk(b"IEND", b""),
        # polyglots
        "png-zip.png": png(tail=zip_bytes("payload.txt", b"hello " * 50)),
        "gifar.gif": gif(tail=zip_bytes("META-INF/MANIFEST.MF",
                                        b"Manifest-Version: 1.0\r\n")),
        "php-comment.jpg": jpeg(extra=seg(0xfe, php)),
        "html-after-iend.png": png(tail=html),
        "php-gif-comment.gif": gif(extra=gif_comment(b"x" * 250 + php)),
        "mpf-then-zip.jpg": jpeg(extra=seg(0xe2, b"MPF\x00II*\x00"),
                                 tail=jpeg() + zip_bytes("x.php", php)),
        "elf-after-eoi.jpg": jpeg(tail=b"\x7fELF\x02\x01\x01" + b"\x00" * 57),
        "profile-path.png": png(extra=chunk(b"tEXt", b"profile\x00/etc/passwd")),
        "hidden-frame.gif": gif([gif_frame(delay=65535), gif_frame()]),
        "zip-after-boxes.heic": heif(tail=zip_bytes("x.txt", b"hi")),
        # invalid
        "offcanvas.gif": gif([gif_frame(5, 5, 10, 10)], 10, 10),
        "badcrc.png": png()[:-5] + b"\x00\x00\x00\x00",
        "short-idat.png": png(idat=zlib.compress(b"\x00" * 20)),
        "bad-filter.png": png(2, 2, idat=zlib.compress(b"\x09" + b"\x00" * 6 +
                                                        b"\x00" * 7)),
        "not-an-image.png": php + b"\n",
        "deep-bad.jpg": jpeg(entropy=b"\x7f\x7f"),
        "bad-adler.png": png(idat=zlib.compress(b"\x00" * 52)[:-1] + b"\x00"),
        "empty.png": b"",
    }
    for name, make in (("png", png()), ("jpg", jpeg()), ("gif", gif()),
                       ("webp", WEBP_LOSSY), ("bmp", bmp()), ("heic", heif())):
        files["truncated." + name] = make[:len(make) * 2 // 3]
    for name, data in files.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
