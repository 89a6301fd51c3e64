/*
 * transition.c — the alert transition record of vc-records(7):
 * {"ts","monitor":{"id","name","query","priority"},"group":{...},"status",
 *  "previous","value","threshold","message","handles":[...],
 *  "evidence":[...]} (plus "renotify":true on a renotification).
 */
#include <float.h>
#include <math.h>
#include <string.h>

#include "eval_priv.h"
#include "template.h"

static void
add_string_or_null(struct vc_buf *b, const char *s)
{
	if (s)
		vc_buf_add_json_string(b, s, strlen(s));
	else
		vc_buf_adds(b, "null");
}

/* The threshold a status is about: the warning one for warn and for a
 * recovery from warn, else the critical one. */
static double
threshold_of(const struct mon *mon, enum vc_monitor_status status, enum vc_monitor_status previous)
{
	const struct vc_monitor_options *o = &mon->m->options;

	if (o->has_warning &&
	    (status == VC_STATUS_WARN || (status == VC_STATUS_OK && previous == VC_STATUS_WARN)))
		return o->warning;
	return mon->q->threshold;
}

/* The tags of the group's latest point, for template tag variables. */
static struct vc_json_span
last_tags(const struct vc_eval *ev, const struct group *g)
{
	struct vc_json_span root, tags = {0};
	const struct evslot *e;
	const char *why;
	size_t off;

	if (g->ev_count == 0)
		return tags;
	e = &g->evidence[(g->ev_next + ev->o.evidence - 1) % ev->o.evidence];
	if (vc_json_check(evslot_bytes(e), e->len, &root, &why, &off) == 0 &&
	    vc_json_member(root, "tags", &tags) && tags.type == VC_JSON_OBJECT)
		return tags;
	tags.type = VC_JSON_NONE;
	return tags;
}

/* A value as the record carries it: one that overflowed (a sum past the
 * range of a double) is the largest double of its sign, as jq writes
 * infinite, so that an alert it fired carries a number, not the null that
 * means no data. */
static double
finite_value(double v)
{
	return isinf(v) ? copysign(DBL_MAX, v) : v;
}

void
vc_eval_add_group_value(struct vc_eval *ev, struct vc_buf *out, const char *v)
{
	vc_buf_reset(&ev->value);
	vc_template_add_value(&ev->value, v);
	vc_buf_add_json_string(out, ev->value.p ? ev->value.p : "", ev->value.len);
}

void
vc_eval_transition(struct vc_eval *ev, struct mon *mon, struct group *g, double t,
		   enum vc_monitor_status status, enum vc_monitor_status previous, double value,
		   int renotify)
{
	const struct vc_monitor *m = mon->m;
	struct vc_template_ctx ctx;
	struct vc_transition tr;
	struct vc_buf *b = &ev->out;
	size_t k, n;

	value = finite_value(value);
	memset(&ctx, 0, sizeof ctx);
	ctx.status = status;
	ctx.previous = previous;
	ctx.renotify = renotify;
	ctx.value = value;
	ctx.threshold = mon->q->threshold;
	ctx.warn_threshold = m->options.has_warning ? m->options.warning : NAN;
	ctx.ok_threshold = NAN; /* service checks only */
	ctx.cmp = mon->q->cmp;
	ctx.priority = m->priority;
	ctx.keys = mon->q->by;
	ctx.values = g->values;
	ctx.nkeys = mon->q->nby;
	ctx.tags = last_tags(ev, g);
	ctx.first_triggered = g->first_triggered;
	ctx.last_triggered = g->last_triggered;
	ctx.now = t;
	vc_buf_reset(&ev->msg);
	vc_template_render(m->message ? m->message : "", &ctx, &ev->msg);

	vc_buf_reset(b);
	vc_buf_adds(b, "{\"ts\":");
	vc_buf_add_json_number(b, t);
	vc_buf_adds(b, ",\"monitor\":{\"id\":");
	add_string_or_null(b, m->id);
	vc_buf_adds(b, ",\"name\":");
	add_string_or_null(b, m->name);
	vc_buf_adds(b, ",\"query\":");
	add_string_or_null(b, m->query_text);
	vc_buf_adds(b, ",\"priority\":");
	if (m->priority)
		vc_buf_printf(b, "%d", m->priority);
	else
		vc_buf_adds(b, "null");
	vc_buf_adds(b, "},\"group\":{");
	for (k = 0; k < mon->q->nby; k++) {
		if (k)
			vc_buf_addc(b, ',');
		add_string_or_null(b, mon->q->by[k]);
		vc_buf_addc(b, ':');
		vc_eval_add_group_value(ev, b, g->values[k]);
	}
	vc_buf_adds(b, "},\"status\":\"");
	vc_buf_adds(b, vc_monitor_status_name(status));
	vc_buf_adds(b, "\",\"previous\":\"");
	vc_buf_adds(b, vc_monitor_status_name(previous));
	vc_buf_adds(b, "\",\"value\":");
	vc_buf_add_json_number(b, value); /* NAN becomes null */
	vc_buf_adds(b, ",\"threshold\":");
	vc_buf_add_json_number(b, threshold_of(mon, status, previous));
	vc_buf_adds(b, ",\"message\":");
	vc_buf_add_json_string(b, ev->msg.p ? ev->msg.p : "", ev->msg.len);
	vc_buf_adds(b, ",\"handles\":");
	vc_template_handles(ev->msg.p ? ev->msg.p : "", ev->msg.len, b);
	vc_buf_adds(b, ",\"evidence\":[");
	/* Points that came in after the tick (within --lateness) are not
	 * evidence for it. */
	for (k = 0, n = 0; k < g->ev_count; k++) {
		size_t i = (g->ev_next + ev->o.evidence - g->ev_count + k) % ev->o.evidence;

		if (g->evidence[i].ts > t)
			continue;
		if (n++)
			vc_buf_addc(b, ',');
		vc_buf_add(b, evslot_bytes(&g->evidence[i]), g->evidence[i].len);
	}
	vc_buf_addc(b, ']');
	if (renotify)
		vc_buf_adds(b, ",\"renotify\":true");
	vc_buf_addc(b, '}');

	memset(&tr, 0, sizeof tr);
	tr.monitor = m;
	tr.ts = t;
	tr.status = status;
	tr.previous = previous;
	tr.renotify = renotify;
	tr.value = value;
	tr.threshold = threshold_of(mon, status, previous);
	tr.keys = mon->q->by;
	tr.values = g->values;
	tr.ngroup = mon->q->nby;
	tr.message = ev->msg.p ? ev->msg.p : "";
	tr.json = b->p;
	tr.len = b->len;
	ev->emit(&tr, ev->arg);
}
