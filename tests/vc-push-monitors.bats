#!/usr/bin/env bats
# vc-push-monitors against a stateful fake of Datadog's monitor API
# (tests/fake/monitor_api.py) that each test starts on 127.0.0.1, and,
# where ../shared/vendor/datadog-openapi and prism are present, through
# Prism validating every request against Datadog's published spec.

load helper
bats_require_minimum_version 1.5.0

FAKE="$REPO/tests/fake/monitor_api.py"

setup() {
	export DD_API_KEY=fake-api-key DD_APP_KEY=fake-app-key
	unset DD_SITE
	M="$BATS_TEST_TMPDIR/m"
	mkdir -p "$M"
	write_monitors
	start_fake
}

teardown() {
	[ -n "${PRISM_PID:-}" ] && kill "$PRISM_PID" 2>/dev/null || true
	[ -n "${FAKE_PID:-}" ] && kill "$FAKE_PID" 2>/dev/null || true
}

# Starts the fake API; URL is its base.  Extra arguments go to the fake.
start_fake() {
	local port_file="$BATS_TEST_TMPDIR/port" i
	rm -f "$port_file"
	python3 "$FAKE" --port-file "$port_file" --lifetime 90 "$@" 3>&- &
	FAKE_PID=$!
	for i in $(seq 100); do
		[ -s "$port_file" ] && break
		sleep 0.05
	done
	[ -s "$port_file" ]
	URL="http://127.0.0.1:$(cat "$port_file")"
}

# Four monitors in three files: two lone objects, two JSON lines.
write_monitors() {
	cat >"$M/injection.json" <<-'EOF'
	{"name": "Prompt injection", "type": "metric alert",
	 "query": "avg(last_5m):max:llm.security.injection_attempt_score{*} by {session_id} > 0.7",
	 "message": "Session {{session_id.name}} @incident-prompt-injection",
	 "tags": ["team:sec"], "priority": 1,
	 "options": {"thresholds": {"critical": 0.7}, "notify_no_data": false}}
	EOF
	cat >"$M/quality.json" <<-'EOF'
	{"name": "Quality", "type": "query alert",
	 "query": "avg(last_15m):avg:llm.response.quality_score{*} < 0.6",
	 "message": "quality is low",
	 "options": {"thresholds": {"critical": 0.6, "warning": 0.7}}}
	EOF
	cat >"$M/more.jsonl" <<-'EOF'
	{"name": "Cost per conversion", "type": "metric alert", "query": "avg(last_1h):avg:llm.cost_per_conversion{*} > 10", "message": "costly", "options": {"thresholds": {"critical": 10}}}
	{"name": "Predicted errors", "type": "metric alert", "query": "max(last_10m):max:llm.prediction.error_probability{*} > 0.8", "message": "trouble ahead", "options": {"thresholds": {"critical": 0.8}}}
	EOF
}

