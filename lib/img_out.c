/*
 * img_out.c — a check's result as JSON: the "image" object of --annotate,
 * the metric points of the default output, the reasons both carry; and
 * the --formats list.
 */
#include <string.h>

#include "img.h"

/* A count in decimal: printf's machinery cost more than the rest of a
 * small file's record. */
static void
add_count(struct vc_buf *b, uint64_t v)
{
	char d[20];
	int n = 0;

	do
		d[sizeof d - ++n] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	vc_buf_add(b, d + sizeof d - n, (size_t)n);
}

void
vc_img_add_reasons(struct vc_buf *b, const struct vc_img_result *r)
{
	int i;

	vc_buf_addc(b, '[');
	for (i = 0; i < r->nreasons; i++) {
		if (i > 0)
			vc_buf_addc(b, ',');
		vc_buf_adds(b, "{\"code\":");
		vc_buf_add_json_string(b, r->reasons[i].code, strlen(r->reasons[i].code));
		vc_buf_adds(b, ",\"detail\":");
		vc_buf_add_json_string(b, r->reasons[i].detail, strlen(r->reasons[i].detail));
		vc_buf_addc(b, '}');
	}
	if (r->dropped)
		vc_buf_printf(b,
			      "%s{\"code\":\"more_reasons\",\"detail\":"
			      "\"%lu more reasons left out\"}",
			      r->nreasons ? "," : "", r->dropped);
	vc_buf_addc(b, ']');
}

void
vc_img_add_json(struct vc_buf *b, const struct vc_img_result *r)
{
	const char *fmt = vc_img_format_name(r->format);

	vc_buf_adds(b, "{\"verdict\":\"");
	vc_buf_adds(b, vc_img_verdict_name(r->verdict));
	vc_buf_adds(b, "\",\"format\":");
	if (fmt) {
		vc_buf_addc(b, '"');
		vc_buf_adds(b, fmt);
		vc_buf_addc(b, '"');
	} else {
		vc_buf_adds(b, "null");
	}
	vc_buf_adds(b, ",\"width\":");
	add_count(b, r->width);
	vc_buf_adds(b, ",\"height\":");
	add_count(b, r->height);
	vc_buf_adds(b, ",\"frames\":");
	add_count(b, r->frames);
	vc_buf_adds(b, ",\"bytes\":");
	add_count(b, r->bytes);
	vc_buf_adds(b, ",\"reasons\":");
	vc_img_add_reasons(b, r);
	vc_buf_addc(b, '}');
}

void
vc_img_add_point(struct vc_buf *b, double ts, int security, const char *user, size_t user_len,
		 const char *path, size_t path_len, const struct vc_img_result *r)
{
	vc_buf_adds(b, "{\"ts\":");
	vc_buf_add_json_number(b, ts);
	if (security)
		vc_buf_printf(b, ",\"metric\":\"tryon.security.%s\"",
			      vc_img_verdict_name(r->verdict));
	else
		vc_buf_adds(b, ",\"metric\":\"tryon.upload.checked\"");
	vc_buf_adds(b, ",\"value\":1,\"tags\":{");
	if (user != NULL) {
		vc_buf_adds(b, "\"user_id\":");
		vc_buf_add_json_string(b, user, user_len);
		vc_buf_addc(b, ',');
	}
	vc_buf_adds(b, "\"service\":\"tryonservice\"},\"path\":");
	vc_buf_add_json_string(b, path, path_len);
	vc_buf_adds(b, ",\"verdict\":\"");
	vc_buf_adds(b, vc_img_verdict_name(r->verdict));
	vc_buf_adds(b, "\",\"reasons\":");
	vc_img_add_reasons(b, r);
	vc_buf_addc(b, '}');
}

int
vc_img_formats_parse(const char *list, unsigned *formats)
{
	const char *p = list;
	size_t n;
	enum vc_img_format f;

	*formats = 0;
	while (*p) {
		n = strcspn(p, ",");
		if ((f = vc_img_format_parse(p, n)) == VC_FMT_UNKNOWN)
			return -1;
		*formats |= 1u << f;
		p += n;
		if (*p == ',' && *++p == '\0')
			return -1; /* "png,": an empty last item */
	}
	return *formats ? 0 : -1;
}
