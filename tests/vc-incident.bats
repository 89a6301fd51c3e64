#!/usr/bin/env bats
# vc-incident: the lifecycle, dedup across runs, concurrent and killed
# runs on one store, reports, and posting to a stateful fake of Datadog,
# PagerDuty and a webhook (tests/fake/incident_api.py) that each test
# starts on 127.0.0.1 — and, where ../shared/vendor/datadog-openapi and
# prism are present, to Prism validating requests against Datadog's spec.

load helper
bats_require_minimum_version 1.5.0

FAKE="$REPO/tests/fake/incident_api.py"
API_KEY=sekrit-api-7f3a
APP_KEY=sekrit-app-91c2
PD_KEY=sekrit-pd-55e0

setup() {
	unset DD_SITE DD_API_KEY DD_APP_KEY PAGERDUTY_ROUTING_KEY
	T="$BATS_TEST_TMPDIR"
	DB="$T/inc.db"
}

teardown() {
	[ -n "${PRISM_PID:-}" ] && kill "$PRISM_PID" 2>/dev/null || true
	[ -n "${FAKE_PID:-}" ] && kill "$FAKE_PID" 2>/dev/null || true
}

# tr TS STATUS SESSION [VALUE [MONITOR [HANDLES_JSON [EXTRA_JSON_MEMBERS]]]]
tr() {
	local ts=$1 st=$2 sid=$3 v=${4:-0.9} mon=${5:-prompt-injection}
	local h=${6:-'["@incident-prompt-injection"]'} extra=${7:-}
	printf '{"ts":%s,"monitor":{"id":"%s","name":"Prompt injection","query":"avg(last_5m):avg:llm.security.injection_attempt_score{*} by {session_id} > 0.7","priority":1},"group":{"session_id":"%s"},"status":"%s","previous":"ok","value":%s,"threshold":0.7,"message":"injection","handles":%s%s}\n' \
		"$ts" "$mon" "$sid" "$st" "$v" "$h" "$extra"
}

# A day of transitions for KEYS sessions: alert, alert, ok for each.
day() {
	local keys=$1 k
	for k in $(seq "$keys"); do
		tr $((1000 + k)) alert "s-$k" 0.8
		tr $((2000 + k)) alert "s-$k" 0.95
		tr $((3000 + k)) ok "s-$k" 0.1
	done
}

start_fake() {
	local port_file="$T/port" i
	rm -f "$port_file"
	python3 "$FAKE" --port-file "$port_file" --log "$T/requests.jsonl" \
		--api-key "$API_KEY" --app-key "$APP_KEY" --routing-key "$PD_KEY" \
		--lifetime 60 "$@" 3>&- &
	FAKE_PID=$!
	for i in $(seq 100); do
		[ -s "$port_file" ] && break
		sleep 0.05
	done
	[ -s "$port_file" ]
	URL="http://127.0.0.1:$(cat "$port_file")"
}

keys() {
	export DD_API_KEY=$API_KEY DD_APP_KEY=$APP_KEY PAGERDUTY_ROUTING_KEY=$PD_KEY
}

post_args() {
	echo --api-url "$URL" --pagerduty-url "$URL/v2/enqueue" --webhook-url "$URL/hook/T0/B0/tok" \
		--retry-wait 0.01 --timeout 2
}

@test "vc-incident: --help and --version" {
	run vc-incident --help
	assert_success
	assert_output --partial 'usage: vc-incident'
	assert_output --partial '--resolve-after'
	run vc-incident --version
	assert_success
	assert_output --regexp '^vc-incident \(vcobs\) [0-9]'
}

@test "vc-incident: completions cover every long option" {
	assert_completions_cover vc-incident
}

@test "vc-incident: usage errors exit 2" {
	run vc-incident --bogus
	assert_failure 2
	run vc-incident --post slack </dev/null
	assert_failure 2
	assert_output --partial "unknown target 'slack'"
	run vc-incident --list
	assert_failure 2
	assert_output --partial 'need --state'
	run vc-incident --resolve-after 5x </dev/null
	assert_failure 2
	assert_output --partial "--resolve-after: invalid value '5x'"
	# The argument as given, unit included.
	run vc-incident --resolve-after -1h </dev/null
	assert_failure 2
	assert_output --partial "--resolve-after: invalid value '-1h': not between 0 and 366 days"
	run vc-incident --reopen-window 367d </dev/null
	assert_failure 2
	assert_output --partial "--reopen-window: invalid value '367d'"
	run vc-incident --resolve-after 1.5h --now 9000 < <(tr 1000 alert s-1; tr 2000 ok s-1)
	assert_success
	[ "$(jq -r 'select(.event == "resolved") | .ts' <<<"$output")" = 7400 ]
	run vc-incident --since 0 </dev/null
	assert_failure 2
	run vc-incident --state-filter open </dev/null
	assert_failure 2
	run vc-incident --report pdf -s "$DB"
	assert_failure 2
	# Two modes, or a mode and posting, are not silently one of them.
	run vc-incident -s "$DB" --list --report markdown
	assert_failure 2
	assert_output --partial "--list and --report go in separate runs"
	run vc-incident -s "$DB" --report html --post webhook
	assert_failure 2
	assert_output --partial "--post goes with reading transitions, not --list or --report"
	run vc-incident --templates "$T/nowhere" </dev/null
	assert_failure 2
	run vc-incident --retry-max-time -1 </dev/null
	assert_failure 2
	assert_output --partial "--retry-max-time: invalid value '-1'"
}

