# Loaded by every tests/*.bats: the built binaries, bats-support and
# bats-assert, and helpers for ../shared data.

bats_load_library bats-support
bats_load_library bats-assert

REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
: "${VC_BIN:=$REPO/bin}"
: "${VC_DATADIR:=$REPO/share/vcobs}"
export VC_DATADIR
# How make check built the binaries, for tests that call make again.
: "${VC_MAKEVARS:=OUTBIN=$VC_BIN}"
PATH="$VC_BIN:$PATH"
SHARED="$REPO/../shared"

# Skips the test, saying why, when ../shared (or a path in it) is absent.
need_shared() {
	local rel=${1:-}
	[ -e "$SHARED/$rel" ] || skip "../shared/$rel is absent (it is not part of the repository)"
}

# The long options a binary's --help lists, one per line.
help_options() {
	"$1" --help | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}

# Fails unless every long option of binary $1 appears in its bash, zsh and
# fish completion files.
assert_completions_cover() {
	local bin=$1 opt f missing=
	for f in "$REPO/completions/bash/$bin" "$REPO/completions/zsh/_$bin" \
		"$REPO/completions/fish/$bin.fish"; do
		[ -f "$f" ] || { echo "missing completion file $f"; return 1; }
		for opt in $(help_options "$bin"); do
			case "$f" in
			*.fish) grep -q -- "-l ${opt#--}\b" "$f" || missing="$missing $f:$opt" ;;
			*) grep -q -- "$opt\b" "$f" || missing="$missing $f:$opt" ;;
			esac
		done
	done
	[ -z "$missing" ] || { echo "options without completion:$missing"; return 1; }
}