# Talks to the fake's control endpoints: fake METHOD PATH [JSON].
fake() {
	if [ $# -gt 2 ]; then
		curl -sf -X "$1" -H 'Content-Type: application/json' -d "$3" "$URL$2"
	else
		curl -sf -X "$1" "$URL$2"
	fi
}

# How many logged API requests match the jq filter $1.
logged() {
	fake GET /_fake/log | jq "[.[] | select($1)] | length"
}

writes() {
	logged .write
}

stored() {
	fake GET /_fake/monitors | jq length
}

push() {
	run --separate-stderr vc-push-monitors --api-url "$URL" "$@"
}

# The actions of the plan or apply lines on stdout, sorted, one per line.
actions() {
	printf '%s\n' "$output" | jq -r .action | sort | uniq -c | awk '{print $2 "=" $1}' | paste -sd' '
}

@test "first push creates every monitor, tagged, and the server rewrites what it stores" {
	push -m "$M"
	assert_success
	[ "$(actions)" = "create=4" ]
	[ "$(printf '%s\n' "$output" | jq -s 'map(select(.applied and .id > 0)) | length')" = 4 ]
	[ "$(writes)" = 4 ]
	[ "$(stored)" = 4 ]
	run fake GET /_fake/monitors
	# ids from file names, BASE-N for JSON lines
	[ "$(jq -c '[.[].tags | map(select(startswith("vc-id:")))[0]] | sort' <<<"$output")" = \
		'["vc-id:injection","vc-id:more-1","vc-id:more-2","vc-id:quality"]' ]
	[ "$(jq '[.[] | select(.tags | index("managed-by:vcobs"))] | length' <<<"$output")" = 4 ]
	[ "$(jq '[.[] | select(.type == "metric alert")] | length' <<<"$output")" = 0 ]
	[[ "$stderr" == *"plan: 4 to create, 0 to update, 0 to delete, 0 unchanged"* ]]
	[[ "$stderr" == *"applied: 4 created, 0 updated, 0 deleted"* ]]
}

@test "vcobs' own five monitors push, then are no-ops" {
	[ -d "$VC_DATADIR/monitors" ] || skip "no shipped monitors in $VC_DATADIR"
	push -m "$VC_DATADIR/monitors"
	assert_success
	[ "$(actions)" = "create=5" ]
	push -m "$VC_DATADIR/monitors" --dry-run --detailed-exitcode
	assert_success
	[ "$(actions)" = "noop=5" ]
	[ "$(writes)" = 5 ]
}

@test "second push is all no-op with zero writes" {
	push -m "$M"
	assert_success
	fake DELETE /_fake/log >/dev/null
	push -m "$M"
	assert_success
	[ "$(actions)" = "noop=4" ]
	[ "$(printf '%s\n' "$output" | jq -s 'map(select(.applied == false and .changes == [])) | length')" = 4 ]
	[ "$(writes)" = 0 ]
	[[ "$stderr" == *"plan: 0 to create, 0 to update, 0 to delete, 4 unchanged"* ]]
}

@test "--dry-run --detailed-exitcode: exit 2 while changes are pending, 0 after, never a write" {
	push -m "$M" --dry-run --detailed-exitcode
	assert_failure 2
	[ "$(actions)" = "create=4" ]
	[ "$(printf '%s\n' "$output" | jq -s 'map(select(has("applied"))) | length')" = 0 ]
	[ "$(writes)" = 0 ]
	push -m "$M" -n
	assert_success
	push -m "$M"
	push -m "$M" --dry-run --detailed-exitcode
	assert_success
	[ "$(actions)" = "noop=4" ]
	[ "$(writes)" = 4 ]
}

@test "--dry-run --detailed-exitcode: a failure is exit 1, never 2 (which means changes pending)" {
	push -m "$BATS_TEST_TMPDIR/none" --dry-run --detailed-exitcode
	assert_failure 1
	[[ "$stderr" == *"none"* ]]
	DD_APP_KEY= push -m "$M" --dry-run --detailed-exitcode
	assert_failure 1
	[[ "$stderr" == *"DD_API_KEY and DD_APP_KEY must be set"* ]]
	run --separate-stderr sh -c 'vc-push-monitors --api-url "$1" -m "$2" --dry-run --detailed-exitcode >/dev/full' sh "$URL" "$M"
	assert_failure 1
	[[ "$stderr" == *"write error"* ]]
	# Without it, the same failures are I/O errors, and a mistake in the
	# options is a usage error either way.
	push -m "$BATS_TEST_TMPDIR/none" --dry-run
	assert_failure 2
	push -m "$M" --dry-run --detailed-exitcode --no-such-option
	assert_failure 2
	[ "$(writes)" = 0 ]
}

@test "an edit plans and applies exactly one update, with its paths" {
	push -m "$M"
	sed -i 's/< 0.6/< 0.5/; s/"critical": 0.6/"critical": 0.5/' "$M/quality.json"
	fake DELETE /_fake/log >/dev/null
	push -m "$M" --dry-run
	assert_success
	[ "$(actions)" = "noop=3 update=1" ]
	run jq -c 'select(.action == "update") | [.vc_id, [.changes[].path]]' <<<"$output"
	assert_output '["quality",[".options.thresholds.critical",".query"]]'
	push -m "$M"
	assert_success
	[ "$(logged '.method == "PUT"')" = 1 ]
	[ "$(writes)" = 1 ]
	[ "$(fake GET /_fake/monitors | jq -r '.[] | select(.name == "Quality") | .options.thresholds.critical')" = 0.5 ]
	push -m "$M" --dry-run --detailed-exitcode
	assert_success
}

@test "drift made in the UI is planned back to the file" {
	push -m "$M"
	id=$(fake GET /_fake/monitors | jq '.[] | select(.name == "Quality") | .id')
	fake PUT "/_fake/monitors/$id" '{"name": "Quality (edited)", "options": {"renotify_interval": 60, "thresholds": {"critical": 0.6, "warning": 0.7}}}' >/dev/null
	push -m "$M" --dry-run
	run jq -c 'select(.action == "update") | [.changes[] | [.path, .from, .to]]' <<<"$output"
	assert_output '[[".name","Quality (edited)","Quality"],[".options.renotify_interval",60,null]]'
	push -m "$M"
	push -m "$M" --dry-run --detailed-exitcode
	assert_success
}

@test "a removed file is deleted with --prune only, exactly once" {
	push -m "$M"
	rm "$M/quality.json"
	fake DELETE /_fake/log >/dev/null
	push -m "$M"
	assert_success
	[ "$(writes)" = 0 ]
	[[ "$stderr" == *"1 managed monitor in no file (--prune deletes it)"* ]]
	push -m "$M" --prune
	assert_success
	run jq -c 'select(.action == "delete") | [.vc_id, .applied]' <<<"$output"
	assert_output '["quality",true]'
	[ "$(logged '.method == "DELETE"')" = 1 ]
	[ "$(writes)" = 1 ]
	[ "$(stored)" = 3 ]
	push -m "$M" --prune --dry-run --detailed-exitcode
	assert_success
}

@test "deletes beyond --max-deletes are refused before any write" {
	push -m "$M"
	rm "$M/quality.json" "$M/injection.json"
	fake DELETE /_fake/log >/dev/null
	push -m "$M" --prune
	assert_failure 1
	[[ "$stderr" == *"deletes 2 of 4 managed monitors, more than --max-deletes 1"* ]]
	[ "$(writes)" = 0 ]
	push -m "$M" --prune --max-deletes 2
	assert_success
	[ "$(logged '.method == "DELETE"')" = 2 ]
	[ "$(stored)" = 2 ]
}

@test "an empty listing refuses to prune, and never duplicates without --prune" {
	push -m "$M"
	fake POST /_fake/config '{"empty_list": true}' >/dev/null
	fake DELETE /_fake/log >/dev/null
	push -m "$M" --prune
	assert_failure 1
	[[ "$stderr" == *"came back empty: refusing to prune"* ]]
	[ "$(writes)" = 0 ]
	# Without --prune, when only the managed listing comes back empty,
	# the name look-up before each create finds our own monitors.
	fake POST /_fake/config '{"empty_list": 1}' >/dev/null
	push -m "$M"
	assert_success
	[ "$(writes)" = 0 ]
	[ "$(actions)" = "noop=4" ]
	[ "$(stored)" = 4 ]
}

@test "an interrupted apply converges on re-run" {
	fake POST /_fake/faults '[{"method": "POST", "path": "/api/v1/monitor", "skip": 2, "times": 50, "status": 500}]' >/dev/null
	push -m "$M" --retries 0
	assert_failure 2
	[ "$(printf '%s\n' "$output" | jq -s 'map(select(.applied)) | length')" = 2 ]
	run jq -r 'select(.applied == false) | .error' <<<"$output"
	assert_output --partial "HTTP 500"
	[ "$(stored)" = 2 ]
	fake POST /_fake/faults '[]' >/dev/null
	push -m "$M"
	assert_success
	[ "$(actions)" = "create=2 noop=2" ]
	[ "$(stored)" = 4 ]
	push -m "$M" --dry-run --detailed-exitcode
	assert_success
}

# closed_stdout CMD...: runs CMD with standard output a pipe whose reader
# is already gone; prints its exit status (-13 when killed by SIGPIPE).
closed_stdout() {
	python3 -c 'import os, subprocess, sys
r, w = os.pipe()
os.close(r)
print(subprocess.run(sys.argv[1:], stdout=w).returncode)' "$@"
}

@test "standard output closed mid-apply (| head): stops between writes with a message, exit 2; re-run converges" {
	run --separate-stderr closed_stdout vc-push-monitors --api-url "$URL" -m "$M"
	# Killed by SIGPIPE it said nothing of the changes left undone.
	assert_output 2
	[[ "$stderr" == *"standard output closed: apply stopped before the next write; run again to apply the rest"* ]]
	[ "$(stored)" = 1 ]
	[ "$(writes)" = 1 ]
	push -m "$M"
	assert_success
	[ "$(actions)" = "create=3 noop=1" ]
	[ "$(stored)" = 4 ]
	# A plan is only read: it stops quietly, as any filter.
	run --separate-stderr closed_stdout vc-push-monitors --api-url "$URL" -m "$M" --dry-run
	assert_output -- -13
	[[ "$stderr" != *"standard output closed"* ]]
}

@test "SIGPIPE is ignored during an HTTP exchange: a socket the server closed is a retried error, not a death" {
	[ -r /proc/self/status ] || skip "no /proc to read a process's ignored signals from"
	fake POST /_fake/faults '[{"method": "GET", "path": "/api/v1/monitor", "stall": 2, "status": 503, "times": 1}]' >/dev/null
	vc-push-monitors --api-url "$URL" -m "$M" --dry-run >/dev/null 2>&1 &
	local pid=$! i ign=
	for i in $(seq 100); do
		[ "$(logged '.method == "GET"')" -ge 1 ] && break
		sleep 0.05
	done
	sleep 0.3
	ign=$(awk '/^SigIgn:/ {print $2}' "/proc/$pid/status")
	wait "$pid"
	# Bit 13 of the mask is signal 13, SIGPIPE.
	[ $((0x$ign & 0x1000)) -ne 0 ]
}

@test "a create whose answer is lost is found by its vc-id, never made twice" {
	fake POST /_fake/faults '[{"method": "POST", "path": "/api/v1/monitor", "skip": 1, "apply": true, "status": 502, "times": 1}]' >/dev/null
	push -m "$M"
	assert_success
	[ "$(actions)" = "create=4" ]
	[ "$(stored)" = 4 ]
	[ "$(logged '.method == "POST" and .path == "/api/v1/monitor"')" = 4 ]
	[ "$(logged '.query.monitor_tags == "vc-id:injection" or .query.monitor_tags == "vc-id:more-1"')" = 1 ]
}

@test "a create whose answer is lost is not retried when the look-up that would find it fails too" {
	rm "$M/more.jsonl" "$M/quality.json"
	# The listing and the name look-up pass; the create is made but its
	# answer lost; the look-up by vc id fails.
	fake POST /_fake/faults '[{"method": "POST", "path": "/api/v1/monitor", "apply": true, "status": 502, "times": 1}, {"method": "GET", "path": "/api/v1/monitor", "skip": 2, "status": 500, "times": 2}]' >/dev/null
	push -m "$M" --retries 1
	assert_failure 2
	[[ "$stderr" == *"not retried: the look-up by vc id that would tell whether it was made failed too"* ]]
	[ "$(stored)" = 1 ]
	[ "$(logged '.method == "POST" and .path == "/api/v1/monitor"')" = 1 ]
	push -m "$M"
	assert_success
	[ "$(actions)" = "noop=1" ]
	[ "$(stored)" = 1 ]
}

@test "a create that times out while the server still makes it is not made twice" {
	rm "$M/more.jsonl" "$M/quality.json"
	# Stored 4 s after it was sent; the client gives up after 1 s.
	fake POST /_fake/faults '[{"method": "POST", "path": "/api/v1/monitor", "stall": 4, "apply": true, "status": 200, "times": 1}]' >/dev/null
	push -m "$M" --timeout 1
	assert_failure 2
	[[ "$stderr" == *"timed out"*"; not retried: it may still be made (run again to converge)"* ]]
	[ "$(logged '.method == "POST" and .path == "/api/v1/monitor"')" = 1 ]
	local i
	for i in $(seq 60); do
		[ "$(stored)" = 1 ] && break
		sleep 0.1
	done
	[ "$(stored)" = 1 ]
	push -m "$M"
	assert_success
	[ "$(actions)" = "noop=1" ]
	[ "$(stored)" = 1 ]
}

@test "429 with rate-limit headers is waited out and retried" {
	fake POST /_fake/faults '[{"method": "POST", "path": "/api/v1/monitor", "skip": 1, "status": 429, "times": 1, "headers": {"X-RateLimit-Remaining": 0, "X-RateLimit-Reset": 1}}]' >/dev/null
	push -m "$M"
	assert_success
	[ "$(stored)" = 4 ]
	[ "$(logged '.status == 429')" = 1 ]
	# The retry came after the second the server asked for.
	gap=$(fake GET /_fake/log | jq '[.[] | select(.write)] | (.[2].time - .[1].time)')
	awk -v g="$gap" 'BEGIN { exit !(g >= 0.9) }'
}

@test "writes pace themselves by X-RateLimit-Remaining and -Reset: no 429" {
	fake POST /_fake/config '{"write_limit": {"limit": 2, "period": 1}}' >/dev/null
	push -m "$M"
	assert_success
	[ "$(stored)" = 4 ]
	[ "$(logged '.status == 429')" = 0 ]
}

@test "5xx, an HTML error page and a stalled answer are retried" {
	fake POST /_fake/faults '[{"method": "GET", "path": "/api/v1/monitor", "status": 503, "html": true, "times": 1}, {"method": "POST", "path": "/api/v1/monitor/validate", "stall": 3, "times": 1}]' >/dev/null
	push -m "$M" --timeout 1
	assert_success
	[ "$(stored)" = 4 ]
	[ "$(logged '.status == 503')" = 1 ]
}

@test "--retry-max-time bounds a request, stalled attempts and waits included" {
	# Every listing stalls 5 s; each attempt may take 1 s, retries 20.
	fake POST /_fake/faults '[{"method": "GET", "path": "/api/v1/monitor", "stall": 5, "times": 50}]' >/dev/null
	local t0=$SECONDS
	push -m "$M" --timeout 1 --retries 20 --retry-max-time 2.5
	assert_failure 2
	[ $((SECONDS - t0)) -le 4 ]
	[[ "$stderr" == *"listing monitors: GET "*"timed out"*"(retry time limit of 2.5 s reached)"* ]]
	[ "$(logged '.method == "GET"')" -le 3 ]
	# The limit cuts the attempt in flight too, whatever --timeout says.
	t0=$SECONDS
	push -m "$M" --timeout 30 --retry-max-time 1 --retries 0
	assert_failure 2
	[ $((SECONDS - t0)) -le 3 ]
	[[ "$stderr" == *"timed out"*"(retry time limit of 1 s reached)"* ]]
	# 0 is no limit, not a limit of 0 s: a stalled 500, then the retry.
	fake POST /_fake/faults '[{"method": "GET", "path": "/api/v1/monitor", "stall": 1.5, "times": 1}]' >/dev/null
	push -m "$M" --retry-max-time 0 --dry-run --retries 1
	assert_success
	[ "$(actions)" = "create=4" ]
}

@test "a create's attempts and look-ups share one --retry-max-time" {
	# Every create fails with a 500 the server did not apply; each is
	# looked up by vc id before the next.  Without one limit over the
	# whole create, 20 retries with backoff would take minutes.
	rm "$M/more.jsonl" "$M/quality.json"
	fake POST /_fake/faults '[{"method": "POST", "path": "/api/v1/monitor", "status": 500, "times": 50}]' >/dev/null
	local t0=$SECONDS
	push -m "$M" --retries 20 --retry-max-time 3
	assert_failure 2
	[ $((SECONDS - t0)) -le 6 ]
	run jq -r 'select(.applied == false) | .error' <<<"$output"
	assert_output --partial "(retry time limit of 3 s reached)"
	[ "$(logged '.method == "POST" and .path == "/api/v1/monitor"')" -le 3 ]
	[ "$(stored)" = 0 ]
}

@test "a request that keeps failing is an I/O error: exit 2 (1 with --detailed-exitcode)" {
	fake POST /_fake/faults '[{"method": "GET", "path": "/api/v1/monitor", "status": 500, "times": 10}]' >/dev/null
	push -m "$M" --retries 0
	assert_failure 2
	[[ "$stderr" == *"listing monitors: "*"fake fault 500"* ]]
	push -m "$M" --retries 0 --dry-run --detailed-exitcode
	assert_failure 1
	[ "$(writes)" = 0 ]
}

@test "Datadog's validation failure stops before a single write: exit 1 with the file" {
	fake POST /_fake/faults '[{"method": "POST", "path": "/api/v1/monitor/validate", "skip": 1, "status": 400, "errors": ["Alert status is required."], "times": 1}]' >/dev/null
	push -m "$M"
	assert_failure 1
	[[ "$stderr" == *"m/"*": vc-id "*": Datadog: Alert status is required. (HTTP 400)"* ]]
	[ "$(writes)" = 0 ]
	[ -z "$output" ]
}

@test "Datadog's error texts are shown without a key they echo and without control characters" {
	fake POST /_fake/faults '[{"method": "POST", "path": "/api/v1/monitor/validate", "status": 400, "errors": ["bad key fake-app-key\u001b]0;pwned\u0007 \u001b[2Jgone"], "times": 1}]' >/dev/null
	push -m "$M"
	assert_failure 1
	[[ "$stderr" == *"Datadog: bad key ************ "*"0;pwned  "*"[2Jgone (HTTP 400)"* ]]
	[[ "$stderr" != *"fake-app-key"* ]]
	[[ "$stderr" != *$'\e'* && "$stderr" != *$'\a'* ]]
}

@test "a monitor failing the local --check stops before any request" {
	sed -i 's/"critical": 0.6/"critical": 0.9/' "$M/quality.json"
	push -m "$M"
	assert_failure 1
	[[ "$stderr" == *"quality.json:"[0-9]*:[0-9]*": "* ]]
	[ "$(logged true)" = 0 ]
}

@test "--validate checks every monitor with Datadog and writes nothing" {
	push -m "$M"
	fake DELETE /_fake/log >/dev/null
	push -m "$M" --validate
	assert_success
	[[ "$stderr" == *"validated: 4 monitors"* ]]
	[ "$(logged '.path == "/api/v1/monitor/validate"')" = 4 ]
	[ "$(logged true)" = 4 ]
	[ -z "$output" ]
}

@test "a name clash is reported and never duplicated; --adopt takes the monitor over" {
	fake POST /_fake/monitors '{"name": "Quality", "type": "query alert", "query": "avg(last_15m):avg:llm.response.quality_score{*} < 0.6", "tags": ["team:ui"]}' >/dev/null
	push -m "$M"
	assert_failure 1
	[[ "$stderr" == *"quality.json: vc-id quality: an unmanaged monitor is named \"Quality\""*"--adopt"* ]]
	[ "$(writes)" = 0 ]
	push -m "$M" --adopt
	assert_success
	run jq -c 'select(.adopted) | [.action, .vc_id, .applied]' <<<"$output"
	assert_output '["update","quality",true]'
	[ "$(stored)" = 4 ]
	push -m "$M" --dry-run --detailed-exitcode
	assert_success
}

@test "listing pages through every page" {
	push -m "$M"
	fake DELETE /_fake/log >/dev/null
	push -m "$M" --page-size 1 --dry-run --detailed-exitcode
	assert_success
	[ "$(actions)" = "noop=4" ]
	[ "$(logged '.query.monitor_tags == "managed-by:vcobs"')" = 5 ]
	# A server that ignores paging would loop for ever: it is caught.
	fake POST /_fake/config '{"ignore_paging": true}' >/dev/null
	push -m "$M" --page-size 2 --dry-run
	assert_failure 2
	[[ "$stderr" == *"page 1 repeats the earlier pages (the server ignores paging)"* ]]
}

@test "--export writes the managed monitors as files that push back as no-ops" {
	push -m "$M"
	fake POST /_fake/monitors '{"name": "From the UI", "type": "query alert", "query": "avg(last_5m):avg:a{*} > 1", "options": {"thresholds": {"critical": 1}}, "tags": ["managed-by:vcobs"]}' >/dev/null
	fake POST /_fake/monitors '{"name": "Not ours", "type": "query alert", "query": "avg(last_5m):avg:b{*} > 1"}' >/dev/null
	out="$BATS_TEST_TMPDIR/export"
	push --export "$out"
	assert_success
	[ "$(printf '%s\n' "$output" | jq -s 'map(select(.action == "export")) | length')" = 5 ]
	[ "$(ls "$out" | wc -l)" = 5 ]
	[ -f "$out/quality.json" ]
	ls "$out" | grep -q '^dd-[0-9]*\.json$'
	run jq -r '.tags | join(",")' "$out/injection.json"
	assert_output "team:sec,vc-id:injection"
	# The monitor tagged in the UI gets its vc-id tag, once.
	push -m "$out"
	assert_success
	run jq -c 'select(.action == "update") | [.vc_id, [.changes[].path]]' <<<"$output"
	assert_output --regexp '^\["dd-[0-9]+",\[".tags"\]\]$'
	push -m "$out" --dry-run --detailed-exitcode
	assert_success
	[ "$(actions)" = "noop=5" ]
}

@test "keys come from the environment or --key-file, never appear, and bad ones fail" {
	kill "$FAKE_PID"
	export FAKE_DD_API_KEY=s3cr3t-api-0123456789 FAKE_DD_APP_KEY=s3cr3t-app-9876543210
	start_fake
	push -m "$M" -v
	assert_failure 2
	[[ "$stderr" == *"HTTP 403"* ]]
	[[ "$stderr$output" != *"fake-api-key"* && "$stderr$output" != *"fake-app-key"* ]]
	printf 'DD_API_KEY=%s\nexport DD_APP_KEY="%s"\n' "$FAKE_DD_API_KEY" "$FAKE_DD_APP_KEY" >"$BATS_TEST_TMPDIR/keys"
	unset DD_API_KEY DD_APP_KEY
	push -m "$M" -v --key-file "$BATS_TEST_TMPDIR/keys"
	assert_success
	[[ "$stderr$output" != *"s3cr3t"* ]]
	[ "$(stored)" = 4 ]
	push -m "$M"
	assert_failure 2
	[[ "$stderr" == *"DD_API_KEY and DD_APP_KEY must be set"* ]]
}

@test "a key file others can read or change is used, with one warning; a 0600 file or a pipe gets none" {
	local k="$BATS_TEST_TMPDIR/keys"
	printf 'DD_API_KEY=%s\nDD_APP_KEY=%s\n' "$DD_API_KEY" "$DD_APP_KEY" >"$k"
	unset DD_API_KEY DD_APP_KEY
	chmod 644 "$k"
	push -m "$M" --dry-run --key-file "$k"
	assert_success
	[ "$(grep -c "warning: key file $k can be read by others than its owner (mode 0644); chmod 600 it" <<<"$stderr")" = 1 ]
	chmod 620 "$k"
	push -m "$M" --dry-run --key-file "$k"
	assert_success
	[[ "$stderr" == *"key file $k can be changed by others than its owner (mode 0620)"* ]]
	chmod 600 "$k"
	push -m "$M" --dry-run --key-file "$k"
	assert_success
	[[ "$stderr" != *"warning"* ]]
	run --separate-stderr vc-push-monitors --api-url "$URL" -m "$M" --dry-run --key-file <(cat "$k")
	assert_success
	[[ "$stderr" != *"warning"* ]]
}

@test "plain http to the loopback never goes through an http_proxy (it would get the keys in clear)" {
	# A proxy that logs what it is sent: a second fake.
	local api=$URL api_pid=$FAKE_PID
	start_fake
	local proxy=$URL
	URL=$api
	no_proxy= NO_PROXY= http_proxy=$proxy HTTP_PROXY=$proxy ALL_PROXY=$proxy push -m "$M" --dry-run --retries 0
	kill "$api_pid"
	assert_success
	[ "$(actions)" = "create=4" ]
	URL=$proxy
	[ "$(logged true)" = 0 ]
}

@test "user:password in --api-url is never shown, by -v or in an error" {
	local u="http://ops:pa55-w0rd-77@${URL#http://}"
	run --separate-stderr vc-push-monitors --api-url "$u" -m "$M" -v --dry-run
	assert_success
	[[ "$stderr" == *"GET http://***@127.0.0.1:"*"/api/v1/monitor: 200"* ]]
	[[ "$stderr$output" != *"pa55-w0rd-77"* && "$stderr$output" != *"ops:"* ]]
	# An HTML error page has no Datadog errors: the message names the URL.
	fake POST /_fake/faults '[{"method": "GET", "path": "/api/v1/monitor", "status": 500, "html": true, "times": 10}]' >/dev/null
	run --separate-stderr vc-push-monitors --api-url "$u" -m "$M" --retries 0
	assert_failure 2
	[[ "$stderr" == *"listing monitors: GET http://***@127.0.0.1:"*"HTTP 500"* ]]
	[[ "$stderr$output" != *"pa55-w0rd-77"* ]]
}

@test "usage errors exit 2" {
	push
	assert_failure 2
	[[ "$stderr" == *"no monitor files"* ]]
	push -m "$M" stray
	assert_failure 2
	push -m "$M" --page-size 0
	assert_failure 2
	push -m "$M" --export "$BATS_TEST_TMPDIR/x"
	assert_failure 2
	push -m "$M" --max-deletes 3
	assert_failure 2
	push -m "$M" --detailed-exitcode
	assert_failure 2
	push -m "$M" --validate --prune
	assert_failure 2
	push -m "$M" --retry-max-time 1e9
	assert_failure 2
	[[ "$stderr" == *"--retry-max-time: invalid value '1e9'"* ]]
	run --separate-stderr vc-push-monitors -m "$M" --api-url ftp://example.com
	assert_failure 2
	DD_SITE=example.com run --separate-stderr vc-push-monitors -m "$M"
	assert_failure 2
	[ "$(logged true)" = 0 ]
}

@test "a missing monitor file or an export folder that cannot be made is an I/O error: exit 2" {
	push -m "$BATS_TEST_TMPDIR/nope.json"
	assert_failure 2
	[ "$(logged true)" = 0 ]
	push --export /dev/null/monitors
	assert_failure 2
	[[ "$stderr" == *"/dev/null/monitors"* ]]
}

@test "a full disk on stdout is an I/O error: exit 2" {
	[ -w /dev/full ] || skip "/dev/full is not available"
	run bash -c 'vc-push-monitors --api-url "$1" -m "$2" --dry-run >/dev/full' _ "$URL" "$M"
	assert_failure 2
	[[ "$output" == *"write error"* ]]
}

@test "every long option has bash, zsh and fish completions" {
	assert_completions_cover vc-push-monitors
}

# The same pushes through Prism proxying to the fake: Prism checks every
# request (path, query, headers, body) against Datadog's published v1
# monitor spec and answers 422 instead of forwarding one that is not valid.
@test "every request is valid against Datadog's OpenAPI spec (Prism)" {
	need_shared vendor/datadog-openapi/v1-monitors-min.yaml
	prism=${VC_PRISM:-prism}
	command -v "$prism" >/dev/null || skip "prism is not installed (set VC_PRISM; .ci/run installs it)"
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	"$prism" proxy -h 127.0.0.1 -p "$port" --errors \
		"$SHARED/vendor/datadog-openapi/v1-monitors-min.yaml" "$URL" >"$BATS_TEST_TMPDIR/prism.log" 2>&1 3>&- &
	PRISM_PID=$!
	for i in $(seq 300); do
		grep -q "Prism is listening" "$BATS_TEST_TMPDIR/prism.log" && break
		sleep 0.1
	done
	grep -q "Prism is listening" "$BATS_TEST_TMPDIR/prism.log"
	P="http://127.0.0.1:$port"
	# Prism itself refuses a bad request, so these prove it is checking.
	run curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
		-H "DD-API-KEY: $DD_API_KEY" -H "DD-APPLICATION-KEY: $DD_APP_KEY" \
		-d '{"type": "no such type"}' "$P/api/v1/monitor"
	assert_output 422
	run vc-push-monitors --api-url "$P" -m "$M" --validate
	assert_success
	run vc-push-monitors --api-url "$P" -m "$M" --page-size 2
	assert_success
	sed -i 's/< 0.6/< 0.5/; s/"critical": 0.6/"critical": 0.5/' "$M/quality.json"
	rm "$M/injection.json"
	run vc-push-monitors --api-url "$P" -m "$M" --prune
	assert_success
	[ "$(logged '.method == "PUT"')" = 1 ]
	[ "$(logged '.method == "DELETE"')" = 1 ]
	if [ -d "$VC_DATADIR/monitors" ]; then
		run vc-push-monitors --api-url "$P" -m "$VC_DATADIR/monitors"
		assert_success
	fi
	run vc-push-monitors --api-url "$P" --export "$BATS_TEST_TMPDIR/export"
	assert_success
	# Every API request reached the fake: none was refused by Prism.
	[ "$(logged '.path | startswith("/api/")')" -ge 12 ]
	! grep -qi "violation" "$BATS_TEST_TMPDIR/prism.log"
}
