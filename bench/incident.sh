#!/usr/bin/env bash
# vc-incident's benchmark: N alert transitions (bench/incident-gen.py) into
# an on-disk SQLite store, against the same run without --state (the same
# schema in memory), in the same command; plus a rerun over the same log
# (every transition a replay) and jq -c . on the input for scale.
# Medians of 3 on one core (taskset -c 0); wall and CPU (user+sys) times,
# since CPU time is what a busy machine does not blur.
# Usage: bench/incident.sh BINDIR [N [KEYS]]
set -eu
bin=$1 n=${2:-100000} keys=${3:-10000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export VC_DATADIR="${VC_DATADIR:-$(pwd)/share/vcobs}"
python3 bench/incident-gen.py "$n" "$keys" >"$dir/in.jsonl"
now=1764150000
pin=
command -v taskset >/dev/null && pin="taskset -c 0"

# measure SETUP CMD...: prints "WALL CPU", medians of 3 runs.
measure() {
	local setup=$1 i t
	shift
	for i in 1 2 3; do
		eval "$setup"
		t=$( { TIMEFORMAT='%R %U %S'; time $pin "$@" >/dev/null; } 2>&1 | tail -1)
		echo "$t"
	done >"$dir/times"
	printf '%s %s\n' "$(awk '{ print $1 }' "$dir/times" | sort -n | sed -n 2p)" \
		"$(awk '{ print $2 + $3 }' "$dir/times" | sort -n | sed -n 2p)"
}

mem=$(measure : "$bin/vc-incident" --now $now "$dir/in.jsonl")
disk=$(measure "rm -f $dir/s.db $dir/s.db-wal $dir/s.db-shm" \
	"$bin/vc-incident" -s "$dir/s.db" --now $now "$dir/in.jsonl")
replay=$(measure : "$bin/vc-incident" -s "$dir/s.db" --now $now "$dir/in.jsonl")
jq=$(measure : jq -c . "$dir/in.jsonl")
awk -v n="$n" -v keys="$keys" -v bytes="$(wc -c <"$dir/in.jsonl")" \
	-v mem="$mem" -v disk="$disk" -v replay="$replay" -v jq="$jq" 'BEGIN {
	split(mem, m); split(disk, d); split(replay, r); split(jq, j)
	printf "vc-incident bench: %d transitions over %d incident keys (%.0f MB)\n", n, keys, bytes / 1e6
	printf "  %-28s %7s %7s %10s %10s\n", "", "wall s", "cpu s", "per s wall", "per s cpu"
	printf "  %-28s %7.2f %7.2f %10.0f %10.0f\n", "no --state (baseline)", m[1], m[2], n / m[1], n / m[2]
	printf "  %-28s %7.2f %7.2f %10.0f %10.0f\n", "--state on disk", d[1], d[2], n / d[1], n / d[2]
	printf "  %-28s %7.2f %7.2f %10.0f %10.0f\n", "rerun: all replays", r[1], r[2], n / r[1], n / r[2]
	printf "  %-28s %7.2f %7.2f %10.0f %10.0f\n", "jq -c . (for scale)", j[1], j[2], n / j[1], n / j[2]
	printf "  on disk vs no --state: %.2fx wall, %.2fx cpu; rerun vs no --state: %.2fx wall\n", m[1] / d[1], m[2] / d[2], m[1] / r[1]
}'