@test "vc-incident: an alert opens an incident naming the attacker" {
	run vc-incident --now 5000 < <(tr 1000 alert s-42 0.93)
	assert_success
	[ "$(jq -r .event <<<"$output")" = opened ]
	[ "$(jq -r .title <<<"$output")" = "Prompt injection from session s-42" ]
	[ "$(jq -r .key <<<"$output")" = "prompt-injection/session_id:s-42" ]
	[ "$(jq -c .attacker <<<"$output")" = '{"session_id":"s-42"}' ]
	[ "$(jq -r '.severity, .state, .handle, .count, .peak, .first_seen' <<<"$output" | paste -sd' ')" = \
		"SEV-2 open @incident-prompt-injection 1 0.93 1000" ]
	jq -e '.checklist | map(select(test("Block or rate-limit session s-42"))) | length == 1' <<<"$output"
	jq -e '.checklist | map(select(test("system prompt"))) | length == 1' <<<"$output"
	jq -e '.type == "incident" and (.id | test("^inc-[0-9a-f]{16}$"))' <<<"$output"
}

@test "vc-incident: lifecycle opened, updated, mitigated, resolved, reopened" {
	{
		tr 1000 alert s-1 0.8
		tr 1060 alert s-1 0.95
		tr 1120 ok s-1 0.1
		tr 1200 no_data s-1 0
		tr 4000 alert s-1 0.75
	} >"$T/in"
	run vc-incident --resolve-after 10m --reopen-window 1h --now 4000 "$T/in"
	assert_success
	[ "$(jq -r '[.event, .state, .count] | join(":")' <<<"$output" | paste -sd' ')" = \
		"opened:open:1 updated:open:2 mitigated:mitigated:2 updated:mitigated:2 resolved:resolved:2 reopened:open:3" ]
	[ "$(jq -r .peak <<<"$output" | tail -1)" = 0.95 ]
	[ "$(jq -r 'select(.event == "resolved") | .resolved_at' <<<"$output")" = 1720 ]
	[ "$(jq -r .id <<<"$output" | sort -u | wc -l)" = 1 ]
	# Past the reopen window a new incident opens, with its own id.
	run vc-incident --resolve-after 10m --reopen-window 10m --now 9000 "$T/in"
	[ "$(jq -r .event <<<"$output" | tail -1)" = opened ]
	[ "$(jq -r .id <<<"$output" | sort -u | wc -l)" = 2 ]
}

@test "vc-incident: an alert while mitigated reopens nothing, it updates" {
	{
		tr 1000 alert s-1
		tr 1100 ok s-1
		tr 1200 alert s-1
	} >"$T/in"
	run vc-incident --now 1300 "$T/in"
	[ "$(jq -r '[.event, .state] | join(":")' <<<"$output" | paste -sd' ')" = \
		"opened:open mitigated:mitigated updated:open" ]
	jq -e 'select(.event == "updated") | has("mitigated_at") | not' <<<"$output"
}

@test "vc-incident: no_data is recorded and resolves nothing" {
	{
		tr 1000 alert s-1
		tr 1100 no_data s-1 0
	} >"$T/in"
	run vc-incident --resolve-after 1m --now 99999 "$T/in"
	[ "$(jq -r '[.event, .state] | join(":")' <<<"$output" | paste -sd' ')" = "opened:open updated:open" ]
	jq -e 'select(.event == "updated") | .timeline[-1].status == "no_data"' <<<"$output"
}

@test "vc-incident: handles decide what opens an incident; --all, --on-warn" {
	{
		tr 1000 alert s-1 0.9 quality '[]'
		tr 1000 alert s-2 0.9 cost '["@slack-ops"]'
		tr 1000 warn s-3 0.9
	} >"$T/in"
	run vc-incident --now 2000 "$T/in"
	assert_success
	assert_output ''
	run vc-incident --all --now 2000 "$T/in"
	[ "$(jq -r .key <<<"$output" | paste -sd' ')" = "quality/session_id:s-1 cost/session_id:s-2" ]
	[ "$(jq -r .title <<<"$output" | head -1)" = "Prompt injection on session s-1" ]
	run vc-incident --on-warn --now 2000 "$T/in"
	[ "$(jq -r .key <<<"$output")" = "prompt-injection/session_id:s-3" ]
	# A handle in the message counts when "handles" is absent.
	run vc-incident --now 2000 < <(tr 1000 alert s-9 0.9 x '[]' ',"message2":1' |
		jq -c '.message = "boom @incident-multimodal here" | del(.handles)')
	[ "$(jq -r '.handle, .title' <<<"$output" | paste -sd'|')" = "@incident-multimodal|Multimodal attack from session s-9" ]
}

