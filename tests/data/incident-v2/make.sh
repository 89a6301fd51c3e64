#!/usr/bin/env bash
# Remakes this fixture: a vc-incident store of schema 2, written by a
# vc-incident of that schema (built from commit 4160e9c), as an SQL dump,
# with what that binary printed for --list and for a further run.
# tests/vc-incident.bats loads the dump, lets the current vc-incident
# migrate it, and checks it prints the same.
# Usage: tests/data/incident-v2/make.sh BINDIR_OF_A_SCHEMA_2_BUILD
set -eu
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
export VC_DATADIR="${VC_DATADIR:-$here/../../../share/vcobs}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# tr TS STATUS GROUP_KEY GROUP VALUE MONITOR HANDLE USER SERVICE
tr() {
	printf '{"ts":%s,"monitor":{"id":"%s","name":"%s","query":"q by {%s} > 0.7","priority":1},"group":{"%s":"%s"},"status":"%s","previous":"ok","value":%s,"threshold":0.7,"message":"m","handles":["@incident-%s"],"evidence":[{"ts":%s,"metric":"m","value":%s,"tags":{"%s":"%s","user_id":"%s","service":"%s"}}]}\n' \
		"$1" "$6" "$6" "$3" "$3" "$4" "$2" "$5" "$7" "$(($1 - 5))" "$5" "$3" "$4" "$8" "$9"
}
pi() { tr "$1" "$2" session_id "$3" "$4" prompt-injection prompt-injection "${5:-u-7}" "${6:-chat}"; }
mm() { tr "$1" "$2" user_id "$3" "$4" multimodal multimodal "$3" tryon; }

{
	pi 1000 alert s-1 0.8
	pi 1060 alert s-1 0.95 u-7 api
	pi 1120 ok s-1 0.1
	for i in $(seq 60); do pi $((1100 + i)) alert s-2 "0.$((70 + i % 30))" u-7; done
	pi 1300 alert s-3 0.9 u-8
	pi 1310 no_data s-3 0 u-8
	mm 1400 alert u-1 5
} >"$here/part1a.jsonl"
{
	pi 2000 alert s-2 0.99 u-7 api
	pi 2010 ok s-3 0.2 u-8
	mm 2100 alert u-1 7
	pi 2200 alert s-4 0.85 u-7
} >"$here/part1b.jsonl"
{
	pi 6000 alert s-1 0.9
	pi 6010 alert s-2 0.91 u-9
	pi 6020 alert s-3 0.92 u-8
	mm 6030 ok u-1 1
	pi 6040 alert s-5 0.93 u-7
} >"$here/part2.jsonl"

opts="--resolve-after 30m --reopen-window 2h"
"$bin/vc-incident" -s "$tmp/s.db" $opts --now 1500 "$here/part1a.jsonl" >/dev/null
"$bin/vc-incident" -s "$tmp/s.db" $opts --now 2500 "$here/part1b.jsonl" >/dev/null
[ "$(sqlite3 "$tmp/s.db" 'PRAGMA user_version')" = 2 ]
{
	sqlite3 "$tmp/s.db" .dump
	echo 'PRAGMA user_version = 2;'
} >"$here/store.sql"
"$bin/vc-incident" -s "$tmp/s.db" --list >"$here/list.jsonl"
"$bin/vc-incident" -s "$tmp/s.db" $opts --now 7000 "$here/part2.jsonl" >"$here/part2.out"
"$bin/vc-incident" -s "$tmp/s.db" --list >"$here/list2.jsonl"
