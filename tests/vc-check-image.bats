#!/usr/bin/env bats
# vc-check-image: verdicts and reasons on attack files the tests make
# themselves (tests/gen-images.py), options, errors, every exit code, the
# metric points, bounded reading and memory, and the public corpora.

load helper
bats_require_minimum_version 1.5.0

setup_file() {
	export IMG="$BATS_FILE_TMPDIR/img"
	python3 "$REPO/tests/gen-images.py" "$IMG"
}

# verdict FILE [OPTION ...]: the verdict of one file.
verdict() {
	local f=$1
	shift
	vc-check-image "$@" "$IMG/$f" | jq -r .image.verdict
}

# codes FILE [OPTION ...]: its reason codes, comma-separated.
codes() {
	local f=$1
	shift
	vc-check-image "$@" "$IMG/$f" | jq -r '.image.reasons | map(.code) | join(",")'
}

@test "sound files of every format are ok, with their dimensions, exit 0" {
	run vc-check-image "$IMG"/ok*
	assert_success
	[ "$(echo "$output" | jq -r .image.verdict | sort -u)" = ok ]
	[ "$(echo "$output" | jq -r .image.format | sort -u | paste -sd,)" = avif,bmp,gif,heic,jpeg,png,webp ]
	run vc-check-image "$IMG/ok.png"
	assert_output '{"path":"'"$IMG"'/ok.png","image":{"verdict":"ok","format":"png","width":4,"height":4,"frames":1,"bytes":86,"reasons":[]}}'
	[ "$(vc-check-image "$IMG/ok-anim.gif" | jq .image.frames)" = 2 ]
}

@test "a 100,000 x 100,000 PNG with a tiny IDAT is a bomb by its header" {
	[ "$(verdict huge.png)" = decompression_bomb ]
	[[ "$(codes huge.png)" == *pixels_over_limit* ]]
	[ "$(vc-check-image "$IMG/huge.png" | jq .image.width)" = 100000 ]
}

@test "IDAT that inflates far past what IHDR promises is a bomb" {
	[ "$(verdict idat-bomb.png)" = decompression_bomb ]
	[ "$(codes idat-bomb.png)" = image_data_overflow ]
}

@test "zTXt and iCCP zlib bombs are caught at 1 MiB, and --max-text moves the cap" {
	[ "$(verdict ztxt-bomb.png)" = decompression_bomb ]
	[ "$(codes ztxt-bomb.png)" = text_bomb ]
	[ "$(verdict iccp-bomb.png)" = decompression_bomb ]
	[ "$(codes iccp-bomb.png)" = text_bomb ]
	[ "$(verdict ztxt-bomb.png --max-text 8M)" = ok ]
	[ "$(verdict ok-ztxt.png)" = ok ]
	[ "$(verdict ok-ztxt.png --max-text 4)" = decompression_bomb ]
}

@test "a 10,000-frame GIF is a bomb; --max-frames raises the bar" {
	run vc-check-image "$IMG/frames.gif"
	assert_failure 1
	[ "$(echo "$output" | jq .image.frames)" = 10000 ]
	[ "$(echo "$output" | jq -r .image.verdict)" = decompression_bomb ]
	[ "$(echo "$output" | jq -r '.image.reasons[0].code')" = too_many_frames ]
	[ "$(verdict frames.gif --max-frames 10000)" = ok ]
}

@test "GIF frame extents past the canvas: invalid, and a bomb when the grown canvas is huge" {
	[ "$(verdict offcanvas.gif)" = invalid_image ]
	[ "$(codes offcanvas.gif)" = frame_outside_canvas ]
	[ "$(verdict extents.gif)" = decompression_bomb ]
	[[ "$(codes extents.gif)" == frame_outside_canvas*pixels_over_limit* ]]
}

@test "a JPEG with 3,000 progressive scans is a bomb; --max-scans raises the bar" {
	[ "$(verdict scans.jpg)" = decompression_bomb ]
	[ "$(codes scans.jpg)" = too_many_scans ]
	[ "$(verdict scans.jpg --max-scans 5000)" = ok ]
}

