#!/usr/bin/env bats
# vc-eval-rules: query errors with columns, evaluation semantics on small
# streams, templates, --check, --test, and every exit status.

load helper
bats_require_minimum_version 1.5.0

setup() {
	T="$BATS_TEST_TMPDIR"
	mkdir -p "$T/m"
}

# mon NAME QUERY [OPTIONS_JSON [MESSAGE]]: writes $T/m/NAME.json.
mon() {
	local name=$1 query=$2 options=${3:-'{}'}
	local message=${4:-'{{#is_alert}}hot {{value}}{{/is_alert}} @team-x'}
	printf '{"name":"%s","type":"metric alert","query":"%s","message":"%s","options":%s}\n' \
		"$name" "$query" "$message" "$options" >"$T/m/$name.json"
}

# pts "TS VALUE [GROUP [METRIC]]" ...: metric points on stdout.
pts() {
	local p ts v g m
	for p in "$@"; do
		read -r ts v g m <<<"$p"
		printf '{"ts":%s,"metric":"%s","value":%s,"tags":{"g":"%s"}}\n' \
			"$ts" "${m:-m}" "$v" "${g:-a}"
	done
}

# Keeps "ts status value" of each transition.
brief() {
	jq -r '"\(.ts) \(.status) \(.value)"'
}

@test "--help lists every option; --version; completions cover them" {
	run vc-eval-rules --help
	assert_success
	assert_output --partial "usage: vc-eval-rules "
	for o in --all --check --evidence --interval --lateness --max-future --monitors --retention --test \
		--until --max-record --now --strict --unbuffered; do
		assert_output --partial -- "$o"
	done
	run vc-eval-rules --version
	assert_success
	assert_output --regexp '^vc-eval-rules \(vcobs\) [0-9.]+$'
	assert_completions_cover vc-eval-rules
}

@test "the man page passes mandoc and documents the differences and the memory bound" {
	command -v mandoc >/dev/null || skip "mandoc is not installed"
	run mandoc -Tlint -Wwarning "$REPO/man/vc-eval-rules.1"
	assert_success
	grep -q 'DIFFERENCES FROM DATADOG' "$REPO/man/vc-eval-rules.1"
	grep -q 'MEMORY' "$REPO/man/vc-eval-rules.1"
}

