/*
 * increport.c — --list and --report (see increport.h).
 */
#include "increport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "json.h"
#include "out.h"
#include "vtime.h"

/* ---- --list ---- */

struct lister {
	struct vc_incstore *store;
	struct vc_buf rec;
	int failed;
};

static int
list_row(const struct vc_incstore_row *row, void *ctx)
{
	struct lister *l = ctx;

	vc_buf_reset(&l->rec);
	if (vc_incstore_record(l->store, row, &l->rec) < 0) {
		l->failed = 1;
		return 1;
	}
	vc_out_write(l->rec.p, l->rec.len);
	vc_out_end_record();
	return 0;
}

int
vc_increport_list(struct vc_incstore *s, double since, const char *filter)
{
	struct lister l = {s, VC_BUF_INIT, 0};
	int rc = vc_incstore_list(s, since, filter, list_row, &l);

	vc_buf_free(&l.rec);
	return rc < 0 || l.failed ? -1 : 0;
}

/* ---- escaping ---- */

/* The length of the control character at s[i] (C0, DEL, or a C1 one in
 * UTF-8), or 0.  Written raw, they would let a record put terminal
 * escape sequences (ESC [ ..., or CSI as U+009B) into a report that is
 * read with cat or in a mail reader. */
static size_t
control_at(const char *s, size_t i, size_t n)
{
	unsigned char c = (unsigned char)s[i];

	if (c < 0x20 || c == 0x7f)
		return 1;
	if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
	    (unsigned char)s[i + 1] <= 0x9f)
		return 2;
	return 0;
}

/* Shows the control character c (its first byte) as its Unicode
 * control picture (U+2400 to U+241F, U+2421 for DEL), or U+FFFD for a
 * C1 one: visible, and inert. */
static void
add_control_picture(struct vc_buf *b, unsigned char c)
{
	char pic[3] = {'\xe2', '\x90', 0};

	if (c < 0x20 || c == 0x7f) {
		pic[2] = (char)(c == 0x7f ? 0xa1 : 0x80 + c);
		vc_buf_add(b, pic, 3);
	} else {
		vc_buf_add(b, "\xef\xbf\xbd", 3);
	}
}

static void
esc_html(struct vc_buf *b, const char *s, size_t n)
{
	size_t ctl;

	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '&':
			vc_buf_adds(b, "&amp;");
			break;
		case '<':
			vc_buf_adds(b, "&lt;");
			break;
		case '>':
			vc_buf_adds(b, "&gt;");
			break;
		case '"':
			vc_buf_adds(b, "&quot;");
			break;
		case '\'':
			vc_buf_adds(b, "&#39;");
			break;
		case '\n':
		case '\r':
		case '\t':
			vc_buf_addc(b, s[i]);
			break;
		default:
			if ((ctl = control_at(s, i, n)) > 0) {
				add_control_picture(b, (unsigned char)s[i]);
				i += ctl - 1;
			} else {
				vc_buf_addc(b, s[i]);
			}
		}
	}
}

/* Markdown: characters that would start markup are backslashed, a
 * newline or tab cannot end or break the line (or the table row) the
 * text sits in, and other control characters are shown, not written. */
static void
esc_md(struct vc_buf *b, const char *s, size_t n)
{
	size_t ctl;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n' || s[i] == '\r' || s[i] == '\t') {
			vc_buf_addc(b, ' ');
		} else if ((ctl = control_at(s, i, n)) > 0) {
			add_control_picture(b, (unsigned char)s[i]);
			i += ctl - 1;
		} else {
			if (strchr("\\`*_[]<>|~&", s[i]))
				vc_buf_addc(b, '\\');
			vc_buf_addc(b, s[i]);
		}
	}
}

struct report {
	struct vc_incstore *store;
	struct vc_buf whole; /* the record being reported, timeline in */
	int html, failed;
	struct vc_buf out;
	struct vc_buf tmp;
	long n, open, mitigated, resolved;
};

/* Appends text escaped for the report's format. */
static void
text(struct report *r, const char *s, size_t n)
{
	if (r->html)
		esc_html(&r->out, s, n);
	else
		esc_md(&r->out, s, n);
}

static void
lit(struct report *r, const char *s)
{
	vc_buf_adds(&r->out, s);
}

/* A JSON value as text: strings decoded, numbers as written. */
static void
value(struct report *r, struct vc_json_span v)
{
	if (v.type == VC_JSON_STRING) {
		vc_json_string(v, &r->tmp);
		text(r, r->tmp.p ? r->tmp.p : "", r->tmp.len);
	} else if (v.type != VC_JSON_NONE) {
		text(r, v.p, v.len);
	}
}

