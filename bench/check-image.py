#!/usr/bin/env python3
"""make bench for vc-check-image: images per second against Pillow.

Usage: check-image.py BIN IMAGES_DIR [ROUNDS]

The baseline is Pillow (Debian python3-pil) as a Python upload handler
uses it: Image.open + verify, then open again + load, with its default
limits, in one process.  vc-check-image reads the same files, named by JSON
lines on stdin (--annotate), in one process, structural and --deep.  Every
file list is repeated ROUNDS times (default 5); the best of 3 runs of each
is kept.  Times are CPU time (user + system) of the one process doing the
work, not wall time: both sides are single-threaded and read from a warm
page cache (every file is read once before any timing), so on an idle
machine the two agree, and on a shared one the other jobs do not land in
either figure.  Process start-up counts for neither side: Pillow's loop
times itself after the interpreter has started and imported PIL (some
30 ms, which would otherwise be charged to Pillow), and vc-check-image's
time has its start-up on empty input (best of 5, about 1 ms) taken off.
Ratios are computed in this run; the absolute rates are for context only.
"""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

PILLOW = r"""
import sys, time, warnings
from PIL import Image
warnings.simplefilter("ignore")
paths = [p for p in sys.stdin.read().split("\n") if p]
bad = 0
t0 = time.process_time()
for path in paths:
    try:
        with Image.open(path) as im:
            im.verify()
        with Image.open(path) as im:
            im.load()
    except Exception:
        bad += 1
print(time.process_time() - t0, bad)
"""


def child_cpu():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def best_of(n, argv, stdin_path, worst_ok=1, self_timed=False):
    """Least CPU time of n runs; with self_timed, the time the program
    prints first on its output (its own loop, without its start-up)."""
    best = None
    for _ in range(n):
        with open(stdin_path, "rb") as f:
            t0 = child_cpu()
            proc = subprocess.run(argv, stdin=f, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL)
            dt = child_cpu() - t0
        if proc.returncode > worst_ok:
            sys.exit(f"bench: {argv[0]} exited {proc.returncode}")
        if self_timed:
            dt = float(proc.stdout.split()[0])
        best = dt if best is None or dt < best else best
    return best, proc.stdout


# Uploads as a try-on service gets them, made with Pillow itself: photos
# (JPEG, WebP), screenshots (PNG), short animations (GIF).  Seeded, so
# every run measures the same bytes.
SYNTHETIC = r"""
import os, random, sys
from PIL import Image, ImageDraw, ImageFilter
out = sys.argv[1]
random.seed(7)
def photo(w, h):
    im = Image.radial_gradient("L").resize((w, h)).convert("RGB")
    noise = Image.effect_noise((w, h), 40).convert("RGB")
    return Image.blend(im, noise, 0.3).filter(ImageFilter.SMOOTH)
for fmt, count, size in (("jpeg", 8, (2400, 1800)), ("webp", 6, (1600, 1200)),
                         ("png", 8, (1280, 800)), ("gif", 6, (480, 360))):
    os.makedirs(os.path.join(out, fmt), exist_ok=True)
    for i in range(count):
        path = os.path.join(out, fmt, "%d.%s" % (i, fmt))
        if fmt == "jpeg":
            photo(*size).save(path, quality=85, progressive=(i % 2 == 1))
        elif fmt == "webp":
            photo(*size).save(path, quality=80)
        elif fmt == "png":
            im = Image.new("RGB", size, (240, 240, 240))
            d = ImageDraw.Draw(im)
            for k in range(300):
                x, y = random.randrange(size[0]), random.randrange(size[1])
                d.rectangle((x, y, x + random.randrange(200), y + 14),
                            fill=tuple(random.randrange(256) for _ in range(3)))
            im.save(path)
        else:
            frames = [photo(*size).quantize(64) for _ in range(8)]
            frames[0].save(path, save_all=True, append_images=frames[1:], duration=80)
"""


def warm(files):
    for p in set(files):
        with open(p, "rb") as f:
            while f.read(1 << 20):
                pass


