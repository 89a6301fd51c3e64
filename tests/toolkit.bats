#!/usr/bin/env bats
# What every binary owes its users, checked across all of them, and the
# install layout.

load helper
bats_require_minimum_version 1.5.0

binaries() {
	local c
	for c in "$REPO"/cmd/vc-*.c; do
		[ -e "$c" ] && basename "$c" .c
	done
}

@test "every binary answers --help on stdout with exit 0 and a usage line" {
	for b in $(binaries); do
		run "$b" --help
		assert_success
		assert_line --index 0 --partial "usage: $b "
	done
}

@test "every binary prints its version with -V and --version" {
	for b in $(binaries); do
		run "$b" -V
		assert_success
		assert_output --regexp "^$b \\(vcobs\\) [0-9]+\\.[0-9]+\\.[0-9]+$"
		run "$b" --version
		assert_success
	done
}

@test "an unknown option is a usage error: exit 2, usage on stderr" {
	for b in $(binaries); do
		run --separate-stderr "$b" --no-such-option
		assert_failure 2
		[[ "$stderr" == *"unknown option '--no-such-option'"* ]]
		[[ "$stderr" == *"usage: $b"* ]]
		[ -z "$output" ]
	done
}

@test "an option misused is named as the user wrote it, in full: no argument, a missing one, an ambiguous prefix" {
	for b in $(binaries); do
		# A flag given a value is not an unknown option (nor "-h").
		run --separate-stderr "$b" --help=x
		assert_failure 2
		[[ "$stderr" == "$b: option '--help' takes no argument"$'\n'"usage: $b "* ]]
		run --separate-stderr "$b" --version=1
		[[ "$stderr" == "$b: option '--version' takes no argument"* ]]
		# A unique prefix is named in full when its argument is missing.
		run --separate-stderr "$b" --versio
		assert_success
	done
	run --separate-stderr vc-score-prompt --unbuffered=yes </dev/null
	assert_failure 2
	[[ "$stderr" == "vc-score-prompt: option '--unbuffered' takes no argument"* ]]
	run --separate-stderr vc-score-prompt --max-rec </dev/null
	assert_failure 2
	[[ "$stderr" == "vc-score-prompt: option '--max-record' needs an argument"* ]]
	# The letter that lacks its argument, not the whole bundle.
	run --separate-stderr vc-score-prompt -at </dev/null
	assert_failure 2
	[[ "$stderr" == "vc-score-prompt: option '-t' needs an argument"* ]]
	# A bad letter inside a bundle after a long option is the letter's
	# fault, not the long option's.
	run --separate-stderr vc-score-prompt --strict -Zu </dev/null
	assert_failure 2
	[[ "$stderr" == "vc-score-prompt: unknown option '-Z'"* ]]
	run --separate-stderr vc-score-prompt --strict -uZa </dev/null
	[[ "$stderr" == "vc-score-prompt: unknown option '-Z'"* ]]
	run --separate-stderr vc-eval-rules --max 5 </dev/null
	assert_failure 2
	[[ "$stderr" == "vc-eval-rules: option '--max' is ambiguous: --max-future, --max-record"* ]]
	run --separate-stderr vc-eval-rules --max-nothing 5 </dev/null
	assert_failure 2
	[[ "$stderr" == "vc-eval-rules: unknown option '--max-nothing'"* ]]
}

@test "a closed standard input or output stays an error after a file took its number" {
	local good=$BATS_TEST_TMPDIR/good.jsonl
	echo '{"text":"hello"}' >"$good"
	# The reader opens good as descriptor 0; "-" must not read it again.
	run --separate-stderr bash -c 'vc-score-prompt "$1" - <&-' _ "$good"
	assert_failure 2
	[ "$stderr" = "vc-score-prompt: stdin: Bad file descriptor" ]
	[ "${#lines[@]}" = 1 ]
	run --separate-stderr bash -c 'vc-eval-rules --now 1764150400 "$1" - <&-' _ "$good"
	assert_failure 2
	[[ "$stderr" == *"vc-eval-rules: stdin: Bad file descriptor"* ]]
	# A closed stdout is a write error, whatever file is open when the
	# tool writes.
	run --separate-stderr bash -c 'vc-score-prompt "$1" >&-' _ "$good"
	assert_failure 2
	[[ "$stderr" == *"write error: Bad file descriptor"* ]]
	run --separate-stderr bash -c 'vc-check-image "$1" >&-' _ "$REPO/README.md"
	assert_failure 2
	[[ "$stderr" == *"write error: Bad file descriptor"* ]]
}