@test "HEIC and AVIF: dimensions from ispe, a 200,000 x 200,000 AVIF is a bomb, data after the boxes" {
	[ "$(vc-check-image "$IMG/ok.heic" | jq -r '.image | "\(.format) \(.width)x\(.height)"')" = "heic 64x48" ]
	[ "$(verdict huge.avif)" = decompression_bomb ]
	[[ "$(codes huge.avif)" == *pixels_over_limit* ]]
	[ "$(codes zip-after-boxes.heic)" = embedded_archive,trailing_data ]
	[ "$(codes ok.avif -d)" = deep_skipped ]
}

@test "an APNG declaring a million frames is a bomb" {
	[ "$(verdict apng-frames.png)" = decompression_bomb ]
	[ "$(codes apng-frames.png)" = too_many_frames ]
}

@test "PNG+ZIP and GIF+JAR are polyglots with the archive named" {
	for f in png-zip.png gifar.gif; do
		[ "$(verdict $f)" = polyglot ]
		[ "$(codes $f)" = embedded_archive,trailing_data ]
	done
}

@test "PHP in a JPEG comment and in a GIF comment is a polyglot" {
	[ "$(verdict php-comment.jpg)" = polyglot ]
	[ "$(codes php-comment.jpg)" = embedded_script ]
	run vc-check-image "$IMG/php-comment.jpg"
	[[ "$(echo "$output" | jq -r '.image.reasons[0].detail')" == "PHP code in a JPEG comment" ]]
	[ "$(codes php-gif-comment.gif)" = embedded_script ]
}

@test "HTML after IEND, an ELF after EOI, zero padding tolerated" {
	[ "$(verdict html-after-iend.png)" = polyglot ]
	[ "$(codes html-after-iend.png)" = embedded_script,trailing_data ]
	[ "$(codes elf-after-eoi.jpg)" = embedded_executable,trailing_data ]
	[ "$(verdict ok-zeropad.jpg)" = ok ]
	# Multi-Picture JPEGs carry more images after EOI; after those, data
	# is trailing again.
	[ "$(verdict ok-mpf.jpg)" = ok ]
	[ "$(verdict ok-samsung.jpg)" = ok ]
	cat "$IMG/ok-samsung.jpg" - <<<"<?php system(\$_GET[1]); ?>" >"$BATS_TEST_TMPDIR/s.jpg"
	[ "$(vc-check-image "$BATS_TEST_TMPDIR/s.jpg" | jq -r '.image.reasons | map(.code) | join(",")')" = embedded_script,trailing_data ]
	[ "$(codes mpf-then-zip.jpg)" = embedded_archive,embedded_script,trailing_data ]
}

@test "a tEXt profile path (CVE-2022-44268) and a 655 s GIF frame hiding the next" {
	[ "$(codes profile-path.png)" = profile_path ]
	[ "$(verdict profile-path.png)" = polyglot ]
	[ "$(codes hidden-frame.gif)" = hidden_frame ]
}

@test "truncated files of each format are invalid_image, truncated" {
	for ext in png jpg gif webp bmp heic; do
		[ "$(verdict truncated.$ext)" = invalid_image ]
		[[ "$(codes truncated.$ext)" == *truncated* ]]
	done
}

@test "broken structure: CRC, short image data, filter type, empty, not an image" {
	[ "$(codes badcrc.png)" = bad_chunk ]
	[ "$(codes short-idat.png)" = short_image_data ]
	[ "$(codes bad-filter.png)" = bad_filter ]
	[ "$(codes empty.png)" = empty ]
	[ "$(verdict not-an-image.png)" = invalid_image ]
	run vc-check-image "$IMG/not-an-image.png"
	[[ "$(echo "$output" | jq -r '.image.reasons[0].detail')" == *"PHP code"* ]]
}

@test "--deep decodes pixels: corrupt entropy data the structure cannot see" {
	[ "$(verdict deep-bad.jpg)" = ok ]
	[ "$(verdict deep-bad.jpg --deep)" = invalid_image ]
	[ "$(codes deep-bad.jpg -d)" = decode_error ]
	run vc-check-image --deep "$IMG"/ok*
	assert_success
	[ "$(echo "$output" | jq -r .image.verdict | sort -u)" = ok ]
	[ "$(codes ok-anim.webp -d)" = deep_skipped ]
	# The structural pass counts the zlib stream without making the image,
	# so its checksum is for the decoder to prove.
	[ "$(verdict bad-adler.png)" = ok ]
	[ "$(codes bad-adler.png --deep)" = decode_error ]
}