static void
member_value(struct report *r, struct vc_json_span obj, const char *name)
{
	struct vc_json_span v;

	if (vc_json_member(obj, name, &v))
		value(r, v);
}

static void
when(struct report *r, struct vc_json_span obj, const char *name)
{
	struct vc_json_span v;
	char buf[64];
	struct tm tm;
	time_t t;

	if (!vc_json_member(obj, name, &v) || v.type != VC_JSON_NUMBER) {
		lit(r, "-");
		return;
	}
	t = (time_t)vc_json_number(v);
	gmtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
	lit(r, buf);
}

/* Joins the strings of array name in obj with ", ". */
static void
list_of(struct report *r, struct vc_json_span obj, const char *name)
{
	struct vc_json_span a, item;
	struct vc_json_iter it;
	int first = 1;

	if (!vc_json_member(obj, name, &a) || a.type != VC_JSON_ARRAY)
		return;
	vc_json_iter_init(a, &it);
	while (vc_json_array_next(&it, &item)) {
		if (!first)
			lit(r, ", ");
		first = 0;
		value(r, item);
	}
	if (first)
		lit(r, "none");
}

static void
attacker(struct report *r, struct vc_json_span rec)
{
	struct vc_json_span g, k, v;
	struct vc_json_iter it;
	int first = 1;

	if (!vc_json_member(rec, "attacker", &g) || g.type != VC_JSON_OBJECT)
		return;
	vc_json_iter_init(g, &it);
	while (vc_json_object_next(&it, &k, &v)) {
		if (!first)
			lit(r, ", ");
		first = 0;
		value(r, k);
		lit(r, " ");
		value(r, v);
	}
	if (first)
		lit(r, "all sources");
}

static void
timeline(struct report *r, struct vc_json_span rec)
{
	static const char *const cols[] = {"event", "status", "value", "message"};
	struct vc_json_span tl, e;
	struct vc_json_iter it;

	if (!vc_json_member(rec, "timeline", &tl) || tl.type != VC_JSON_ARRAY)
		return;
	lit(r, r->html ? "<h3>Timeline</h3>\n<table><tr><th>time</th><th>event"
			 "</th><th>status</th><th>value</th><th>message</th></tr>\n"
		       : "\n**Timeline**\n\n| time | event | status | value | "
			 "message |\n|---|---|---|---|---|\n");
	vc_json_iter_init(tl, &it);
	while (vc_json_array_next(&it, &e)) {
		lit(r, r->html ? "<tr><td>" : "| ");
		when(r, e, "ts");
		for (int i = 0; i < 4; i++) {
			lit(r, r->html ? "</td><td>" : " | ");
			member_value(r, e, cols[i]);
		}
		lit(r, r->html ? "</td></tr>\n" : " |\n");
	}
	if (r->html)
		lit(r, "</table>\n");
}

static void
checklist(struct report *r, struct vc_json_span rec)
{
	struct vc_json_span cl, item;
	struct vc_json_iter it;

	if (!vc_json_member(rec, "checklist", &cl) || cl.type != VC_JSON_ARRAY)
		return;
	lit(r, r->html ? "<h3>Checklist</h3>\n<ul class=\"todo\">\n" : "\n**Checklist**\n\n");
	vc_json_iter_init(cl, &it);
	while (vc_json_array_next(&it, &item)) {
		lit(r, r->html ? "<li>&#9744; " : "- [ ] ");
		value(r, item);
		lit(r, r->html ? "</li>\n" : "\n");
	}
	if (r->html)
		lit(r, "</ul>\n");
}

/* A labelled fact: "- **label**: " or a table row. */
static void
fact(struct report *r, const char *label)
{
	lit(r, r->html ? "<tr><th>" : "- **");
	lit(r, label);
	lit(r, r->html ? "</th><td>" : "**: ");
}

static void
fact_end(struct report *r)
{
	lit(r, r->html ? "</td></tr>\n" : "\n");
}