@test "vc-incident: the user's other sessions come from the evidence" {
	ev1=',"evidence":[{"ts":990,"metric":"m","value":0.9,"tags":{"session_id":"s-1","user_id":"u-7","service":"chat"}}]'
	ev2=',"evidence":[{"ts":990,"metric":"m","value":0.9,"tags":{"session_id":"s-2","user_id":"u-7","service":"api"}}]'
	{
		tr 1000 alert s-1 0.9 prompt-injection '["@incident-prompt-injection"]' "$ev1"
		tr 1100 alert s-2 0.9 prompt-injection '["@incident-prompt-injection"]' "$ev2"
	} >"$T/in"
	run vc-incident --now 2000 "$T/in"
	assert_success
	[ "$(jq -c '.impact | [.user_id, .other_sessions, .services]' <<<"$output" | tail -1)" = '["u-7",["s-1"],["api"]]' ]
}

@test "vc-incident: attempts count the evidence points across the threshold, once each" {
	p() { printf '{"ts":%s,"metric":"m","value":%s,"tags":{"session_id":"s-1"}}' "$1" "$2"; }
	{
		tr 1000 alert s-1 0.9 prompt-injection '["@incident-prompt-injection"]' ",\"evidence\":[$(p 900 0.9),$(p 950 0.2),$(p 990 0.8)]"
		tr 1100 alert s-1 0.9 prompt-injection '["@incident-prompt-injection"]' ",\"evidence\":[$(p 990 0.8),$(p 1050 0.95)]"
		tr 1200 alert s-1 0.9 prompt-injection '["@incident-prompt-injection"]'
	} >"$T/in"
	run vc-incident --now 2000 "$T/in"
	assert_success
	[ "$(jq -r '.impact.attempts' <<<"$output" | paste -sd' ')" = "2 3 4" ]
	# A summing monitor counts each point's value.
	run vc-incident --now 2000 < <(tr 1000 alert u-1 4 multimodal '["@incident-multimodal"]' ",\"evidence\":[$(p 990 1),$(p 995 2)]" |
		jq -c '.monitor.query = "sum(last_10m):sum:tryon.security.polyglot{*} by {user_id}.as_count() > 3"')
	[ "$(jq -r .impact.attempts <<<"$output")" = 3 ]
}

@test "vc-incident: a rerun over the same log duplicates nothing" {
	day 5 >"$T/in"
	run vc-incident -s "$DB" --now 3500 "$T/in"
	assert_success
	[ "$(jq -r 'select(.event == "opened") | .id' <<<"$output" | wc -l)" = 5 ]
	run vc-incident -s "$DB" --now 3500 "$T/in"
	assert_success
	assert_output ''
	# An overlapping log: only the new transitions count.
	{ tail -3 "$T/in"; tr 3600 alert s-5 0.99; } >"$T/in2"
	run vc-incident -s "$DB" --now 3700 "$T/in2"
	[ "$(jq -r '[.event, .key, .count] | join(" ")' <<<"$output")" = "updated prompt-injection/session_id:s-5 3" ]
	run vc-incident -s "$DB" --list
	assert_success
	[ "${#lines[@]}" = 5 ]
	[ "$(jq -r '[.state, .count] | join(":")' <<<"$output" | sort | uniq -c | awk '{print $1 "x" $2}' | paste -sd' ')" = \
		"4xmitigated:2 1xopen:3" ]
	# Without a store every run starts afresh.
	run vc-incident --now 3500 "$T/in"
	[ "$(jq -r 'select(.event == "opened") | .id' <<<"$output" | wc -l)" = 5 ]
}

@test "vc-incident: --list filters by state and time" {
	day 3 >"$T/in"
	tr 5000 alert s-9 >>"$T/in"
	vc-incident -s "$DB" --resolve-after 10m --now 5000 "$T/in" >/dev/null
	run vc-incident -s "$DB" --list --state-filter resolved
	[ "${#lines[@]}" = 3 ]
	run vc-incident -s "$DB" --list --state-filter open
	[ "$(jq -r .key <<<"$output")" = "prompt-injection/session_id:s-9" ]
	run vc-incident -s "$DB" --list --since 4000
	[ "${#lines[@]}" = 1 ]
	run vc-incident -s "$DB" --list
	[ "${#lines[@]}" = 4 ]
	# Open incidents come first.
	[ "$(jq -r .state <<<"$output" | head -1)" = open ]
}

@test "vc-incident: a store of schema 2 is converted in place and carries on" {
	# tests/data/incident-v2: a store written by vc-incident of schema 2
	# (make.sh there remakes it), with what that version printed.
	local d="$REPO/tests/data/incident-v2" o="--resolve-after 30m --reopen-window 2h"
	sqlite3 "$DB" <"$d/store.sql"
	[ "$(sqlite3 "$DB" 'PRAGMA user_version')" = 2 ]
	run vc-incident -s "$DB" --list
	assert_success
	diff <(printf '%s\n' "$output") "$d/list.jsonl"
	[ "$(sqlite3 "$DB" 'PRAGMA user_version')" = 4 ]
	[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ]
	# Every entry is still there, under its incident's number.
	[ "$(sqlite3 "$DB" 'SELECT count(*) FROM timeline t JOIN incidents i ON i.n = t.incident')" = \
		"$(grep -c '^INSERT INTO timeline ' "$d/store.sql")" ]
	# The same incidents carry on: resolved, reopened, updated past the
	# timeline kept, the user's other sessions, as that version did.
	run vc-incident -s "$DB" $o --now 7000 "$d/part2.jsonl"
	assert_success
	diff <(printf '%s\n' "$output") "$d/part2.out"
	run vc-incident -s "$DB" --list
	diff <(printf '%s\n' "$output") "$d/list2.jsonl"
	# A store made by this version from the same input prints the same.
	vc-incident -s "$T/new.db" $o --now 1500 "$d/part1a.jsonl" >/dev/null
	vc-incident -s "$T/new.db" $o --now 2500 "$d/part1b.jsonl" >/dev/null
	run vc-incident -s "$T/new.db" $o --now 7000 "$d/part2.jsonl"
	diff <(printf '%s\n' "$output") "$d/part2.out"
	# A store newer than this version is refused, untouched.
	sqlite3 "$DB" 'PRAGMA user_version = 5'
	run vc-incident -s "$DB" --list
	assert_failure 2
	assert_output --partial 'schema version 5 is newer'
}

