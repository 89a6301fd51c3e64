#!/usr/bin/env bash
# make bench for vc-eval-rules: 1,000,000 points over 100,000 groups and
# the five shipped monitors, against parsing the same file with libjq's
# jv_parse_sized alone (bench/eval-rules-jvparse.c), in the same run.
# Usage: eval-rules.sh VC-EVAL-RULES JVPARSE WORKDIR [POINTS]
set -eu
bin=$1 jvparse=$2 work=$3 n=${4:-1000000}
mkdir -p "$work"
pts=$work/eval-rules-$n.jsonl
[ -s "$pts" ] || python3 "$(dirname "$0")/eval-rules-gen.py" "$n" >"$pts"
bytes=$(wc -c <"$pts")

# CPU seconds (user + sys) of one run of "$@" <"$pts", output discarded.
cpu() {
	local TIMEFORMAT='%U %S'
	{ time "$@" <"$pts" >/dev/null 2>/dev/null; } 2>&1 | awk '{ printf "%.3f\n", $1 + $2 }'
}

# The median of three runs.
median3() {
	{ cpu "$@"; cpu "$@"; cpu "$@"; } | sort -n | sed -n 2p
}

# The floor: reading and checking every line, no monitor matching.
printf '%s\n' '{"name":"none","type":"metric alert","query":"avg(last_5m):avg:no.such.metric{*} > 1"}' \
	>"$work/eval-rules-none.json"
jv=$(median3 "$jvparse")
ev=$(median3 "$bin")
rd=$(median3 "$bin" -m "$work/eval-rules-none.json")
transitions=$("$bin" <"$pts" | wc -l)
rss=
if [ -x /usr/bin/time ]; then
	rss=$(/usr/bin/time -f '%M' "$bin" <"$pts" 2>&1 >/dev/null | tail -n 1)
fi
awk -v n="$n" -v b="$bytes" -v jv="$jv" -v ev="$ev" -v rd="$rd" -v tr="$transitions" -v rss="$rss" 'BEGIN {
	printf "vc-eval-rules: %d points (%.0f MB) over 100,000 groups, the 5 shipped monitors; CPU s, median of 3\n", n, b / 1e6
	printf "  jv_parse_sized alone      %6.2f s  %9.0f points/s\n", jv, n / jv
	printf "  reading only (no match)   %6.2f s  %9.0f points/s\n", rd, n / rd
	printf "  vc-eval-rules             %6.2f s  %9.0f points/s  (%d transitions%s)\n", ev, n / ev, tr, rss != "" ? sprintf(", peak RSS %.0f MB", rss / 1024) : ""
	printf "  ratio vs jv parse         %6.2fx  (target >= 0.7x)\n", jv / ev
	printf "  points/s vs 1,000,000     %6.2fx  (target >= 1x)\n", n / ev / 1e6
}'
