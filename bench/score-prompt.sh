#!/usr/bin/env bash
# vc-score-prompt against jq -c . on the same generated chat file in the
# same run, on one core; start-up time; peak memory at two input sizes;
# and Hyperscan against PCRE2-JIT on the pattern file.
# Usage: bench/score-prompt.sh BINDIR ENGINES_BINARY [LINES]
set -eu
bindir=$1
engines=$2
lines=${3:-1000000}
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export VC_DATADIR="$here/../share/vcobs" VC_CACHE_DIR="$dir/cache"
bin="$bindir/vc-score-prompt"
one=
command -v taskset >/dev/null && one="taskset -c 0"

python3 "$here/gen-chat.py" "$lines" >"$dir/chat.jsonl"
python3 "$here/gen-chat.py" $((lines / 10)) >"$dir/chat10.jsonl"
bytes=$(stat -c %s "$dir/chat.jsonl")

now() { date +%s.%N; }
# Best of three wall-clock seconds of "$@" over the chat file.
best() {
	local best= t0 t1 t i
	for i in 1 2 3; do
		t0=$(now)
		$one "$@" <"$dir/chat.jsonl" >/dev/null
		t1=$(now)
		t=$(echo "$t1 - $t0" | bc -l)
		if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
	done
	echo "$best"
}

# The first run compiles the patterns and fills the cache.
t0=$(now)
"$bin" </dev/null
t_compile=$(echo "$(now) - $t0" | bc -l)

t_jq=$(best jq -c .)
t_vc=$(best "$bin")
rate() { echo "scale=0; $lines / $1" | bc -l; }
mbs() { echo "scale=1; $bytes / $1 / 1000000" | bc -l; }
echo "vc-score-prompt: $lines chat lines, $((bytes / lines)) bytes each, one core"
printf '  %-32s %10s msgs/s %8s MB/s\n' "jq -c ." "$(rate "$t_jq")" "$(mbs "$t_jq")"
printf '  %-32s %10s msgs/s %8s MB/s\n' "vc-score-prompt" "$(rate "$t_vc")" "$(mbs "$t_vc")"
printf '  ratio vc-score-prompt / jq -c . = %.2fx (target >= 0.5x, and >= 100000 msgs/s)\n' \
	"$(echo "$t_jq / $t_vc" | bc -l)"

# Start-up: scoring an empty input, patterns cached.
if command -v hyperfine >/dev/null; then
	hyperfine -N --warmup 3 --runs 30 --export-json "$dir/start.json" "$bin /dev/null" >/dev/null 2>&1
	start=$(jq '.results[0].mean * 1000' "$dir/start.json")
else
	t0=$(now)
	for i in $(seq 20); do "$bin" </dev/null; done
	start=$(echo "($(now) - $t0) * 50" | bc -l)
fi
printf '  start-up %.1f ms with the pattern cache (target < 50 ms); first run, compiling: %.0f ms\n' \
	"$start" "$(echo "$t_compile * 1000" | bc -l)"

if [ -x /usr/bin/time ]; then
	m10=$(/usr/bin/time -f %M "$bin" "$dir/chat10.jsonl" 2>&1 >/dev/null | tail -n 1)
	m100=$(/usr/bin/time -f %M "$bin" "$dir/chat.jsonl" 2>&1 >/dev/null | tail -n 1)
	echo "  peak memory: $((m10 / 1024)) MiB on $((lines / 10)) lines, $((m100 / 1024)) MiB on $lines lines"
fi
"$engines" "$VC_DATADIR/prompt/patterns.txt" 200000 | sed 's/^/  /'