@test "vc-incident: bad lines are reported with their line, good ones flow, exit 1" {
	{
		tr 1000 alert s-1
		echo '{"ts":1000,"status":"alert"}'
		echo 'not json'
		tr 1000 alert s-2 | jq -c '.status = "bogus"'
		tr 1000 alert s-3
	} >"$T/in"
	run --separate-stderr vc-incident --now 2000 "$T/in"
	assert_failure 1
	[ "$(jq -r .key <<<"$output" | paste -sd' ')" = "prompt-injection/session_id:s-1 prompt-injection/session_id:s-3" ]
	[[ "$stderr" == *"$T/in:2: no monitor object"* ]]
	[[ "$stderr" == *"$T/in:3:"* ]]
	[[ "$stderr" == *"$T/in:4: status must be alert, warn, ok or no_data"* ]]
	run --separate-stderr vc-incident --strict --now 2000 "$T/in"
	assert_failure 1
	[ "${#lines[@]}" = 1 ]
}

@test "vc-incident: a null ts is now, as in every tool; an unreadable one is reported" {
	tr null alert s-1 >"$T/in"
	tr '"yesterday"' alert s-2 >>"$T/in"
	run --separate-stderr vc-incident --now 5000 "$T/in"
	assert_failure 1
	[ "$(jq -r '[.event, .key, .first_seen] | join(" ")' <<<"$output")" = \
		"opened prompt-injection/session_id:s-1 5000" ]
	[[ "$stderr" == *"$T/in:2: ts is not a time"* ]]
}

@test "vc-incident: top-level keys spelled with escapes are read as jq reads them" {
	# Only the group escaped: the attacker must not silently become "*".
	tr 1000 alert s-9 | sed 's/"group"/"gr\\u006fup"/' >"$T/in"
	tr 1000 alert s-8 | sed 's/"status"/"st\\u0061tus"/; s/"group"/"gr\\u006fup"/; s/"ts"/"t\\u0073"/' >>"$T/in"
	[ "$(jq -r '[.ts, .status, .group.session_id] | join(" ")' "$T/in" | paste -sd,)" = "1000 alert s-9,1000 alert s-8" ]
	run --separate-stderr vc-incident --now 5000 "$T/in"
	assert_success
	[ "$(jq -r '[.event, .key, .first_seen] | join(" ")' <<<"$output" | paste -sd,)" = \
		"opened prompt-injection/session_id:s-9 1000,opened prompt-injection/session_id:s-8 1000" ]
}

@test "vc-incident: write error and broken store exit 2" {
	run bash -c 'vc-incident --now 2000 >/dev/full' < <(tr 1000 alert s-1)
	assert_failure 2
	echo "this is not a database, just text that is long enough to be read as a header" >"$T/bad.db"
	run vc-incident -s "$T/bad.db" </dev/null
	assert_failure 2
	run vc-incident -s "$T/nodir/x.db" </dev/null
	assert_failure 2
	run vc-incident -s "$T/missing.db" --list
	assert_success
	# A closed stdin is an I/O error, as in the other tools, with or
	# without a store (SQLite would put /dev/null in its place).
	run bash -c 'vc-incident --now 2000 <&-'
	assert_failure 2
	assert_output --partial 'stdin: Bad file descriptor'
	run bash -c 'vc-incident -s "$1" --now 2000 - <&-' _ "$T/closed.db"
	assert_failure 2
	assert_output --partial 'stdin: Bad file descriptor'
}

@test "vc-incident: concurrent runs on one store open each incident once" {
	day 40 >"$T/in"
	for i in 1 2 3 4; do
		vc-incident -s "$DB" --batch 7 --now 3500 "$T/in" >"$T/out.$i" &
	done
	wait
	[ "$(cat "$T"/out.* | jq -r 'select(.event == "opened") | .key' | sort | uniq -d | wc -l)" = 0 ]
	[ "$(cat "$T"/out.* | jq -r 'select(.event == "opened") | .key' | wc -l)" = 40 ]
	[ "$(cat "$T"/out.* | jq -r 'select(.event == "mitigated") | .key' | wc -l)" = 40 ]
	run vc-incident -s "$DB" --list
	[ "${#lines[@]}" = 40 ]
	[ "$(jq -r '[.state, .count] | join(":")' <<<"$output" | sort -u)" = "mitigated:2" ]
}