@test "FILE - is one image on standard input: its record's path is null; a file named - is ./-" {
	run --separate-stderr bash -c 'vc-check-image - <"$1"' _ "$IMG/ok.png"
	assert_success
	assert_output '{"path":null,"image":{"verdict":"ok","format":"png","width":4,"height":4,"frames":1,"bytes":86,"reasons":[]}}'
	[ -z "$stderr" ]
	# From a pipe, among FILE arguments, in order.
	run bash -c 'cat "$1" | vc-check-image "$2" - "$2"' _ "$IMG/png-zip.png" "$IMG/ok.gif"
	assert_failure 1
	[ "$(echo "$output" | jq -c '[.path, .image.verdict, .image.bytes]' | paste -sd' ')" = \
		"[\"$IMG/ok.gif\",\"ok\",35] [null,\"polyglot\",506] [\"$IMG/ok.gif\",\"ok\",35]" ]
	# Standard input is read from where it stands, as cat reads it.
	run bash -c 'printf "junk\n" >"$2"; cat "$1" >>"$2"; { read -r _; vc-check-image -; } <"$2"' \
		_ "$IMG/ok.png" "$BATS_TEST_TMPDIR/prefixed"
	assert_success
	[ "$(echo "$output" | jq .image.bytes)" = 86 ]
	# No name: the extension check has nothing to compare.
	run bash -c 'vc-check-image - <"$1"' _ "$IMG/ok.jpg"
	assert_success
	cd "$BATS_TEST_TMPDIR"
	cp "$IMG/ok.gif" ./-
	run bash -c 'vc-check-image ./- </dev/null'
	assert_success
	[ "$(echo "$output" | jq -r .image.format)" = gif ]
	run --separate-stderr bash -c 'vc-check-image - "$1" <&-' _ "$IMG/ok.png"
	assert_failure 2
	[ "$stderr" = "vc-check-image: stdin: Bad file descriptor" ]
	[ "$(echo "$output" | jq -r .path)" = "$IMG/ok.png" ]
}

@test "--deep on standard input: decoded when it is a file, a deep_skipped warning from a pipe" {
	run bash -c 'vc-check-image --deep - <"$1"' _ "$IMG/deep-bad.jpg"
	assert_failure 1
	[ "$(echo "$output" | jq -r '.image.reasons[0].code')" = decode_error ]
	run bash -c 'printf "junk\n" >"$2"; cat "$1" >>"$2"; { read -r _; vc-check-image --deep -; } <"$2"' \
		_ "$IMG/deep-bad.jpg" "$BATS_TEST_TMPDIR/prefixed"
	assert_failure 1
	[ "$(echo "$output" | jq -r '.image.reasons[0].code')" = decode_error ]
	# A pipe cannot be read twice: the structure is all, and that is said.
	run bash -c 'cat "$1" | vc-check-image --deep -' _ "$IMG/deep-bad.jpg"
	assert_success
	[ "$(echo "$output" | jq -r '.image.verdict + " " + (.image.reasons | map(.code) | join(","))')" = "ok deep_skipped" ]
	run bash -c 'cat "$1" | vc-check-image --deep /dev/stdin' _ "$IMG/deep-bad.jpg"
	[ "$(echo "$output" | jq -r '.image.reasons | map(.code) | join(",")')" = deep_skipped ]
	# Without --deep nothing is skipped, so nothing is said.
	run bash -c 'cat "$1" | vc-check-image -' _ "$IMG/deep-bad.jpg"
	[ "$(echo "$output" | jq -c .image.reasons)" = "[]" ]
}

@test "--max-pixels: over is a warning, over twice is a bomb; --max-side, --max-total-pixels" {
	run vc-check-image --max-pixels 10 "$IMG/ok.png"
	assert_success
	[ "$(echo "$output" | jq -r '.image.verdict + " " + .image.reasons[0].code')" = "ok large_image" ]
	[ "$(verdict ok.png --max-pixels 7)" = decompression_bomb ]
	[ "$(verdict ok.png --max-side 3)" = decompression_bomb ]
	[ "$(verdict ok-anim.gif --max-total-pixels 1)" = decompression_bomb ]
	[ "$(verdict ok-anim.gif --max-total-pixels 2)" = ok ]
}

