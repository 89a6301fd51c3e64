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
# Both programs are single-threaded, so each runs on one core; they are
# not pinned, so that other load on the machine hurts them less.
one=

python3 "$here/gen-chat.py" "$lines" >"$dir/chat.jsonl"
python3 "$here/gen-chat.py" $((lines / 10)) >"$dir/chat10.jsonl"
bytes=$(stat -c %s "$dir/chat.jsonl")

now() { date +%s.%N; }
# Best of three runs of "$@" over the chat file: "WALL CPU" seconds (CPU =
# user + system, which other load on the machine does not inflate).
best() {
	local bw= bc= w c i
	for i in 1 2 3; do
		/usr/bin/time -f '%e %U %S' -o "$dir/time" $one "$@" <"$dir/chat.jsonl" >/dev/null
		read -r w u s <"$dir/time"
		c=$(echo "$u + $s" | bc -l)
		if [ -z "$bw" ] || [ "$(echo "$w < $bw" | bc -l)" = 1 ]; then bw=$w; fi
		if [ -z "$bc" ] || [ "$(echo "$c < $bc" | bc -l)" = 1 ]; then bc=$c; fi
	done
	echo "$bw $bc"
}

# The first run compiles the patterns and fills the cache.
t0=$(now)
"$bin" </dev/null
t_compile=$(echo "$(now) - $t0" | bc -l)

read -r w_jq c_jq <<<"$(best jq -c .)"
read -r w_vc c_vc <<<"$(best "$bin")"
rate() { echo "scale=0; $lines / $1" | bc -l; }
mbs() { echo "scale=1; $bytes / $1 / 1000000" | bc -l; }
echo "vc-score-prompt: $lines chat lines, $((bytes / lines)) bytes each, one core (best of 3)"
printf '  %-18s %10s msgs/s %7s MB/s wall   %10s msgs/s of CPU\n' "jq -c ." \
	"$(rate "$w_jq")" "$(mbs "$w_jq")" "$(rate "$c_jq")"
printf '  %-18s %10s msgs/s %7s MB/s wall   %10s msgs/s of CPU\n' "vc-score-prompt" \
	"$(rate "$w_vc")" "$(mbs "$w_vc")" "$(rate "$c_vc")"
printf '  ratio vc-score-prompt / jq -c . = %.2fx wall, %.2fx CPU (target >= 0.5x; >= 100000 msgs/s)\n' \
	"$(echo "$w_jq / $w_vc" | bc -l)" "$(echo "$c_jq / $c_vc" | bc -l)"

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
