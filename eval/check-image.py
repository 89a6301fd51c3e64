#!/usr/bin/env python3
"""make eval for vc-check-image: verdicts against ../shared/data/images.

Usage: check-image.py BIN IMAGES_DIR [OPTION ...]

For every set (a folder with labels.jsonl) runs BIN on all its files in one
process and prints the confusion of expected labels (rows) against
verdicts (columns), then the issue's targets:
  pngsuite        161/161 valid files ok, 14/14 x* files not ok
  corkami         every non-debatable label matched
  imagetestsuite  a verdict for every file (no crash, no hang)
Exits 1 when a target is missed.  Extra options go to BIN (e.g. --deep).
"""
import collections
import json
import os
import subprocess
import sys

VERDICTS = ["ok", "invalid_image", "polyglot", "decompression_bomb", "unsupported"]
MATCH = {"ok": "ok", "invalid": "invalid_image", "polyglot": "polyglot",
         "bomb": "decompression_bomb"}


def run(binary, folder, files, options):
    proc = subprocess.run([binary, *options, *files], cwd=folder,
                          capture_output=True, timeout=600)
    got = {}
    for line in proc.stdout.decode().splitlines():
        rec = json.loads(line)
        got[rec["path"]] = rec["image"]
    return proc.returncode, got


def table(rows):
    width = max(len(k) for k in rows) + 2
    print(" " * width + "".join(f"{v[:12]:>14}" for v in VERDICTS))
    for label, counts in sorted(rows.items()):
        print(f"{label:<{width}}" + "".join(f"{counts.get(v, 0):>14}" for v in VERDICTS))


def main():
    binary, images, options = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3:]
    failed = False
    for name in sorted(os.listdir(images)):
        folder = os.path.join(images, name)
        labels_path = os.path.join(folder, "labels.jsonl")
        if not os.path.isfile(labels_path):
            continue
        with open(labels_path) as f:
            labels = [json.loads(line) for line in f if line.strip()]
        files = [row["file"] for row in labels]
        rc, got = run(binary, folder, files, options)
        rows = collections.defaultdict(collections.Counter)
        missing = [f for f in files if f not in got]
        mismatched = []
        for row in labels:
            verdict = got.get(row["file"], {}).get("verdict", "none")
            key = row["expect"]
            if name == "pngsuite":
                key = "x* (invalid)" if row["file"].startswith("x") else "valid"
            if row.get("debatable"):
                key += " (debatable)"
            rows[key][verdict] += 1
            want = MATCH.get(row["expect"])
            if name == "corkami" and want and not row.get("debatable") and verdict != want:
                mismatched.append(f"{row['file']}: {row['expect']} -> {verdict}")
        print(f"== {name}: {len(files)} files, exit {rc}")
        table(rows)
        if name == "pngsuite":
            valid_ok = rows["valid"]["ok"]
            x_not_ok = sum(rows["x* (invalid)"].values()) - rows["x* (invalid)"]["ok"]
            ok = valid_ok == 161 and x_not_ok == 14
            print(f"target: valid ok {valid_ok}/161, x* not ok {x_not_ok}/14: "
                  f"{'met' if ok else 'MISSED'}")
        elif name == "corkami":
            ok = not mismatched
            for m in mismatched:
                print("  mismatch", m)
            print(f"target: every non-debatable label matched: {'met' if ok else 'MISSED'}")
        else:
            ok = not missing
            print(f"target: a verdict for {len(files) - len(missing)}/{len(files)} files: "
                  f"{'met' if ok else 'MISSED'}")
        failed |= not ok or rc > 1
        print()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