@test "--formats: a format left out is unsupported; an unknown name is a usage error" {
	[ "$(verdict ok.gif --formats png,jpeg)" = unsupported ]
	[ "$(codes ok.gif -f png)" = format_not_allowed ]
	[ "$(verdict ok.gif -f gif)" = ok ]
	run vc-check-image --formats png,tiff "$IMG/ok.png"
	assert_failure 2
	[[ "$output" == *"usage: vc-check-image"* ]]
	run vc-check-image --formats png, "$IMG/ok.png"
	assert_failure 2
	[[ "$output" == *"--formats: 'png,' is not a comma-separated list of png, jpeg"* ]]
}

@test "--max-bytes: never read past it, even from an endless pipe" {
	run vc-check-image --max-bytes 100 "$IMG/frames.gif"
	assert_failure 1
	[[ "$(echo "$output" | jq -r '.image.reasons | map(.code) | join(",")')" == too_large* ]]
	# IHDR, then an ancillary chunk 2 GB long whose bytes never end.
	run bash -c "{ head -c 33 '$IMG/ok.png'; printf '\\177\\377\\377\\377abCd'; cat /dev/zero; } |
		timeout 20 vc-check-image --max-bytes 1M /dev/stdin"
	assert_failure 1
	[ "$(echo "$output" | jq .image.bytes)" = 1048576 ]
	[ "$(echo "$output" | jq '.image.reasons | map(.code) | index("too_large") != null')" = true ]
	[[ "$output" != *truncated* ]]
}

@test "peak memory stays under 16 MiB on a 2 GB file and a 10,000-frame GIF" {
	[ -x /usr/bin/time ] || skip "/usr/bin/time is not installed"
	if ldd "$(command -v vc-check-image)" | grep -q libasan; then
		skip "an ASan build keeps its own shadow memory"
	fi
	head -c 60 "$IMG/ok.png" >"$BATS_TEST_TMPDIR/2g.png"
	truncate -s 2G "$BATS_TEST_TMPDIR/2g.png"
	for f in "$BATS_TEST_TMPDIR/2g.png" "$IMG/frames.gif" "$IMG/huge.png" "$IMG/ztxt-bomb.png"; do
		/usr/bin/time -f %M -o "$BATS_TEST_TMPDIR/rss" vc-check-image --deep --max-bytes 3G "$f" >/dev/null || true
		[ "$(tail -n 1 "$BATS_TEST_TMPDIR/rss")" -lt 16384 ]
	done
}

@test "uploads on stdin become metric points tagged with the user, carrying path and reasons" {
	printf '%s\n' \
		'{"ts":1764151200,"user_id":"u-1","path":"'"$IMG"'/ok.png"}' \
		'{"user_id":"u-2","path":"'"$IMG"'/png-zip.png","extra":1}' |
		{ run vc-check-image --now 1764160000; assert_failure 1;
		  echo "$output" >"$BATS_TEST_TMPDIR/points"; }
	run jq -c '[.ts, .metric, .value, .tags, .verdict, (.reasons | map(.code) | join(","))]' \
		"$BATS_TEST_TMPDIR/points"
	assert_output - <<-EOF
	[1764151200,"tryon.upload.checked",1,{"user_id":"u-1","service":"tryonservice"},"ok",""]
	[1764160000,"tryon.upload.checked",1,{"user_id":"u-2","service":"tryonservice"},"polyglot","embedded_archive,trailing_data"]
	[1764160000,"tryon.security.polyglot",1,{"user_id":"u-2","service":"tryonservice"},"polyglot","embedded_archive,trailing_data"]
	EOF
	[ "$(jq -r .path "$BATS_TEST_TMPDIR/points" | sed -n 3p)" = "$IMG/png-zip.png" ]
}

@test "--annotate keeps every field of the record and adds the image object" {
	run bash -c "echo '{\"a\":[1,{\"b\":null}],\"path\":\"$IMG/ok.gif\",\"user_id\":7}' |
		vc-check-image --annotate"
	assert_success
	assert_output '{"a":[1,{"b":null}],"path":"'"$IMG"'/ok.gif","user_id":7,"image":{"verdict":"ok","format":"gif","width":1,"height":1,"frames":1,"bytes":35,"reasons":[]}}'
}

