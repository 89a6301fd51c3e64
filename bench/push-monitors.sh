#!/usr/bin/env bash
# make bench for vc-push-monitors: N monitors against the fake monitor API
# on 127.0.0.1.  The baseline, measured in the same run, is fetching the
# same managed listing with curl and splitting it with `jq -c '.[]'`: a
# no-op plan costs the listing plus loading, checking, canonicalising and
# diffing every monitor.  Usage: bench/push-monitors.sh BIN [N] [ROUNDS]
set -euo pipefail
bin=$1 n=${2:-1000} rounds=${3:-5}
dir=$(mktemp -d)
trap 'kill "$fake" 2>/dev/null || true; rm -rf "$dir"' EXIT
export DD_API_KEY=bench-api-key DD_APP_KEY=bench-app-key
export FAKE_DD_API_KEY=$DD_API_KEY FAKE_DD_APP_KEY=$DD_APP_KEY
python3 - "$dir/m.jsonl" "$n" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(int(sys.argv[2])):
        f.write(json.dumps({
            "name": "bench %d" % i, "type": "metric alert",
            "query": "avg(last_5m):max:llm.security.injection_attempt_score{service:s%d} by {session_id} > 0.7" % i,
            "message": "Session {{session_id.name}} @incident-prompt-injection",
            "tags": ["team:sec", "bench"], "priority": 2,
            "options": {"thresholds": {"critical": 0.7, "warning": 0.5},
                        "notify_no_data": False, "renotify_interval": 60}}) + "\n")
PY
python3 "$(dirname "$0")/../tests/fake/monitor_api.py" --port-file "$dir/port" \
	--lifetime 600 --max-requests $((n * 4 + 100)) &
fake=$!
for _ in $(seq 100); do [ -s "$dir/port" ] && break; sleep 0.05; done
url="http://127.0.0.1:$(cat "$dir/port")"

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.6f", b - a }'; }
# The median wall time of ROUNDS runs of "$@", in seconds.
median() {
	local i t0 ts=()
	for i in $(seq "$rounds"); do
		t0=$(now)
		"$@" >/dev/null 2>&1 || true
		ts+=("$(since "$t0")")
	done
	printf '%s\n' "${ts[@]}" | sort -g | sed -n "$(((rounds + 1) / 2))p"
}

t0=$(now)
"$bin" --api-url "$url" -m "$dir/m.jsonl" >/dev/null 2>&1
create=$(since "$t0")
noop=$(median "$bin" --api-url "$url" -m "$dir/m.jsonl" --dry-run)
base=$(median sh -c "curl -sf -H 'DD-API-KEY: $DD_API_KEY' -H 'DD-APPLICATION-KEY: $DD_APP_KEY' \
	'$url/api/v1/monitor?monitor_tags=managed-by:vcobs&page=0&page_size=1000' | jq -c '.[]'")
# CPU of the tool itself (the fake server's serialising is most of the wall).
TIMEFORMAT=%U
cpu=$( { time "$bin" --api-url "$url" -m "$dir/m.jsonl" --dry-run >/dev/null 2>&1; } 2>&1 )
awk -v n="$n" -v c="$create" -v p="$noop" -v b="$base" -v u="$cpu" 'BEGIN {
	printf "vc-push-monitors: first push of %d monitors (validate, create one at a time): %.2f s, %.0f monitors/s\n", n, c, n / c
	printf "vc-push-monitors: no-op plan of %d monitors: %.3f s (%.0f monitors/s); baseline curl listing | jq -c: %.3f s; ratio %.2fx the baseline\n", n, p, n / p, b, p / b
	printf "vc-push-monitors: CPU of that no-op plan (load, --check, list, canonicalise, diff): %.3f s user, %.0f monitors per CPU second\n", u, (u > 0 ? n / u : 0)
}'
