/*
 * fuzz_query — libFuzzer target for vc-eval-rules' parsers: the bytes are
 * a monitor query (parsed, and on success matched against a fixed tag
 * set) and a message template (checked and rendered).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"
#include "template.h"

static void
on_error(size_t off, const char *why, void *arg)
{
	(void)why;
	(void)arg;
	(void)off;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char tags[] = "{\"env\":\"prod\",\"g\":\"a\\u0041\",\"n\":3}";
	char *text = malloc(size + 1);
	struct vc_query_error qerr;
	struct vc_query *q;
	struct vc_json_span root;
	const char *why;
	size_t off;

	memcpy(text, data, size);
	text[size] = '\0';
	q = vc_query_parse(text, &qerr);
	if (q) {
		size_t k;

		vc_json_check(tags, sizeof tags - 1, &root, &why, &off);
		for (k = 0; k < q->nseries; k++)
			vc_filter_match(q->series[k].filter, root);
	} else if (qerr.col > size) {
		abort(); /* an error must point inside the query */
	}
	{
		static char key[] = "g", val[] = "a";
		char *keys[] = {key}, *vals[] = {val};
		struct vc_template_ctx c;
		struct vc_buf out = VC_BUF_INIT, handles = VC_BUF_INIT;

		memset(&c, 0, sizeof c);
		c.status = VC_STATUS_ALERT;
		c.value = 1;
		c.threshold = 2;
		c.warn_threshold = NAN;
		c.ok_threshold = NAN;
		c.first_triggered = c.last_triggered = NAN;
		c.keys = keys;
		c.values = vals;
		c.nkeys = 1;
		vc_template_check(text, keys, 1, on_error, NULL);
		vc_template_render(text, &c, &out);
		vc_template_handles(out.p ? out.p : "", out.len, &handles);
		vc_buf_free(&out);
		vc_buf_free(&handles);
	}
	vc_query_free(q);
	free(text);
	return 0;
}