@test "--path, --user and --content-type take jq programs; a declared type must match the bytes" {
	run bash -c "echo '{\"f\":{\"p\":\"$IMG/ok.png\"},\"who\":{\"id\":42},\"mime\":\"image/jpeg\"}' |
		vc-check-image -p .f.p --user .who.id --content-type .mime"
	assert_failure 1
	[ "$(echo "$output" | jq -r 'select(.metric == "tryon.security.invalid_image") | .tags.user_id + " " + .reasons[0].code')" = "42 type_mismatch" ]
	run bash -c "echo '{\"path\":\"$IMG/ok.png\",\"u\":\"x\"}' |
		vc-check-image --user '.u | ascii_upcase' --annotate"
	assert_success
	run bash -c "echo '{\"path\":\"$IMG/ok.png\",\"user_id\":\"x\"}' | vc-check-image"
	assert_success
	[ "$(echo "$output" | jq -r .tags.user_id)" = x ]
}

@test "a user, content type or ts that is there but unusable is reported on its line, never dropped" {
	run --separate-stderr bash -c "printf '%s\n' \
		'{\"path\":\"$IMG/ok.png\",\"user_id\":{\"id\":1}}' \
		'{\"path\":\"$IMG/ok.png\",\"user_id\":\"a\\u0000b\"}' \
		'{\"path\":\"$IMG/ok.png\",\"user_id\":null}' \
		'{\"path\":\"$IMG/ok.png\",\"user_id\":\"c\",\"content_type\":[\"image/png\"]}' \
		'{\"path\":\"$IMG/ok.png\",\"user_id\":true}' | vc-check-image"
	assert_failure 1
	[[ "$stderr" == *"vc-check-image: stdin:1: user at .user_id is not a string or a number"* ]]
	[[ "$stderr" == *"vc-check-image: stdin:4: content type at .content_type is not a string or a number"* ]]
	[[ "$stderr" == *"vc-check-image: stdin:5: user at .user_id is not a string or a number"* ]]
	[ "$(echo "$stderr" | wc -l)" = 3 ]
	# A NUL in a user id is kept, escaped; a null user is no user tag.
	[ "$(echo "$output" | jq -c .tags)" = '{"user_id":"a\u0000b","service":"tryonservice"}
{"service":"tryonservice"}' ]
	run --separate-stderr bash -c "echo '{\"path\":\"$IMG/ok.png\",\"u\":1}' |
		vc-check-image --user '.u | error(\"no user\")'"
	assert_failure 1
	[ "$stderr" = 'vc-check-image: stdin:1: .u | error("no user"): no user' ]
	# Nor is a ts that cannot be read made "now".
	run --separate-stderr bash -c "printf '%s\n' '{\"path\":\"$IMG/ok.png\",\"ts\":\"2025-11-26T08:00:00\"}' \
		'{\"path\":\"$IMG/ok.png\",\"ts\":null}' | vc-check-image --now 1764150000"
	assert_failure 1
	[ "$stderr" = 'vc-check-image: stdin:1: no time at .ts (epoch seconds or RFC 3339)' ]
	[ "$(echo "$output" | jq .ts)" = 1764150000 ]
	# --annotate does not use the user, so it does not judge it.
	run bash -c "echo '{\"path\":\"$IMG/ok.png\",\"user_id\":{}}' | vc-check-image -a"
	assert_success
}

@test "a file name that is not UTF-8 still gives a valid JSON line" {
	local name
	name=$(printf '%s/up\377load.png' "$BATS_TEST_TMPDIR")
	cp "$IMG/ok.png" "$name"
	run vc-check-image "$name"
	assert_success
	# The strict reader of the next tool in the pipeline takes it.
	run bash -c 'vc-check-image "$1" | vc-check-image --path .path.x >/dev/null' _ "$name"
	[[ "$output" != *"invalid UTF-8"* ]]
	# Read as bytes: jq would make the bad byte U+FFFD itself.
	[[ "$(vc-check-image "$name")" == *"\"path\":\"$BATS_TEST_TMPDIR/up"$'\xef\xbf\xbd'"load.png\""* ]]
}

@test "a record without a path or with an unreadable file is reported on its line; the rest go on" {
	run --separate-stderr bash -c "printf '%s\n' '{\"user_id\":\"a\"}' \
		'{\"path\":\"/nonexistent/x.png\",\"user_id\":\"b\"}' 'not json' \
		'{\"path\":\"$IMG/ok.png\",\"user_id\":\"c\"}' | vc-check-image"
	assert_failure 1
	[[ "$stderr" == *"vc-check-image: stdin:1: no file path at .path"* ]]
	[[ "$stderr" == *"vc-check-image: stdin:2: /nonexistent/x.png: No such file or directory"* ]]
	[[ "$stderr" == *"vc-check-image: stdin:3:"* ]]
	[ "$(echo "$output" | jq -r .tags.user_id)" = c ]
	run bash -c "printf '%s\n' '{\"user_id\":\"a\"}' '{\"path\":\"$IMG/ok.png\"}' | vc-check-image --strict"
	assert_failure 1
	[ -z "$output" ] || [[ "$output" != *tryon* ]]
}

@test "exit codes: 0 all ok, 1 a file not ok, 2 unreadable FILE and usage, 3 a bad jq program" {
	run vc-check-image "$IMG/ok.png" "$IMG/ok.jpg"
	assert_success
	run vc-check-image "$IMG/ok.png" "$IMG/huge.png"
	assert_failure 1
	run --separate-stderr vc-check-image "$IMG/nope.png" "$IMG/ok.png"
	assert_failure 2
	[[ "$stderr" == *"vc-check-image: $IMG/nope.png: No such file or directory"* ]]
	[ "$(echo "$output" | jq -r .image.verdict)" = ok ]
	run vc-check-image "$IMG"
	assert_failure 2
	run vc-check-image --max-pixels lots "$IMG/ok.png"
	assert_failure 2
	run vc-check-image --max-frames 0 "$IMG/ok.png"
	assert_failure 2
	run vc-check-image --path '.[' </dev/null
	assert_failure 3
	[[ "$output" == *--path* ]]
	run vc-check-image --user '{' </dev/null
	assert_failure 3
	# Options of upload records with FILE arguments would go unused.
	run --separate-stderr vc-check-image --content-type .t "$IMG/ok.png"
	assert_failure 2
	[[ "$stderr" == "vc-check-image: --content-type reads upload records on standard input: give no FILE"* ]]
	[ -z "$output" ]
	run vc-check-image -p .f --user .u "$IMG/ok.png"
	assert_failure 2
	[[ "$output" == *"--path reads upload records"* ]]
}

@test "a write to a full disk is an I/O error: exit 2" {
	[ -w /dev/full ] || skip "/dev/full is not available"
	run bash -c "vc-check-image '$IMG/ok.png' >/dev/full"
	assert_failure 2
}

@test "-u flushes each line; --help lists every limit; completions cover every option" {
	run vc-check-image -u "$IMG/ok.png"
	assert_success
	run vc-check-image --help
	assert_success
	for o in --max-pixels --max-side --max-frames --max-total-pixels --max-scans --max-text \
		--max-bytes --formats --deep --annotate --path --user --content-type; do
		[[ "$output" == *"$o"* ]]
	done
	assert_completions_cover vc-check-image
}

@test "PngSuite: 161 valid files ok, all 14 x* files not ok" {
	need_shared data/images/pngsuite
	cd "$SHARED/data/images/pngsuite"
	run bash -c "vc-check-image \$(ls *.png | grep -v '^x') | jq -r .image.verdict | sort | uniq -c"
	[ "$(echo $output)" = "161 ok" ]
	run bash -c "vc-check-image x*.png | jq -r .image.verdict | grep -c -v '^ok$'"
	[ "$output" = 14 ]
}

@test "corkami: every non-debatable label matched" {
	need_shared data/images/corkami
	cd "$SHARED/data/images/corkami"
	run bash -c "jq -r 'select(.debatable | not) | .file + \" \" + .expect' labels.jsonl |
		while read -r f want; do
			got=\$(vc-check-image \"\$f\" | jq -r .image.verdict)
			case \$want in ok) [ \"\$got\" = ok ] ;; invalid) [ \"\$got\" = invalid_image ] ;;
			*) [ \"\$got\" = \"\$want\" ] ;; esac || echo \"mismatch \$f \$want \$got\"
		done"
	assert_output ""
}

@test "imagetestsuite: a verdict for every file, no crash, also with --deep" {
	need_shared data/images/imagetestsuite
	cd "$SHARED/data/images/imagetestsuite"
	n=$(ls | grep -vc labels.jsonl)
	for mode in "" --deep; do
		run bash -c "timeout 120 vc-check-image $mode \$(ls | grep -v labels.jsonl) | jq -r .image.verdict | grep -c ."
		[ "$output" = "$n" ]
	done
}