@test "the five shipped monitors pass --check and their --test files" {
	run vc-eval-rules --check
	assert_success
	assert_output "5 monitors ok"
	run vc-eval-rules $(for f in "$VC_DATADIR"/monitors/tests/*.json; do echo "-t $f"; done)
	assert_success
	refute_output --partial "not ok"
	[ "$(grep -c '^ok' <<<"$output")" -ge 10 ]
}

@test "the security monitors name the attacker and carry their @incident handle" {
	run vc-eval-rules --check -m "$VC_DATADIR/monitors/prompt-injection.json" \
		-m "$VC_DATADIR/monitors/multimodal-attacks.json"
	assert_success
	grep -q '{{session_id.name}}' "$VC_DATADIR/monitors/prompt-injection.json"
	grep -q '@incident-prompt-injection' "$VC_DATADIR/monitors/prompt-injection.json"
	grep -q '{{user_id.name}}' "$VC_DATADIR/monitors/multimodal-attacks.json"
	grep -q '@incident-multimodal' "$VC_DATADIR/monitors/multimodal-attacks.json"
}

@test "query errors point at the file, line and column, and exit 1 under --check" {
	mon bad 'avg(last_5m):avg:m{env:prod AND !x:y} by {g} > 1'
	run --separate-stderr vc-eval-rules --check -m "$T/m/bad.json"
	assert_failure 1
	# The query starts at column 46; its '!' is at offset 32.
	[[ "$stderr" == *"bad.json:1:78: a filter cannot mix '!' and ',' with AND, OR, NOT, IN"* ]]
	mon bad 'avg(last_5m):avg:m{*} > .5'
	run --separate-stderr vc-eval-rules --check -m "$T/m/bad.json"
	assert_failure 1
	[[ "$stderr" == *"bad.json:1:70: a number below 1 needs a leading zero"* ]]
	mon bad 'avg(last_5m):anomalies(avg:m{*}, \u0027basic\u0027, 2) >= 1'
	run --separate-stderr vc-eval-rules --check -m "$T/m/bad.json"
	assert_failure 1
	[[ "$stderr" == *"bad.json:1:59: unsupported: anomalies() is not supported"* ]]
	mon bad 'median(last_5m):avg:m{*} > 1'
	run --separate-stderr vc-eval-rules --check -m "$T/m/bad.json"
	assert_failure 1
	[[ "$stderr" == *"bad.json:1:46: unknown time aggregation 'median'"* ]]
	mon bad 'avg(last_5m):median:m{*} > 1'
	run --separate-stderr vc-eval-rules --check -m "$T/m/bad.json"
	[[ "$stderr" == *"bad.json:1:59: unknown space aggregation 'median'"* ]]
}

@test "--check reports thresholds, options, template variables and duplicate ids" {
	mon one 'max(last_5m):avg:m{*} by {g} > 1' \
		'{"thresholds":{"critical":2,"warning":3},"no_such":1}' '{{#is_alert}}{{host.name}} {{valeu}}{{/is_alert}}'
	cp "$T/m/one.json" "$T/m/copy.json"
	sed -i 's/"name":"one"/"name":"one","tags":["vc-id:one"]/' "$T/m/copy.json"
	run --separate-stderr vc-eval-rules --check -m "$T/m"
	assert_failure 1
	[[ "$stderr" == *"one.json:1:"*"options.thresholds.critical (2) differs from the query's threshold (1)"* ]]
	[[ "$stderr" == *"warning threshold (3) must be less than the alert threshold (1) with > comparison"* ]]
	[[ "$stderr" == *"unknown option \"no_such\""* ]]
	[[ "$stderr" == *"'host' is not a group-by key"* ]]
	[[ "$stderr" == *"unknown template variable 'valeu'"* ]]
	[[ "$stderr" == *"duplicate vc id 'one'"* ]]
}

@test "--check refuses a NUL in the query, message or tags: evaluated cut short, pushed whole" {
	printf '%s\n' '{"name":"z","type":"metric alert","query":"max(last_1m):max:m{*} > 1\u0000x","message":"{{#is_match \"g.name\" \"a\u0000b\"}}m{{/is_match}}","tags":["vc-id:z\u0000y","a\\u0000"],"options":{}}' >"$T/m/z.json"
	run --separate-stderr vc-eval-rules --check "$T/m/z.json"
	assert_failure 1
	[[ "$stderr" == *'z.json:1:69: "query": a NUL (\u0000), which vcobs cannot carry'* ]]
	[[ "$stderr" == *'z.json:1:'*': "message": a NUL (\u0000)'* ]]
	[[ "$stderr" == *'tags: a NUL (\u0000)'* ]]
	# An escaped backslash before "u0000" is no NUL.
	[ "$(grep -c 'a NUL' <<<"$stderr")" = 3 ]
	run --separate-stderr vc-eval-rules -m "$T/m/z.json" <<<'{"ts":0,"metric":"m","value":5}'
	assert_failure 2
	[ -z "$output" ]
}

@test "every time aggregation: avg, sum, min, max, change, pct_change" {
	local in
	in=$(pts "0 1" "60 5" "120 3")
	mon t 'avg(last_3m):avg:m{*} > 2.5'
	run vc-eval-rules -m "$T/m/t.json" <<<"$in"
	assert_success
	assert_output --partial '"ts":120,'
	[ "$(brief <<<"$output")" = "120 alert 3" ]
	mon t 'sum(last_3m):avg:m{*} > 8'
	[ "$(vc-eval-rules -m "$T/m/t.json" <<<"$in" | brief)" = "180 alert 9" ]
	mon t 'min(last_3m):avg:m{*} >= 3'
	[ "$(vc-eval-rules -m "$T/m/t.json" --until 240 <<<"$in" | brief)" = "240 alert 3" ]
	mon t 'max(last_3m):avg:m{*} > 4'
	[ "$(vc-eval-rules -m "$T/m/t.json" <<<"$in" | brief)" = "120 alert 5" ]
	mon t 'change(avg(last_1m),1m_ago):avg:m{*} > 3'
	[ "$(vc-eval-rules -m "$T/m/t.json" <<<"$in" | brief | head -1)" = "120 alert 4" ]
	mon t 'pct_change(avg(last_1m),1m_ago):avg:m{*} < -30'
	[ "$(vc-eval-rules -m "$T/m/t.json" <<<"$in" | brief)" = "180 alert -40" ]
}

@test "recovery hysteresis: an alert holds until critical_recovery is crossed" {
	mon h 'max(last_1m):avg:m{*} > 0.7' '{"thresholds":{"critical":0.7,"critical_recovery":0.5}}'
	run vc-eval-rules -m "$T/m/h.json" < <(pts "0 0.9" "60 0.6" "120 0.55" "180 0.5")
	assert_success
	[ "$(brief <<<"$output")" = "60 alert 0.9
240 ok 0.5" ]
	mon h 'max(last_1m):avg:m{*} > 0.7'
	[ "$(vc-eval-rules -m "$T/m/h.json" < <(pts "0 0.9" "60 0.6") | brief)" = "60 alert 0.9
120 ok 0.6" ]
}

@test "warning level: ok, warn, alert, warn, ok" {
	mon w 'avg(last_1m):avg:m{*} > 10' '{"thresholds":{"critical":10,"warning":8}}' \
		'{{#is_warning}}W {{warn_threshold}}{{/is_warning}}{{#is_alert_to_warning}} down{{/is_alert_to_warning}}'
	run vc-eval-rules -m "$T/m/w.json" < <(pts "0 5" "60 9" "120 11" "180 9" "240 1")
	assert_success
	[ "$(jq -r '"\(.status) \(.previous) \(.threshold) \(.message)"' <<<"$output")" = "warn ok 8 W 8
alert warn 10 
warn alert 8 W 8 down
ok warn 8 " ]
}

@test "no data after no_data_timeframe with notify_no_data, and --until to see it" {
	mon nd 'avg(last_5m):avg:m{*} by {g} > 1' '{"notify_no_data":true,"no_data_timeframe":10}' \
		'{{#is_no_data}}silent {{g.name}}{{/is_no_data}}'
	run vc-eval-rules -m "$T/m/nd.json" --until 1200 < <(pts "0 0.5")
	assert_success
	[ "$(jq -r '"\(.ts) \(.status) \(.previous) \(.value) \(.message)"' <<<"$output")" = "600 no_data ok null silent a" ]
	run vc-eval-rules -m "$T/m/nd.json" < <(pts "0 0.5")
	assert_output ""
}

@test "evaluation_delay shifts the evaluated window back" {
	mon d 'max(last_1m):avg:m{*} > 1' '{"evaluation_delay":300}'
	[ "$(vc-eval-rules -m "$T/m/d.json" --until 600 < <(pts "0 5") | brief)" = "360 alert 5" ]
	mon d 'max(last_1m):avg:m{*} > 1'
	[ "$(vc-eval-rules -m "$T/m/d.json" --until 600 < <(pts "0 5") | brief)" = "60 alert 5" ]
}

@test "lateness: a point later than --lateness is rejected with exit 1, within it counts" {
	mon l 'max(last_1m):avg:m{*} by {g} > 1'
	run --separate-stderr vc-eval-rules -m "$T/m/l.json" < <(pts "0 0" "200 0 b" "100 9")
	assert_failure 1
	[[ "$stderr" == *"vc-eval-rules: stdin:3: point 100 s late, past --lateness 60"* ]]
	[ -z "$output" ]
	run vc-eval-rules -m "$T/m/l.json" --lateness 120 < <(pts "0 0" "200 0 b" "100 9")
	assert_success
	[ "$(brief <<<"$output")" = "120 alert 9" ]
}

@test "a sum past the range of a double alerts with the largest double as its value, as jq writes infinite" {
	mon inf 'max(last_1m):sum:m{*} by {g} > 1' '{}' 'hot {{value}}'
	run vc-eval-rules -m "$T/m/inf.json" < <(pts "0 1e308" "1 1e308")
	assert_success
	# null is for no data; an alert carries the number it crossed with.
	[ "$(jq -r '"\(.status) \(.value) \(.message)"' <<<"$output")" = "alert 1.7976931348623157e+308 hot 1.7976931348623157e+308" ]
	mon inf 'min(last_1m):sum:m{*} by {g} < 1'
	run vc-eval-rules -m "$T/m/inf.json" < <(pts "0 -1e308" "1 -1e308")
	assert_success
	[ "$(brief <<<"$output")" = "60 alert -1.7976931348623157e+308" ]
}

@test "a value the arithmetic cannot give (inf - inf) is reported once per monitor, exit 1, status stands" {
	mon nan 'max(last_1m):sum:a{*} by {g} - sum:b{*} by {g} > 1' '{}' 'hot {{value}}'
	run --separate-stderr vc-eval-rules -m "$T/m/nan.json" --until 300 < <(
		pts "0 1e308 x a" "1 1e308 x a" "0 1e308 x b" "1 1e308 x b" \
			"0 1e308 y a" "1 1e308 y a" "0 1e308 y b" "1 1e308 y b" \
			"70 5 x a" "70 1 x b")
	assert_failure 1
	[[ "$stderr" == *'monitor nan, group {g:"x"}: no value at 60: its arithmetic is undefined'* ]]
	[ "$(grep -c . <<<"$stderr")" = 1 ]
	# The next window has values again: evaluated as usual.
	[ "$(jq -r '"\(.ts) \(.group.g) \(.status) \(.value)"' <<<"$output")" = "120 x alert 4" ]
	# default_zero() does not make it 0.
	mon nan 'sum(last_5m):default_zero(sum:a{*}.as_count()) < 1'
	run --separate-stderr vc-eval-rules -m "$T/m/nan.json" < <(pts "0 1e308 x a" "1 1e308 x a" "60 -1e308 x a" "61 -1e308 x a")
	assert_failure 1
	[[ "$stderr" == *"monitor nan, group {}: no value at 120"* ]]
	[ -z "$output" ]
	# The group value is the attacker's text: written escaped, never raw.
	mon nan 'max(last_1m):sum:a{*} by {g} - sum:b{*} by {g} > 1'
	run --separate-stderr vc-eval-rules -m "$T/m/nan.json" --until 120 < <(
		pts '0 1e308 \u001b[2J a' '1 1e308 \u001b[2J a' '0 1e308 \u001b[2J b' '1 1e308 \u001b[2J b')
	assert_failure 1
	[[ "$stderr" == *'group {g:"\u001b[2J"}: no value at 60'* ]]
	[[ "$stderr" != *$'\e'* ]]
}

@test "a NUL in a group value is kept: its own group, written back escaped" {
	mon nul 'max(last_1m):max:m{*} by {g} > 1' '{}' 'hot {{g.name}}'
	run vc-eval-rules -m "$T/m/nul.json" <<-'EOF'
		{"ts":0,"metric":"m","value":5,"tags":{"g":"a\u0000b"}}
		{"ts":0,"metric":"m","value":3,"tags":{"g":"a b"}}
		{"ts":1,"metric":"m","value":4,"tags":{"g":"\u0000"}}
	EOF
	assert_success
	[ "$(jq -c '[.group.g, .value, .message]' <<<"$output")" = '["a\u0000b",5,"hot a\u0000b"]
["a b",3,"hot a b"]
["\u0000",4,"hot \u0000"]' ]
	# A number counts as it is spelled: 42 and "42" are one group.
	run vc-eval-rules -m "$T/m/nul.json" <<-'EOF'
		{"ts":0,"metric":"m","value":5,"tags":{"g":42}}
		{"ts":1,"metric":"m","value":6,"tags":{"g":"42"}}
		{"ts":2,"metric":"m","value":7,"tags":{"g":42.0}}
	EOF
	assert_success
	[ "$(jq -c '[.group.g, .value]' <<<"$output")" = '["42",6]
["42.0",7]' ]
}

@test "a group tag that is an object or an array is reported on its line, not put in N/A" {
	mon obj 'max(last_1m):max:m{*} by {g} > 1'
	mon all 'max(last_1m):sum:m{*} > 100'
	run --separate-stderr vc-eval-rules -m "$T/m" <<-'EOF'
		{"ts":0,"metric":"m","value":50,"tags":{"g":{"id":"s-1"}}}
		{"ts":0,"metric":"m","value":50,"tags":{"g":["s-2"]}}
		{"ts":1,"metric":"m","value":5,"tags":{"g":"s-3","extra":{"not":"a group key"}}}
		{"ts":2,"metric":"m","value":60,"tags":{"g":null}}
	EOF
	assert_failure 1
	[ "$stderr" = 'vc-eval-rules: stdin:1: tag g is an object, not a group value (a string or a number)
vc-eval-rules: stdin:2: tag g is an array, not a group value (a string or a number)' ]
	# The refused points count nowhere: the ungrouped sum stays at 65.
	[ "$(jq -c '[.monitor.id, .group.g, .value]' <<<"$output")" = '["obj","s-3",5]
["obj","N/A",60]' ]
}

@test "a point far ahead of now (a typo, year 2100) is rejected and does not make the rest late" {
	mon fut 'max(last_1m):max:m{*} by {g} > 1'
	run --separate-stderr vc-eval-rules -m "$T/m/fut.json" --now 1764150000 \
		< <(pts "1764150000 5 a" "4102444800 9 typo" "1764150030 7 b" "1764150600 0 c")
	assert_failure 1
	[ "$stderr" = "vc-eval-rules: stdin:2: point 2338294800 s ahead of now, past --max-future 600" ]
	[ "$(jq -c '[.ts, .group.g, .value]' <<<"$output")" = '[1764150060,"a",5]
[1764150060,"b",7]' ]
	# Within the bound, and with a wider one, a point ahead counts.
	run vc-eval-rules -m "$T/m/fut.json" --now 1764150000 --max-future 4000000000 \
		< <(pts "1764150000 5 a" "4102444800 9 typo")
	assert_success
	[ "$(jq -c '[.ts, .group.g]' <<<"$output")" = '[1764150060,"a"]
[4102444860,"typo"]' ]
	run --separate-stderr vc-eval-rules -m "$T/m/fut.json" --max-future -1 </dev/null
	assert_failure 2
	[[ "$stderr" == *"--max-future"* ]]
}

@test "multi-group: one transition per group, group object and evidence with extra fields" {
	mon g 'max(last_1m):max:m{*} by {g} > 1'
	run vc-eval-rules -m "$T/m/g.json" <<-'EOF'
		{"ts":0,"metric":"m","value":5,"tags":{"g":"s-42"},"categories":["override"]}
		{"ts":0,"metric":"m","value":0.1,"tags":{"g":"s-7"}}
		{"ts":10,"metric":"m","value":3,"tags":{"g":"s-9"}}
		{"ts":20,"metric":"other","value":9,"tags":{"g":"s-7"}}
	EOF
	assert_success
	[ "$(jq -c '[.group.g, .status, .value]' <<<"$output")" = '["s-42","alert",5]
["s-9","alert",3]' ]
	[ "$(jq -c '.evidence' <<<"$output" | head -1)" = '[{"ts":0,"metric":"m","value":5,"tags":{"g":"s-42"},"categories":["override"]}]' ]
	[ "$(jq -c '.monitor' <<<"$output" | head -1)" = '{"id":"g","name":"g","query":"max(last_1m):max:m{*} by {g} > 1","priority":null}' ]
}

@test "the alert record: every key of the contract, rendered message and handles" {
	run vc-eval-rules -m "$VC_DATADIR/monitors/prompt-injection.json" <<-'EOF'
		{"ts":1764150000,"metric":"llm.security.injection_attempt_score","value":0.93,"tags":{"session_id":"s-42"}}
		{"ts":1764150060,"metric":"llm.security.injection_attempt_score","value":0.1,"tags":{"session_id":"s-1"}}
	EOF
	assert_success
	[ "$(jq -c 'keys_unsorted' <<<"$output")" = '["ts","monitor","group","status","previous","value","threshold","message","handles","evidence"]' ]
	[ "$(jq -r .message <<<"$output")" = "Prompt injection attempts in session s-42: score 0.93 above 0.7. @incident-prompt-injection" ]
	[ "$(jq -c '[.ts, .group, .status, .previous, .threshold, .handles, .monitor.priority]' <<<"$output")" = '[1764150060,{"session_id":"s-42"},"alert","ok",0.7,["@incident-prompt-injection"],1]' ]
}

@test "template rendering: is_match, else, last_triggered_at, tag variables" {
	mon tpl 'max(last_1m):avg:m{*} by {g} > 1' '{}' \
		'{{#is_match \"g.name\" \"prod\"}}P{{else}}N{{/is_match}} {{g.name}} {{value}} {{comparator}} {{threshold}} at {{last_triggered_at}}'
	run vc-eval-rules -m "$T/m/tpl.json" < <(pts "1764150000 5 web-prod")
	assert_success
	[ "$(jq -r .message <<<"$output")" = "P web-prod 5 > 1 at 2025-11-26 09:41:00 UTC" ]
}

@test "--all writes every evaluation; --evidence bounds the evidence" {
	mon a 'max(last_1m):avg:m{*} > 100'
	[ "$(vc-eval-rules -m "$T/m/a.json" --all < <(pts "0 1" "60 2" "120 3") | brief)" = "60 ok 1
120 ok 2
180 ok 3" ]
	mon a 'sum(last_5m):sum:m{*} > 2'
	[ "$(vc-eval-rules -m "$T/m/a.json" -e 2 < <(pts "0 1" "1 1" "2 1") | jq -c '[.evidence[].ts]')" = "[1,2]" ]
	[ "$(vc-eval-rules -m "$T/m/a.json" --evidence 0 < <(pts "0 1" "1 1" "2 1") | jq -c .evidence)" = "[]" ]
}

@test "--test passes, and a failing test prints expected vs got and exits 1" {
	mon t 'max(last_1m):avg:m{*} by {g} > 1'
	cat >"$T/good.json" <<-EOF
		{"monitors": ["m/t.json"], "tests": [
		 {"name": "alerts at 2m", "input_series": [{"metric": "m", "tags": {"g": "a"}, "values": "0 5 0"}],
		  "expected": [{"at": "2m", "group": {"g": "a"}, "status": "alert", "value": 5},
		               {"at": "3m", "group": {"g": "a"}, "status": "ok"}]}]}
	EOF
	run vc-eval-rules --test "$T/good.json"
	assert_success
	assert_output "ok 1 - $T/good.json: alerts at 2m"
	sed -e 's/"at": "2m"/"at": "4m"/' "$T/good.json" >"$T/bad.json"
	run vc-eval-rules --test "$T/bad.json"
	assert_failure 1
	assert_line --index 0 "not ok 1 - $T/bad.json: alerts at 2m"
	assert_output --partial '#   missing:    at 4m t {"g":"a"} alert'
	assert_output --partial '#   unexpected: at 2m t {"g":"a"} alert (from ok, value 5)'
}

@test "--check and --test take more files as arguments, for shell globs" {
	mon one 'max(last_1m):avg:m{*} > 1'
	mon two 'max(last_1m):avg:m{*} > 2'
	run vc-eval-rules --check "$T"/m/*.json
	assert_success
	assert_output "2 monitors ok"
	run vc-eval-rules --test "$VC_DATADIR"/monitors/tests/*.json
	assert_success
	[ "$(grep -c '^ok' <<<"$output")" -eq "$(cat "$VC_DATADIR"/monitors/tests/*.json |
		jq -s '[.[].tests | length] | add')" ]
}

@test "--test reads JSON lines of tests against the -m monitors" {
	mon t 'max(last_1m):avg:m{*} > 1'
	printf '%s\n' '{"name":"quiet","input_series":[{"metric":"m","values":"0x3"}],"expected":[]}' \
		'{"name":"loud","input_series":[{"metric":"m","values":"_ 2"}],"expected":[{"at":"2m","status":"alert"}]}' \
		>"$T/t.jsonl"
	run vc-eval-rules -m "$T/m/t.json" -t "$T/t.jsonl"
	assert_success
	assert_line --index 1 "ok 2 - $T/t.jsonl: loud"
}

@test "exit 2: usage errors, unreadable files, broken monitors, unusable test files" {
	run --separate-stderr vc-eval-rules --interval 0
	assert_failure 2
	[[ "$stderr" == *"--interval"* ]]
	run --separate-stderr vc-eval-rules --check -t x.json
	assert_failure 2
	run --separate-stderr vc-eval-rules -m "$T/nope.json" </dev/null
	assert_failure 2
	[[ "$stderr" == *"nope.json"* ]]
	mon bad 'avg(last_5m):avg:m{*} >'
	run --separate-stderr vc-eval-rules -m "$T/m/bad.json" </dev/null
	assert_failure 2
	[[ "$stderr" == *"do not pass --check"* ]]
	echo '{"tests": 1' >"$T/broken.json"
	run --separate-stderr vc-eval-rules -t "$T/broken.json"
	assert_failure 2
	[[ "$stderr" == *"broken.json: not a test file"* ]]
	# A file past 16 MiB is refused unread, so /dev/zero cannot eat memory.
	truncate -s 17M "$T/huge.json"
	run --separate-stderr vc-eval-rules -t "$T/huge.json"
	assert_failure 2
	[[ "$stderr" == *"huge.json: File too large"* ]]
	run --separate-stderr vc-eval-rules "$T/no-such-input.jsonl"
	assert_failure 2
}

@test "exit 1: bad input lines are reported with their line, good lines still count" {
	mon e 'max(last_1m):avg:m{*} > 1'
	run --separate-stderr vc-eval-rules -m "$T/m/e.json" <<-'EOF'
		{"ts":0,"metric":"m","value":5}
		{"ts":1,"metric":"m","value":"high"}
		not json
		{"ts":2,"value":1}
		{"ts":3,"metric":"m","value":1,"tags":[1]}
	EOF
	assert_failure 1
	[[ "$stderr" == *"stdin:2: no number at .value"* ]]
	[[ "$stderr" == *"stdin:3: "* ]]
	[[ "$stderr" == *"stdin:4: no metric name at .metric"* ]]
	[[ "$stderr" == *"stdin:5: tags at .tags is not an object"* ]]
	[ "$(brief <<<"$output")" = "60 alert 5" ]
}

@test "exit 2 on a write error to a full disk" {
	[ -w /dev/full ] || skip "no /dev/full"
	mon f 'max(last_1m):avg:m{*} > 1'
	run bash -c "vc-eval-rules -m '$T/m/f.json' < <(printf '%s\n' '{\"ts\":0,\"metric\":\"m\",\"value\":5}') >/dev/full"
	assert_failure 2
	run bash -c "vc-eval-rules --check >/dev/full"
	assert_failure 2
}

@test "--strict stops at the first rejected line; --now dates points without ts" {
	mon s 'max(last_1m):avg:m{*} > 1'
	run --separate-stderr vc-eval-rules -m "$T/m/s.json" --strict <<-'EOF'
		{"ts":0,"metric":"m","value":0.5}
		{"ts":1,"metric":"m"}
		{"ts":2,"metric":"m","value":5}
	EOF
	assert_failure 1
	[[ "$stderr" == *"stdin:2: no number at .value"* ]]
	[ -z "$output" ]
	run vc-eval-rules -m "$T/m/s.json" --now 2026-11-26T10:00:00Z <<<'{"metric":"m","value":5}'
	assert_success
	[ "$(brief <<<"$output")" = "1795687260 alert 5" ]
}

@test "a null ts is no ts, as jq reads it: dated --now; an unreadable ts is still rejected" {
	mon s 'max(last_1m):avg:m{*} > 1'
	run --separate-stderr vc-eval-rules -m "$T/m/s.json" --now 2026-11-26T10:00:00Z <<-'EOF'
		{"ts":null,"metric":"m","value":5}
		{"ts":true,"metric":"m","value":7}
	EOF
	assert_failure 1
	[[ "$stderr" == *"stdin:2: no time at .ts"* ]]
	[[ "$stderr" != *"stdin:1:"* ]]
	[ "$(brief <<<"$output")" = "1795687260 alert 5" ]
}