@test "vc-incident: runs killed with SIGKILL leave a consistent store and lose nothing printed" {
	day 300 >"$T/in"
	for i in $(seq 12); do
		vc-incident -s "$DB" --batch 50 --now 3500 "$T/in" >>"$T/printed" 2>/dev/null &
		pid=$!
		sleep "0.0$((RANDOM % 9 + 1))"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		[ "$(sqlite3 "$DB" 'PRAGMA integrity_check' 2>/dev/null || echo ok)" = ok ]
	done
	vc-incident -s "$DB" --now 3500 "$T/in" >>"$T/printed"
	# Whole records: the pieces stored once are back in each.
	vc-incident --now 3500 "$T/in" | jq -r 'select(.event == "mitigated") | [.id, .count, .title, .handle, .monitor.id, .attacker.session_id, (.checklist | length)] | join(":")' | sort >"$T/clean"
	vc-incident -s "$DB" --list | jq -r '[.id, .count, .title, .handle, .monitor.id, .attacker.session_id, (.checklist | length)] | join(":")' | sort >"$T/stored"
	diff "$T/clean" "$T/stored"
	[ "$(wc -l <"$T/stored")" = 300 ]
	# Every incident event a killed run printed is in the store, once.
	[ "$(jq -r 'select(.event == "opened") | .id' "$T/printed" | sort | uniq -d | wc -l)" = 0 ]
	jq -r '.id' "$T/printed" | sort -u | comm -23 - <(cut -d: -f1 "$T/stored") >"$T/lost"
	[ ! -s "$T/lost" ]
	[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ]
}

@test "vc-incident: reports in markdown and html, open first, input escaped" {
	{
		day 2
		tr 5000 alert '<script>x</script>' 0.99
	} >"$T/in"
	vc-incident -s "$DB" --resolve-after 5m --now 5000 "$T/in" >/dev/null
	run vc-incident -s "$DB" --report markdown
	assert_success
	assert_line --index 0 '# Incidents'
	[ "$(grep -n '^## ' <<<"$output" | head -1 | grep -c open)" = 1 ]
	assert_output --partial '- [ ] Block or rate-limit session s-1'
	assert_output --partial '| time | event | status | value | message |'
	assert_output --partial '3 incidents: 1 open, 0 mitigated, 2 resolved.'
	refute_output --partial '<script>'
	run vc-incident -s "$DB" --report html --state-filter resolved
	assert_success
	assert_output --partial '<!DOCTYPE html>'
	assert_output --partial '<section class="resolved">'
	refute_output --partial '<script>'
	refute_output --partial 'src='
	assert_output --partial '2 incidents: 0 open, 0 mitigated, 2 resolved.'
	run vc-incident -s "$DB" --report html
	assert_output --partial '&lt;script&gt;'
}

@test "vc-incident: reports show control characters from a record, never write them" {
	tr 1000 alert s-1 | jq -c '.message = "red \u001b[31mX\u001b[0m csi \u009b2J nul \u0000 del \u007f bell \u0007"' >"$T/in"
	vc-incident -s "$DB" --now 2000 "$T/in" >/dev/null
	for fmt in markdown html; do
		vc-incident -s "$DB" --report "$fmt" >"$T/report"
		# No control byte but newline (and tab), no C1 character.
		run python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); print(sum(1 for b in d if (b < 32 and b not in (9, 10)) or b == 127), len(d.decode().encode()) == len(d) and sum(1 for c in d.decode() if 0x80 <= ord(c) <= 0x9f))' "$T/report"
		assert_output "0 0"
		grep -q '␛\\\?\[31mX␛' "$T/report"
		grep -q 'csi �2J nul ␀ del ␡ bell ␇' "$T/report"
	done
}

@test "vc-incident: --templates overrides the installed templates" {
	mkdir -p "$T/tpl"
	echo '{"title": "PI by {{group.session_id}} on {{monitor}}", "severity": "SEV-1", "checklist": ["call {{attacker}}"]}' >"$T/tpl/prompt-injection.json"
	run vc-incident --templates "$T/tpl" --now 2000 < <(tr 1000 alert s-5)
	assert_success
	[ "$(jq -r '.title, .severity, .checklist[0]' <<<"$output" | paste -sd'|')" = \
		"PI by s-5 on Prompt injection|SEV-1|call session s-5" ]
	# Texts that change with the count and the peak are stored with each
	# event, the others once: --list shows what the last event said.
	echo '{"title": "PI x{{count}}", "severity": "SEV-1", "checklist": ["peak {{peak}}", "call {{attacker}}"]}' >"$T/tpl/prompt-injection.json"
	{ tr 1000 alert s-5 0.8; tr 1060 alert s-5 0.9; tr 1060 alert s-6 0.75; } >"$T/in"
	run vc-incident -s "$DB" --templates "$T/tpl" --now 2000 "$T/in"
	assert_success
	last=$(jq -c 'select(.key == "prompt-injection/session_id:s-5") | [.title, .checklist, .severity, .handle]' <<<"$output" | tail -1)
	[ "$last" = '["PI x2",["peak 0.9","call session s-5"],"SEV-1","@incident-prompt-injection"]' ]
	run vc-incident -s "$DB" --list
	assert_success
	[ "$(jq -c 'select(.key == "prompt-injection/session_id:s-5") | [.title, .checklist, .severity, .handle]' <<<"$output")" = "$last" ]
	[ "$(jq -r 'select(.key == "prompt-injection/session_id:s-6") | .title' <<<"$output")" = "PI x1" ]
	echo '{"title": 3}' >"$T/tpl/prompt-injection.json"
	run vc-incident --templates "$T/tpl" </dev/null
	assert_failure 2
	assert_output --partial 'prompt-injection.json: title must be a string'
}