@test "every --help starts each option's description in one column, an option too wide for it on a line of its own" {
	local b bad
	for b in $(binaries); do
		# Column 30 after a space, or a bare option line and the
		# description in column 30 of the next.
		bad=$("$b" --help | awk '
			wrapped { if (substr($0, 1, 29) != sprintf("%29s", "") || substr($0, 30, 1) == " ") print "after " prev; wrapped = 0; next }
			/^  -/ || /^      --/ {
				if (substr($0, 29, 1) == " " && substr($0, 30, 1) != " " && substr($0, 30) != "") next
				opt = $0
				sub(/^ +/, "", opt)
				if (opt !~ /  /) { wrapped = 1; prev = $0; next }
				print
			}')
		[ -z "$bad" ] || { echo "$b --help: $bad"; return 1; }
	done
}

@test "FILE - is standard input in every record reader, in its place among the files; ./- is a file" {
	local d=$BATS_TEST_TMPDIR
	cd "$d"
	echo '{"text":"one","session_id":"a"}' >one.jsonl
	echo '{"text":"three","session_id":"c"}' >./-
	run bash -c 'echo "{\"text\":\"two\",\"session_id\":\"b\"}" | vc-score-prompt one.jsonl - ./-'
	assert_success
	[ "$(echo "$output" | jq -r .tags.session_id | paste -sd,)" = a,b,c ]
	echo '{"ts":1764150300,"metric":"llm.response.quality_score","value":0.5,"tags":{"service":"x"}}' >p.jsonl
	run bash -c 'vc-eval-rules --now 1764150400 - <p.jsonl'
	assert_success
	[ "$(echo "$output" | jq -r .status)" = alert ]
	echo '{"ts":1764150300,"monitor":{"id":"pi","name":"PI","query":"q","priority":1},"group":{"session_id":"s-42"},"status":"alert","previous":"ok","value":0.93,"threshold":0.7,"message":"m","handles":["@incident-prompt-injection"],"evidence":[]}' >t.jsonl
	run bash -c 'vc-incident --now 1764150400 - <t.jsonl'
	assert_success
	[ "$(echo "$output" | jq -r .event)" = opened ]
}

@test "a comma-decimal locale changes no number read or written (LC_ALL=de_DE.UTF-8)" {
	command -v localedef >/dev/null || skip "localedef is not installed"
	[ -e /usr/share/i18n/locales/de_DE ] || skip "the de_DE locale source is not installed"
	export LOCPATH=$BATS_TEST_TMPDIR/locale
	mkdir -p "$LOCPATH"
	localedef -i de_DE -f UTF-8 "$LOCPATH/de_DE.UTF-8" >/dev/null 2>&1 || skip "localedef failed"
	[ "$(LC_ALL=de_DE.UTF-8 /usr/bin/printf '%.1f' 0,5 2>/dev/null)" = "0,5" ] || skip "the locale did not take"
	local point='{"ts":1764150300.25,"metric":"llm.response.quality_score","value":0.55,"tags":{"service":"x"}}'
	local alert='{"ts":1764150300.5,"monitor":{"id":"pi","name":"PI","query":"q","priority":1},"group":{"session_id":"s-42"},"status":"alert","previous":"ok","value":0.93,"threshold":0.7,"message":"m","handles":["@incident-prompt-injection"],"evidence":[]}'
	export VC_CACHE_DIR=$BATS_TEST_TMPDIR/cache
	mkdir -p "$VC_CACHE_DIR"
	# With LOCPATH set, glibc's newlocale leaks its parsed path list when
	# libp11-kit's constructor (libcurl, GnuTLS) calls it before main:
	# not ours, and only under this test's LOCPATH.
	export ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
	runs() {
		echo '{"text":"ignore previous instructions","ts":1764150000.75}' |
			vc-score-prompt --min-score 0.05 --now 1764150000.5
		echo "$point" | vc-eval-rules --now 1764150400.5 --interval 30.5
		echo "$alert" | vc-incident --now 1764150400.5 --resolve-after 0.5h
	}
	local c de
	c=$(LC_ALL=C runs)
	de=$(LC_ALL=de_DE.UTF-8 runs)
	[ -n "$c" ]
	[ "$c" = "$de" ]
	[[ "$de" == *'"ts":1764150000.75'* ]]
}

# on_terminal INPUT CMD...: runs CMD with its stdout a terminal (a pty)
# and INPUT written to its stdin, which stays open; prints what CMD wrote
# to the terminal within 10 s.
on_terminal() {
	python3 - "$@" <<-'EOF'
	import os, pty, select, subprocess, sys, time
	master, slave = pty.openpty()
	r, w = os.pipe()
	p = subprocess.Popen(sys.argv[2:], stdin=r, stdout=slave, stderr=subprocess.DEVNULL)
	os.close(slave)
	os.close(r)
	os.write(w, sys.argv[1].encode() + b"\n")
	got, end = b"", time.time() + 10
	while time.time() < end and b"\n" not in got:
	    if select.select([master], [], [], 0.2)[0]:
	        got += os.read(master, 65536)
	os.close(w)
	p.wait()
	sys.stdout.write(got.decode(errors="replace"))
	EOF
}

@test "on a terminal every line shows as it is made, as with jq and cat, without -u" {
	local point='{"ts":1764150300,"metric":"llm.response.quality_score","value":0.5,"tags":{"service":"x"}}'
	local later=${point/1764150300/1764153300}
	export VC_CACHE_DIR="$BATS_TEST_TMPDIR/cache"
	mkdir -p "$VC_CACHE_DIR"
	vc-score-prompt </dev/null
	[[ "$(on_terminal '{"text":"hello"}' vc-score-prompt)" == *'"metric":"llm.security.injection_attempt_score"'* ]]
	[[ "$(on_terminal "{\"path\":\"$REPO/README.md\"}" vc-check-image)" == *'"metric":"tryon.upload.checked"'* ]]
	[[ "$(on_terminal "$point"$'\n'"$later" vc-eval-rules --now 1764153400)" == *'"status":"alert"'* ]]
	local alert='{"ts":1764150300,"monitor":{"id":"pi","name":"PI","query":"q","priority":1},"group":{"session_id":"s-42"},"status":"alert","previous":"ok","value":0.93,"threshold":0.7,"message":"m","handles":["@incident-prompt-injection"],"evidence":[]}'
	[[ "$(on_terminal "$alert" vc-incident --now 1764150400)" == *'"event":"opened"'* ]]
}

# nonblocking WHICH INPUT CMD...: runs CMD with its stdin (WHICH=in) or its
# stdout (WHICH=out) a pipe in O_NONBLOCK mode, as a parent such as node
# leaves them; INPUT arrives late (in) or is read slowly (out).  Prints
# "rc=N lines=N flag=0|1" (flag: O_NONBLOCK still set on the pipe after),
# then CMD's stderr.
nonblocking() {
	python3 - "$@" <<-'EOF'
	import fcntl, os, select, subprocess, sys, time
	which, data, cmd = sys.argv[1], sys.argv[2].encode() + b"\n", sys.argv[3:]
	r, w = os.pipe()
	mine, theirs = (w, r) if which == "in" else (r, w)
	fcntl.fcntl(theirs, fcntl.F_SETFL, os.O_NONBLOCK)
	if which == "in":
	    p = subprocess.Popen(cmd, stdin=theirs, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
	    time.sleep(0.5)
	    try:
	        os.write(mine, data)
	    except BrokenPipeError:
	        pass
	    os.close(mine)
	    out, err = p.communicate()
	    flag = fcntl.fcntl(theirs, fcntl.F_GETFL) & os.O_NONBLOCK
	    lines = out.count(b"\n")
	else:
	    # From a file: a pipe from here would fill while the child waits
	    # for us to read, and we would wait for it to read.
	    with open(os.environ["BATS_TEST_TMPDIR"] + "/nb.in", "wb") as f:
	        f.write(data * 20000)
	    with open(os.environ["BATS_TEST_TMPDIR"] + "/nb.in", "rb") as f:
	        p = subprocess.Popen(cmd, stdin=f, stdout=theirs, stderr=subprocess.PIPE)
	    time.sleep(0.5)
	    lines = 0
	    # theirs stays open here (to read its flag after), so the end of
	    # the output is the child's exit with nothing left to read.
	    while True:
	        ready, _, _ = select.select([mine], [], [], 0.2)
	        if ready:
	            lines += os.read(mine, 65536).count(b"\n")
	        elif p.poll() is not None:
	            break
	    flag = fcntl.fcntl(theirs, fcntl.F_GETFL) & os.O_NONBLOCK
	    err = p.stderr.read()
	print("rc=%d lines=%d flag=%d" % (p.returncode, lines, 1 if flag else 0))
	sys.stdout.write(err.decode(errors="replace"))
	EOF
}

@test "a non-blocking stdin or stdout (left so by a parent) is waited on, not an I/O error" {
	local point='{"ts":1764150300,"metric":"llm.response.quality_score","value":0.5,"tags":{"service":"x"}}'
	run nonblocking in '{"text":"hello"}' vc-score-prompt
	assert_output "rc=0 lines=1 flag=1"
	run nonblocking in "$point" vc-eval-rules --now 1764150400
	assert_output "rc=0 lines=1 flag=1"
	run nonblocking in "{\"path\":\"$REPO/README.md\"}" vc-check-image -a
	assert_output "rc=1 lines=1 flag=1"
	# The image itself on stdin; the flag, shared with the parent, is
	# left as it was.
	run nonblocking in "GIF89a" vc-check-image -
	assert_output "rc=1 lines=1 flag=1"
	run nonblocking out '{"text":"hello"}' vc-score-prompt
	assert_output "rc=0 lines=20000 flag=1"
}

# one_visible_line TEXT: TEXT is one line holding no control character.
one_visible_line() {
	[ "$(printf '%s\n' "$1" | wc -l)" = 1 ] || { echo "not one line: $1"; return 1; }
	! LC_ALL=C grep -q '[[:cntrl:]]' <<<"$1" || { echo "control bytes in: $1"; return 1; }
}

@test "text from records and file names in a message cannot drive the terminal or forge a line" {
	local nasty=$'a\e[2J\a\nvc-x: forged'
	# A jq error carries the record's text; a file path in a record.
	run --separate-stderr bash -c 'printf "%s\n" "{\"t\":\"a\\u001b[2J\\u0007\\nvc-x: forged\\u0085\"}" |
		vc-score-prompt --text ".t | error(.)"'
	assert_failure 1
	one_visible_line "$stderr"
	[[ "$stderr" == 'vc-score-prompt: stdin:1: .t | error(.): a\x1b[2J\x07\x0avc-x: forged\u0085' ]]
	run --separate-stderr bash -c 'printf "%s\n" "{\"path\":\"/no/a\\u001b[2J\\nvc-x: forged\"}" | vc-check-image'
	assert_failure 1
	one_visible_line "$stderr"
	[[ "$stderr" == 'vc-check-image: stdin:1: /no/a\x1b[2J\x0avc-x: forged: No such file or directory' ]]
	# A FILE argument that cannot be opened, and one whose lines are bad.
	for b in vc-score-prompt vc-check-image vc-eval-rules vc-incident; do
		run --separate-stderr "$b" --now 1764150400 "$BATS_TEST_TMPDIR/$nasty"
		assert_failure 2
		one_visible_line "$stderr"
		[[ "$stderr" == *'/a\x1b[2J\x07\x0avc-x: forged: No such file or directory' ]]
	done
	echo 'not json' >"$BATS_TEST_TMPDIR/$nasty"
	run --separate-stderr vc-eval-rules "$BATS_TEST_TMPDIR/$nasty"
	assert_failure 1
	one_visible_line "$stderr"
	[[ "$stderr" == *'/a\x1b[2J\x07\x0avc-x: forged:1: invalid JSON'* ]]
}

@test "--help into a full disk is an I/O error: exit 2" {
	[ -w /dev/full ] || skip "/dev/full is not available"
	for b in $(binaries); do
		run bash -c '"$1" --help >/dev/full' _ "$b"
		assert_failure 2
		[[ "$output" == *"$b:"* ]]
	done
}

@test "every binary has a man page that mandoc passes, naming its exit status" {
	command -v mandoc >/dev/null || skip "mandoc is not installed"
	for b in $(binaries); do
		[ -f "$REPO/man/$b.1" ]
		run mandoc -Tlint -Wwarning "$REPO/man/$b.1"
		assert_success
		grep -q '^\.Sh EXIT STATUS' "$REPO/man/$b.1"
	done
	run mandoc -Tlint -Wwarning "$REPO/man/vc-records.7" "$REPO/man/vcobs.7"
	assert_success
}

@test "every long option of every binary's --help is in its man page, and every option the man page lists is in --help" {
	command -v mandoc >/dev/null || skip "mandoc is not installed"
	local b o page missing=
	for b in $(binaries); do
		# The rendered page, so '.It Fl u , \-unbuffered' counts as --unbuffered.
		page=$(mandoc -Tascii -O width=300 "$REPO/man/$b.1" | col -b)
		for o in $(help_options "$b"); do
			grep -qE -- "(^|[^a-z0-9-])$o([^a-z0-9-]|\$)" <<<"$page" ||
				missing="$missing $b(1):$o"
		done
		# Options the page describes (its indented option list) that --help lacks.
		for o in $(grep -E '^     -' <<<"$page" | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u); do
			help_options "$b" | grep -qx -- "$o" || missing="$missing $b--help:$o"
		done
	done
	[ -z "$missing" ] || { echo "options missing:$missing"; return 1; }
}

@test "every long option of every binary has bash, zsh and fish completions" {
	for b in $(binaries); do
		assert_completions_cover "$b"
	done
}

# first_line_while_open INPUT CMD...: the first line CMD writes while its
# standard input, holding INPUT, is still open (empty after 10 s without one).
first_line_while_open() {
	local in=$1 d=$BATS_TEST_TMPDIR pid
	shift
	rm -f "$d/in.fifo" "$d/out.fifo"
	mkfifo "$d/in.fifo" "$d/out.fifo"
	"$@" <"$d/in.fifo" >"$d/out.fifo" 2>/dev/null &
	pid=$!
	exec 4>"$d/in.fifo"
	printf '%s\n' "$in" >&4
	timeout 10 head -1 "$d/out.fifo" || true
	exec 4>&-
	wait "$pid" || true
}

@test "-u: every binary that reads records writes each line while its input is still open" {
	local point='{"ts":1764150300,"metric":"llm.response.quality_score","value":0.5,"tags":{"service":"x"}}'
	local later=${point/1764150300/1764153300}
	local alert='{"ts":1764150300,"monitor":{"id":"pi","name":"PI","query":"q","priority":1},"group":{"session_id":"s-42"},"status":"alert","previous":"ok","value":0.93,"threshold":0.7,"message":"m","handles":["@incident-prompt-injection"],"evidence":[]}'
	local line
	# Compile vc-score-prompt's patterns before the clock runs (seconds
	# under ASan with a cold cache).
	export VC_CACHE_DIR="$BATS_TEST_TMPDIR/cache"
	mkdir -p "$VC_CACHE_DIR"
	vc-score-prompt </dev/null
	line=$(first_line_while_open '{"text":"hello"}' vc-score-prompt -u)
	[[ "$line" == *'"metric":"llm.security.injection_attempt_score"'* ]]
	line=$(first_line_while_open '{"path":"'"$REPO"'/README.md"}' vc-check-image -u)
	[[ "$line" == *'"metric":"tryon.upload.checked"'* ]]
	line=$(first_line_while_open "$point"$'\n'"$later" vc-eval-rules -u)
	[[ "$line" == *'"status":"alert"'* ]]
	line=$(first_line_while_open "$alert" vc-incident -u)
	[[ "$line" == *'"event":"opened"'* ]]
}

@test "every binary is named in the README and in vcobs(7)" {
	for b in $(binaries); do
		grep -q -- "$b" "$REPO/README.md"
		grep -q -- "$b" "$REPO/man/vcobs.7"
	done
}

@test "make install lays out bin, man1, man7, share/vcobs and completions; uninstall removes them" {
	dest=$(mktemp -d)
	run make -C "$REPO" -s install DESTDIR="$dest" PREFIX=/usr $VC_MAKEVARS
	assert_success
	[ -f "$dest/usr/share/man/man7/vc-records.7" ]
	[ -d "$dest/usr/share/vcobs" ]
	for b in $(binaries); do
		[ -x "$dest/usr/bin/$b" ]
		[ -f "$dest/usr/share/man/man1/$b.1" ]
		[ -f "$dest/usr/share/bash-completion/completions/$b" ]
		[ -f "$dest/usr/share/zsh/site-functions/_$b" ]
		[ -f "$dest/usr/share/fish/vendor_completions.d/$b.fish" ]
	done
	run make -C "$REPO" -s uninstall DESTDIR="$dest" PREFIX=/usr $VC_MAKEVARS
	assert_success
	run find "$dest" -type f
	assert_output ""
	rm -rf "$dest"
}

@test "make demo runs the sample day and every built stage reports" {
	run env VC_BIN="$VC_BIN" "$REPO/examples/demo"
	assert_success
	assert_line --partial "== 1. chat"
	assert_line --partial "== 4. incidents"
}