static int
report_row(const struct vc_incstore_row *row, void *ctx)
{
	struct report *r = ctx;
	struct vc_json_span rec, impact, user;
	const char *why;
	size_t off;

	vc_buf_reset(&r->whole);
	if (vc_incstore_record(r->store, row, &r->whole) < 0) {
		r->failed = 1;
		return 1;
	}
	if (vc_json_check(r->whole.p, r->whole.len, &rec, &why, &off) < 0)
		return 0;
	r->n++;
	if (strcmp(row->state, "open") == 0)
		r->open++;
	else if (strcmp(row->state, "mitigated") == 0)
		r->mitigated++;
	else
		r->resolved++;
	lit(r, r->html ? "<section class=\"" : "\n## [");
	if (r->html) {
		lit(r, row->state);
		lit(r, "\"><h2><span class=\"state\">");
	}
	lit(r, row->state);
	lit(r, r->html ? "</span> " : "] ");
	member_value(r, rec, "title");
	lit(r, r->html ? "</h2>\n<table class=\"facts\">\n" : "\n\n");
	fact(r, "attacker");
	attacker(r, rec);
	fact_end(r);
	fact(r, "severity");
	member_value(r, rec, "severity");
	fact_end(r);
	fact(r, "id");
	member_value(r, rec, "id");
	lit(r, " (key ");
	member_value(r, rec, "key");
	lit(r, ")");
	fact_end(r);
	fact(r, "first seen");
	when(r, rec, "first_seen");
	lit(r, ", last seen ");
	when(r, rec, "last_seen");
	fact_end(r);
	fact(r, "alerts");
	member_value(r, rec, "count");
	lit(r, ", peak ");
	member_value(r, rec, "peak");
	fact_end(r);
	if (vc_json_member(rec, "impact", &impact) && impact.type == VC_JSON_OBJECT) {
		fact(r, "impact");
		member_value(r, impact, "summary");
		fact_end(r);
		fact(r, "services");
		list_of(r, impact, "services");
		fact_end(r);
		if (vc_json_member(impact, "user_id", &user)) {
			fact(r, "user");
			value(r, user);
			lit(r, ", other sessions: ");
			list_of(r, impact, "other_sessions");
			fact_end(r);
		}
	}
	if (r->html)
		lit(r, "</table>\n");
	timeline(r, rec);
	checklist(r, rec);
	if (r->html)
		lit(r, "</section>\n");
	vc_out_buf(&r->out);
	vc_buf_reset(&r->out);
	return 0;
}

static const char html_head[] =
	"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	"<title>vcobs incidents</title>\n<style>\n"
	"body{font:15px/1.45 system-ui,sans-serif;max-width:62em;margin:2em "
	"auto;padding:0 1em;color:#222}\n"
	"section{border:1px solid #ccc;border-left:6px solid #888;"
	"padding:.5em 1em;margin:1.5em 0}\n"
	"section.open{border-left-color:#c0392b}section.mitigated{"
	"border-left-color:#e6a700}section.resolved{border-left-color:#2e8b57}\n"
	".state{text-transform:uppercase;font-size:.8em;padding:.1em .4em;"
	"background:#eee;border-radius:3px}\n"
	"table{border-collapse:collapse;margin:.5em 0}td,th{text-align:left;"
	"vertical-align:top;padding:.15em .6em;border-bottom:1px solid #eee}\n"
	"ul.todo{list-style:none;padding-left:.5em}\n"
	"</style></head><body>\n<h1>Incidents</h1>\n";

int
vc_increport_write(struct vc_incstore *s, const char *format, double since, const char *filter)
{
	struct report r;
	char buf[64];
	struct tm tm;
	time_t now = (time_t)vc_time_now();
	int rc;

	memset(&r, 0, sizeof r);
	r.store = s;
	r.html = strcmp(format, "html") == 0;
	gmtime_r(&now, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
	vc_out_write(r.html ? html_head : "# Incidents\n",
		     strlen(r.html ? html_head : "# Incidents\n"));
	rc = vc_incstore_list(s, since, filter, report_row, &r);
	lit(&r, r.html ? "<p>" : "\n---\n");
	vc_buf_printf(&r.out,
		      "%ld incident%s: %ld open, %ld mitigated, %ld resolved. "
		      "Written by vc-incident at %s.",
		      r.n, r.n == 1 ? "" : "s", r.open, r.mitigated, r.resolved, buf);
	lit(&r, r.html ? "</p>\n</body></html>\n" : "\n");
	if (r.n == 0)
		lit(&r, r.html ? "" : "\nNo incidents.\n");
	vc_out_buf(&r.out);
	vc_buf_free(&r.out);
	vc_buf_free(&r.tmp);
	vc_buf_free(&r.whole);
	return rc < 0 || r.failed ? -1 : 0;
}