@test "vc-incident: a template opening with a UTF-8 byte order mark loads" {
	mkdir -p "$T/tpl"
	printf '\357\273\277{"title": "BOM by {{group.session_id}}", "severity": "SEV-1", "checklist": ["x"]}\n' >"$T/tpl/prompt-injection.json"
	run --separate-stderr vc-incident --templates "$T/tpl" --now 2000 < <(tr 1000 alert s-5)
	assert_success
	[ "$(jq -r '[.title, .severity] | join(" ")' <<<"$output")" = "BOM by s-5 SEV-1" ]
}

@test "vc-incident: posts to Datadog, PagerDuty and a webhook; keys never shown" {
	start_fake
	keys
	{ tr 1000 alert s-42 0.93; tr 1100 ok s-42 0.1; } >"$T/in"
	run --separate-stderr vc-incident -s "$DB" -v --now 1200 -p datadog -p pagerduty -p webhook $(post_args) "$T/in"
	assert_success
	R="$T/requests.jsonl"
	[ "$(jq -r '[.method, .path, .answer] | join(" ")' "$R" | sed 's/[0-9a-f-]\{36\}/ID/' | paste -sd'|')" = \
		"POST /api/v2/incidents 201|POST /api/v2/incidents/ID/relationships/todos 201|POST /api/v2/incidents/ID/relationships/todos 201|POST /api/v2/incidents/ID/relationships/todos 201|POST /api/v2/incidents/ID/relationships/todos 201|POST /api/v2/incidents/ID/relationships/todos 201|PATCH /api/v2/incidents/ID 200|POST /v2/enqueue 202|POST /hook/T0/B0/tok 200" ]
	jq -e -s 'all(.keys_ok)' "$R"
	jq -e -s '.[0].body.data.attributes | .title == "Prompt injection from session s-42" and .customer_impacted == false and .fields.severity.value == "SEV-2" and .fields.state.value == "stable"' "$R"
	jq -e -s '.[0].body.data.attributes.initial_cells[0].content.content | test("Prompt-injection alerts from session s-42")' "$R"
	jq -e -s '.[6].body.data.attributes.fields.state.value == "stable"' "$R"
	jq -e -s '.[7].body | .event_action == "trigger" and .dedup_key == "prompt-injection/session_id:s-42" and .payload.severity == "critical" and (.payload.summary | test("s-42"))' "$R"
	jq -e -s '.[8].body | (.text | test("^\\*\\[MITIGATED\\]\\* Prompt injection from session s-42")) and .incident.key == "prompt-injection/session_id:s-42"' "$R"
	# The webhook URL's token is never shown; the keys never are.
	[[ "$stderr" == *"http://127.0.0.1/..."* ]]
	! grep -q tok <<<"$stderr"
	! grep -qE "sekrit" <<<"$output$stderr"
	! grep -q sekrit "$DB"
	# Resolution: an update to the same Datadog incident, a PagerDuty resolve.
	: >"$R"
	run vc-incident -s "$DB" --now 9999 -p datadog -p pagerduty $(post_args) </dev/null
	assert_success
	[ "$(jq -r '.method + " " + (.body.event_action // .body.data.attributes.fields.state.value)' "$R" | paste -sd'|')" = "PATCH resolved|POST resolve" ]
}

@test "vc-incident: retries 500, 429 and a stall, then succeeds" {
	start_fake --faults 500,429,html500,stall
	keys
	run --separate-stderr vc-incident --now 1200 -p pagerduty $(post_args) --timeout 1 --retries 5 < <(tr 1000 alert s-1)
	assert_success
	# The stalled request is logged when the fake answers it, 3 s later.
	[ "$(jq -r .answer "$T/requests.jsonl" | head -4 | paste -sd' ')" = "500 429 500 202" ]
}

@test "vc-incident: --retry-max-time bounds a post, stalled attempts included; the post stays queued" {
	start_fake --faults stall,stall,stall,stall,stall,stall
	keys
	local t0=$SECONDS
	run --separate-stderr vc-incident -s "$DB" --now 1200 -p pagerduty $(post_args) --timeout 5 --retries 5 --retry-max-time 1 < <(tr 1000 alert s-1)
	assert_failure 1
	[ $((SECONDS - t0)) -le 3 ]
	[[ "$stderr" == *"post to pagerduty of inc-"*"timed out"*"(retry time limit of 1 s reached)"* ]]
	[ "$(sqlite3 "$DB" 'select count(*) from posts')" = 1 ]
}

