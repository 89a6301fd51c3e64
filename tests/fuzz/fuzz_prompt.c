/*
 * libFuzzer target for vc-score-prompt's engine: any bytes as a message
 * text (the reader only lets valid UTF-8 through, but the engine must not
 * rely on it) through normalization, payload decoding, the pattern scan
 * and the model, with the installed pattern file and weights.  The map
 * from normalized bytes back to the message must stay inside it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "decode.h"
#include "normalize.h"
#include "piscore.h"

static struct vc_norm *nm;
static struct vc_piscore *eng;
static struct vc_buf out = VC_BUF_INIT;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char why[1024];
	(void)argc;
	(void)argv;
	nm = vc_norm_new();
	eng = vc_piscore_new("share/vcobs/prompt/patterns.txt", "share/vcobs/prompt/model.txt",
			     why, sizeof why);
	if (!eng) {
		fprintf(stderr, "fuzz_prompt: %s (run from the repository)\n", why);
		exit(2);
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct vc_norm_result r;
	struct vc_decoded d[8];
	struct vc_piresult res;
	size_t n;

	vc_norm_text(nm, s, size, &r);
	for (size_t i = 0; i < r.len; i++)
		if (r.from[i] >= r.to[i] || r.to[i] > size)
			__builtin_trap();
	n = vc_decode_find(s, size, &out, d, 8);
	for (size_t i = 0; i < n; i++)
		if (d[i].to > size || d[i].out_to > out.len)
			__builtin_trap();
	vc_piscore_text(eng, s, size, &res);
	if (!(res.score >= 0 && res.score <= 1))
		__builtin_trap();
	for (size_t i = 0; i < res.nev; i++)
		if (!res.ev[i].decoded && (res.ev[i].from > res.ev[i].to || res.ev[i].to > size))
			__builtin_trap();
	vc_buf_reset(&out);
	vc_piscore_json_evidence(eng, &res, s, &out);
	vc_piscore_json_explain(eng, &res, &out);
	return 0;
}
