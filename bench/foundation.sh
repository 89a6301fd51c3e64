#!/usr/bin/env bash
# The record layer against its baselines, on the same file in the same
# run: cat (the ceiling), jq -c . (the issue's baseline), and vcobs'
# reader (check strictly, read a field, write the record back).
# Usage: bench/foundation.sh BENCH_READER_BINARY [LINES]
set -eu
reader=$1
lines=${2:-1000000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
awk -v n="$lines" -f "$(dirname "$0")/gen-metrics.awk" >"$dir/metrics.jsonl"
bytes=$(stat -c %s "$dir/metrics.jsonl")

# Best of three wall-clock seconds.
best() {
	local best= t0 t1 t i
	for i in 1 2 3; do
		t0=$(date +%s.%N)
		"$@" <"$dir/metrics.jsonl" >/dev/null 2>&1
		t1=$(date +%s.%N)
		t=$(echo "$t1 - $t0" | bc -l)
		if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
	done
	echo "$best"
}
t_cat=$(best cat)
t_jq=$(best jq -c .)
t_vc=$(best "$reader")
rate() { echo "scale=0; $lines / $1" | bc -l; }
mbs() { echo "scale=1; $bytes / $1 / 1000000" | bc -l; }
echo "foundation: $lines metric lines, $((bytes / lines)) bytes each"
printf '  %-28s %10s lines/s %8s MB/s\n' "cat" "$(rate "$t_cat")" "$(mbs "$t_cat")"
printf '  %-28s %10s lines/s %8s MB/s\n' "jq -c ." "$(rate "$t_jq")" "$(mbs "$t_jq")"
printf '  %-28s %10s lines/s %8s MB/s\n' "vcobs reader+writer" "$(rate "$t_vc")" "$(mbs "$t_vc")"
printf '  ratio vcobs / jq -c . = %.1fx\n' "$(echo "$t_jq / $t_vc" | bc -l)"