@test "vc-incident: a Datadog create answered 5xx is not sent twice in a run; a 429 is retried" {
	start_fake --faults 502
	keys
	run --separate-stderr vc-incident -s "$DB" --now 1200 -p datadog $(post_args) --retries 4 < <(tr 1000 alert s-1)
	assert_failure 1
	[[ "$stderr" == *"HTTP 502"*"(not retried: it may have been applied)"* ]]
	[ "$(jq -s 'map(select(.path == "/api/v2/incidents")) | length' "$T/requests.jsonl")" = 1 ]
	[ "$(sqlite3 "$DB" 'select count(*) from posts')" = 1 ]
	# A todo is a create too; the PATCH that follows is not.
	kill "$FAKE_PID"
	wait "$FAKE_PID" 2>/dev/null || true
	: >"$T/requests.jsonl"
	start_fake --faults ok,500
	run --separate-stderr vc-incident -s "$DB" --now 1300 -p datadog $(post_args) --retries 4 </dev/null
	assert_failure 1
	[ "$(jq -r '[(.path | sub("[0-9a-f-]{36}"; "ID")), .answer] | join(" ")' "$T/requests.jsonl" | paste -sd'|')" = \
		"/api/v2/incidents 201|/api/v2/incidents/ID/relationships/todos 500" ]
	run --separate-stderr vc-incident -s "$DB" --now 1400 -p datadog $(post_args) </dev/null
	assert_success
	[ "$(jq -s 'map(select(.path == "/api/v2/incidents")) | length' "$T/requests.jsonl")" = 1 ]
	[ "$(sqlite3 "$DB" 'select count(*) from posts')" = 0 ]
	kill "$FAKE_PID"
	wait "$FAKE_PID" 2>/dev/null || true
	: >"$T/requests.jsonl"
	start_fake --faults 429
	run --separate-stderr vc-incident --now 1200 -p datadog $(post_args) < <(tr 1000 alert s-2)
	assert_success
	[ "$(jq -r 'select(.path == "/api/v2/incidents") | .answer' "$T/requests.jsonl" | paste -sd' ')" = "429 201" ]
}

@test "vc-incident: a target that does not answer is tried once per run, not once per queued post" {
	start_fake --faults stall,stall,stall,stall,stall
	keys
	local t0=$SECONDS
	# Five posts, each 1 s to time out if tried: about 1 s, not 5.
	run --separate-stderr vc-incident -s "$DB" --now 1200 -p pagerduty $(post_args) --timeout 1 --retries 0 \
		< <(for s in 1 2 3 4 5; do tr 100$s alert s-$s; done)
	assert_failure 1
	[ $((SECONDS - t0)) -le 3 ]
	[ "$(grep -c "post to pagerduty of inc-.*timed out" <<<"$stderr")" = 1 ]
	[[ "$stderr" == *"4 more posts to pagerduty not sent: it did not answer (they stay queued)"* ]]
	[[ "$stderr" == *"5 posts failed and stay queued"* ]]
	[ "$(sqlite3 "$DB" 'select count(*) from posts')" = 5 ]
	kill "$FAKE_PID"
	wait "$FAKE_PID" 2>/dev/null || true
	: >"$T/requests.jsonl"
	start_fake
	run --separate-stderr vc-incident -s "$DB" --now 1300 -p pagerduty $(post_args) </dev/null
	assert_success
	[ "$(jq -s 'map(select(.answer == 202)) | length' "$T/requests.jsonl")" = 5 ]
	[ "$(sqlite3 "$DB" 'select count(*) from posts')" = 0 ]
}

@test "vc-incident: a post that always times out goes after its target's other posts in the next run" {
	# The fake stalls (past --timeout) every request about session s-1.
	start_fake --stall-on 'from session s-1"'
	keys
	run --separate-stderr vc-incident -s "$DB" --now 1200 -p pagerduty $(post_args) --timeout 1 --retries 0 \
		< <(for s in 1 2 3; do tr 100$s alert s-$s; done)
	assert_failure 1
	[[ "$stderr" == *"2 more posts to pagerduty not sent: it did not answer"* ]]
	# Only the post tried counts a failure; the two not tried keep their place.
	[ "$(sqlite3 "$DB" 'select attempts from posts order by rowid' | paste -sd' ')" = "1 0 0" ]
	run --separate-stderr vc-incident -s "$DB" --now 1300 -p pagerduty $(post_args) --timeout 1 --retries 0 </dev/null
	assert_failure 1
	# s-2 and s-3 went through, then s-1 timed out again, last: nothing left untried.
	[ "$(jq -r 'select(.answer == 202) | .body.payload.summary' "$T/requests.jsonl" | paste -sd'|')" = \
		"Prompt injection from session s-2|Prompt injection from session s-3" ]
	[ "$(grep -c "post to pagerduty of inc-.*timed out" <<<"$stderr")" = 1 ]
	[[ "$stderr" != *"not sent"* ]]
	[ "$(sqlite3 "$DB" 'select attempts from posts' | paste -sd' ')" = 2 ]
}

@test "vc-incident: a post that keeps failing stays queued and the next run sends it" {
	start_fake --always 503
	keys
	run --separate-stderr vc-incident -s "$DB" --now 1200 -p datadog $(post_args) --retries 1 < <(tr 1000 alert s-1)
	assert_failure 1
	[[ "$stderr" == *"post to datadog of inc-"*"HTTP 503"* ]]
	[[ "$stderr" == *"1 post failed and stays queued"* ]]
	[ "$(jq -r .event <<<"$output")" = opened ]
	[ "$(sqlite3 "$DB" 'select count(*) from posts')" = 1 ]
	kill "$FAKE_PID"
	wait "$FAKE_PID" 2>/dev/null || true
	start_fake
	run --separate-stderr vc-incident -s "$DB" --now 1300 -p datadog $(post_args) </dev/null
	assert_success
	assert_output ''
	[ "$(jq -r 'select(.answer == 201 and .path == "/api/v2/incidents") | .body.data.attributes.title' "$T/requests.jsonl")" = "Prompt injection from session s-1" ]
	[ "$(sqlite3 "$DB" 'select count(*) from posts')" = 0 ]
}

