/*
 * libFuzzer target for the scanner: vc_json_check must never read out of
 * bounds, and whatever it accepts the walkers must walk.
 */
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "json.h"

static void
walk(struct vc_json_span v, struct vc_buf *scratch, int depth)
{
	struct vc_json_iter it;
	struct vc_json_span k, e;

	if (depth > VC_JSON_MAX_DEPTH)
		__builtin_trap();
	switch (v.type) {
	case VC_JSON_STRING:
		vc_json_string(v, scratch);
		break;
	case VC_JSON_NUMBER:
		(void)vc_json_number(v);
		break;
	case VC_JSON_ARRAY:
		vc_json_iter_init(v, &it);
		while (vc_json_array_next(&it, &e))
			walk(e, scratch, depth + 1);
		break;
	case VC_JSON_OBJECT:
		vc_json_iter_init(v, &it);
		while (vc_json_object_next(&it, &k, &e)) {
			vc_json_string(k, scratch);
			walk(e, scratch, depth + 1);
		}
		(void)vc_json_member(v, "ts", &e);
		break;
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vc_json_span root;
	struct vc_buf scratch = VC_BUF_INIT;
	const char *why;
	size_t off;

	if (vc_json_check((const char *)data, size, &root, &why, &off) == 0)
		walk(root, &scratch, 0);
	else if (off > size)
		__builtin_trap();
	vc_buf_free(&scratch);
	return 0;
}