def startup(binary, tmp):
    """vc-check-image's own start-up: a run on empty input, best of 5."""
    empty = os.path.join(tmp, "empty")
    open(empty, "w").close()
    st, _ = best_of(5, [binary, "--annotate"], empty)
    deep, _ = best_of(5, [binary, "--annotate", "--deep"], empty)
    return st, deep


# The structural pass takes so little time per list that it reads the
# list this many times more often than the others (its rate is still per
# image of the same list), so that its figure is not a few milliseconds.
STRUCTURAL_MORE = 10


def measure(binary, python, files, rounds, tmp, start):
    """Seconds per image for Pillow, structural and --deep, and the list's
    bytes per image."""
    files = [os.path.abspath(f) for f in files]
    paths = os.path.join(tmp, "paths")
    records = os.path.join(tmp, "records.jsonl")
    records_more = os.path.join(tmp, "records-more.jsonl")
    with open(paths, "w") as f:
        f.write("\n".join(files * rounds) + "\n")
    with open(records, "w") as f:
        for p in files * rounds:
            f.write(json.dumps({"path": p, "user_id": "bench"}) + "\n")
    with open(records_more, "w") as f:
        for p in files * (rounds * STRUCTURAL_MORE):
            f.write(json.dumps({"path": p, "user_id": "bench"}) + "\n")
    size = sum(os.path.getsize(p) for p in files) / len(files)
    warm(files)
    pil, _ = best_of(3, [python, "-c", PILLOW], paths, 0, self_timed=True)
    st, _ = best_of(3, [binary, "--annotate"], records_more)
    deep, _ = best_of(3, [binary, "--annotate", "--deep"], records)
    # Never less than a tenth of the measured time, however noisy the
    # start-up figure was.
    st = max(st - start[0], st / 10)
    deep = max(deep - start[1], deep / 10)
    n = len(files) * rounds
    return size, pil / n, st / (n * STRUCTURAL_MORE), deep / n


def main():
    binary, images = os.path.abspath(sys.argv[1]), sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    # Debian's python3-pil lives in the system interpreter, which a pyenv
    # or venv python3 on PATH would hide.
    python = os.environ.get("PYTHON_PIL") or (
        "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable)
    sets = {}
    for name in sorted(os.listdir(images)):
        folder = os.path.join(images, name)
        if os.path.isdir(folder):
            sets[name] = [os.path.join(folder, f) for f in sorted(os.listdir(folder))
                          if f != "labels.jsonl"]
    sets["all"] = [f for v in list(sets.values()) for f in v]
    synthetic = tempfile.mkdtemp()
    subprocess.run([python, "-c", SYNTHETIC, synthetic], check=True)
    for fmt in sorted(os.listdir(synthetic)):
        folder = os.path.join(synthetic, fmt)
        sets["uploads-" + fmt] = [os.path.join(folder, f) for f in sorted(os.listdir(folder))]
    with tempfile.TemporaryDirectory() as tmp:
        start = startup(binary, tmp)
    print(f"vc-check-image bench: each set {rounds} times over "
          f"(structural {rounds * STRUCTURAL_MORE}), best of 3; "
          "images per CPU second (MB/s); ratios against Pillow open+verify+load in this run;")
    print(f"  start-up left out on both sides (vc-check-image {start[0] * 1e3:.1f} ms, "
          f"--deep {start[1] * 1e3:.1f} ms; Pillow times its own loop)")
    print(f"  {'set':<15} {'images':>6} {'Pillow':>18} {'structural':>18} {'--deep':>18}"
          f" {'struct/Pillow':>14} {'deep/Pillow':>12}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, files in sets.items():
            size, pil, st, deep = measure(binary, python, files, rounds, tmp, start)
            cells = [f"{1 / t:8.0f} ({size / t / 1e6:6.1f})" for t in (pil, st, deep)]
            print(f"  {name:<15} {len(files):>6} {cells[0]:>18} {cells[1]:>18} {cells[2]:>18}"
                  f" {pil / st:13.1f}x {pil / deep:11.1f}x")
    print("  uploads-*: made here with Pillow (seeded): photos, screenshots, animations")
    print("  targets: structural >= 20x Pillow, --deep >= 2x Pillow")
    subprocess.run(["rm", "-rf", synthetic], check=False)


if __name__ == "__main__":
    main()