@test "vc-incident: keys only from the environment or a key file; never over plain http" {
	start_fake
	run vc-incident -p datadog --api-url "$URL" </dev/null
	assert_failure 2
	assert_output --partial 'needs DD_API_KEY and DD_APP_KEY'
	printf 'DD_API_KEY=%s\nDD_APP_KEY=%s\n' "$API_KEY" "$APP_KEY" >"$T/keys"
	chmod 640 "$T/keys"
	run --separate-stderr vc-incident --key-file "$T/keys" -p datadog $(post_args) --now 1200 < <(tr 1000 alert s-1)
	assert_success
	jq -e -s 'length == 6 and all(.keys_ok)' "$T/requests.jsonl"
	# Used, with one warning: its group may read it.
	[ "$(grep -c "warning: key file $T/keys can be read by others than its owner (mode 0640)" <<<"$stderr")" = 1 ]
	echo "DD_APIKEY=$API_KEY" >"$T/keys"
	run vc-incident --key-file "$T/keys" -p datadog </dev/null
	assert_failure 2
	refute_output --partial "$API_KEY"
	keys
	run --separate-stderr vc-incident -p datadog --api-url http://example.invalid --now 1200 < <(tr 1000 alert s-1)
	assert_failure 1
	[[ "$stderr" == *"refusing to send a key over plain http"* ]]
	DD_SITE=example.com run vc-incident -p datadog </dev/null
	assert_failure 2
	assert_output --partial 'DD_SITE is not a Datadog site'
}

# The trimmed v2 spec with the two incident paths it lacks (update, todos)
# copied in from the full spec; every component they use is already there.
prism_spec() {
	local v="$SHARED/vendor/datadog-openapi" out=$1
	block() {
		awk -v p="  $1:" '$0 == p { on = 1; print; next } on && /^  ?[^ ]/ { on = 0 } on' "$v/v2-openapi.yaml"
	}
	{
		block '/api/v2/incidents/{incident_id}'
		block '/api/v2/incidents/{incident_id}/relationships/todos'
	} >"$out.paths"
	[ -s "$out.paths" ] || return 1
	awk -v f="$out.paths" '{ print } $0 == "paths:" { while ((getline l < f) > 0) print l }' \
		"$v/v2-incidents-series-min.yaml" >"$out"
}

@test "vc-incident: Datadog incident requests are valid against Datadog's OpenAPI spec (prism)" {
	need_shared vendor/datadog-openapi/v2-incidents-series-min.yaml
	need_shared vendor/datadog-openapi/v2-openapi.yaml
	prism=${VC_PRISM:-prism}
	command -v "$prism" >/dev/null || skip "prism is not installed (npm @stoplight/prism-cli; set VC_PRISM)"
	prism_spec "$T/spec.yaml" || skip "the incident paths were not found in the full v2 spec"
	port=$((20000 + RANDOM % 20000))
	"$prism" mock -h 127.0.0.1 -p "$port" "$T/spec.yaml" >"$T/prism.log" 2>&1 3>&- &
	PRISM_PID=$!
	for i in $(seq 300); do
		grep -q 'Prism is listening' "$T/prism.log" && break
		sleep 0.1
	done
	grep -q 'Prism is listening' "$T/prism.log" || skip "prism did not start"
	keys
	# Prism answers 400 to a request its schema rejects, and the post then
	# fails: exit 0 means every request was valid.  Create (with the
	# checklist as todos, then the state as an update), then resolve.
	run --separate-stderr vc-incident -v -s "$DB" -p datadog --api-url "http://127.0.0.1:$port" --retries 0 --now 1200 \
		< <(tr 1000 alert s-42 0.93; tr 1100 ok s-42 0.1)
	assert_success
	[[ "$stderr" == *"POST http://127.0.0.1:$port/api/v2/incidents: 201"* ]]
	[ "$(grep -c 'relationships/todos: 201' <<<"$stderr")" = 5 ]
	[ "$(grep -c 'PATCH .*: 200' <<<"$stderr")" = 1 ]
	run --separate-stderr vc-incident -v -s "$DB" -p datadog --api-url "http://127.0.0.1:$port" --retries 0 --now 9999 </dev/null
	assert_success
	[[ "$stderr" == *"PATCH http://127.0.0.1:$port/api/v2/incidents/"*": 200"* ]]
	# And a customer-impacting incident, whose scope Datadog requires.
	mkdir -p "$T/tpl"
	echo '{"title": "Prompt injection from {{attacker}}", "severity": "SEV-1", "customer_impacted": true, "checklist": []}' >"$T/tpl/prompt-injection.json"
	run --separate-stderr vc-incident -v --templates "$T/tpl" -p datadog --api-url "http://127.0.0.1:$port" --retries 0 --now 1200 < <(tr 1000 alert s-43)
	assert_success
}
