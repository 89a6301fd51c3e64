/*
 * vc-score-prompt — a prompt-injection score from 0 to 1 for every chat
 * message, with the categories and the evidence behind it.
 *
 * Options, the record loop and the exit status; the engine is
 * lib/piscore.c (normalize, patterns, decode, pimodel).
 */
#include <err.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "field.h"
#include "jsonl.h"
#include "msg.h"
#include "opt.h"
#include "out.h"
#include "piscore.h"
#include "vtime.h"

#define METRIC "llm.security.injection_attempt_score"

enum {
	OPT_MIN_SCORE = 0x200,
	OPT_SERVICE,
	OPT_SESSION,
	OPT_USER,
};

static const struct vc_opt opts[] = {
	{"annotate", no_argument, 'a', NULL,
	 "write each input record with an \"injection\" object added"},
	{"explain", no_argument, 'e', NULL,
	 "add which normalizations fired and what each part contributed"},
	{"min-score", required_argument, OPT_MIN_SCORE, "X",
	 "write only messages scoring at least X (0 to 1)"},
	{"model", required_argument, 'm', "FILE",
	 "model weights instead of the installed prompt/model.txt"},
	{"rules", required_argument, 'r', "FILE",
	 "pattern file instead of the installed prompt/patterns.txt"},
	{"service", required_argument, OPT_SERVICE, "NAME",
	 "the service tag of the points (default chatbotservice)"},
	{"session", required_argument, OPT_SESSION, "JQ", "the session id (default .session_id)"},
	{"text", required_argument, 't', "JQ", "the message text (default .text)"},
	{"user", required_argument, OPT_USER, "JQ", "the user id (default .user_id)"},
	VC_OPT_COMMON_RECORDS,
	VC_OPT_COMMON_HELP,
	{NULL, 0, 0, NULL, NULL},
};

static const struct vc_tool tool = {
	"[-aeu] [-t JQ] [--session JQ] [--user JQ] [--service NAME] [--min-score X] "
	"[-r FILE] [-m FILE] [FILE ...]",
	"Score chat messages for prompt injection, with the evidence.",
	opts,
};

struct config {
	struct vc_common common;
	int annotate, explain;
	double min_score;
	const char *rules, *model, *service, *session, *user, *text;
};

static void
on_opt(int val, const char *arg, void *ctx)
{
	struct config *c = ctx;

	if (vc_opt_common(val, arg, &c->common))
		return;
	switch (val) {
	case 'a':
		c->annotate = 1;
		break;
	case 'e':
		c->explain = 1;
		break;
	case 'm':
		c->model = arg;
		break;
	case 'r':
		c->rules = arg;
		break;
	case 't':
		c->text = arg;
		break;
	case OPT_MIN_SCORE:
		c->min_score = vc_opt_double("--min-score", arg, 0, 1);
		break;
	case OPT_SERVICE:
		c->service = arg;
		break;
	case OPT_SESSION:
		c->session = arg;
		break;
	case OPT_USER:
		c->user = arg;
		break;
	}
}

/* A score rounded to 4 decimals, written without printf's slow float
 * formatting (it showed at 5% of the run time): "0", "1", "0.0425". */
static void
add_score(struct vc_buf *b, double score)
{
	long k = lround(score * 1e4);
	char s[8];
	int n = 4;

	if (k <= 0 || k >= 10000) {
		vc_buf_addc(b, k <= 0 ? '0' : '1');
		return;
	}
	while (k % 10 == 0) {
		k /= 10;
		n--;
	}
	for (int i = n - 1; i >= 0; i--, k /= 10)
		s[i] = (char)('0' + k % 10);
	vc_buf_adds(b, "0.");
	vc_buf_add(b, s, (size_t)n);
}

/* A tag value, as a JSON string into out: a string as it is, a number
 * as its spelling in quotes (tags are strings, as in Datadog, so that the
 * ids 42 and "42" are one attacker); 0 when absent or null; -1 when of
 * another type. */
static int
tag_value(int have, struct vc_json_span v, struct vc_buf *out)
{
	vc_buf_reset(out);
	if (!have || v.type == VC_JSON_NULL)
		return 0;
	if (v.type == VC_JSON_STRING) {
		vc_buf_add(out, v.p, v.len);
		return 1;
	}
	if (v.type != VC_JSON_NUMBER)
		return -1;
	/* A number's spelling needs no escape. */
	vc_buf_addc(out, '"');
	vc_buf_add(out, v.p, v.len);
	vc_buf_addc(out, '"');
	return 1;
}

/* Through a (maybe jq) field program: as tag_value, or -2 when the
 * program raised an error, the reason in *why. */
static int
tag_field(struct vc_field *f, const struct vc_record *rec, struct vc_buf *out, const char **why)
{
	struct vc_json_span v;
	int rc = vc_field_eval(f, rec, &v, why);

	if (rc < 0)
		return -2;
	return tag_value(rc > 0, v, out);
}

/* Says why a record's session or user tag is unusable, and rejects it. */
static void
reject_tag(struct vc_reader *r, const struct vc_record *rec, const char *name,
	   const struct vc_field *f, int rc, const char *why)
{
	if (rc == -2)
		vc_reader_reject(r, rec, "%s", why);
	else
		vc_reader_reject(r, rec, "%s at %s is not a string or a number", name,
				 vc_field_program(f));
}

/* The part both output shapes share: categories, evidence, explanation. */
static void
add_findings(struct vc_buf *b, const struct vc_piscore *eng, const struct vc_piresult *res,
	     const struct vc_buf *text, int explain)
{
	vc_buf_adds(b, ",\"categories\":");
	vc_piscore_json_categories(eng, res, b);
	vc_buf_adds(b, ",\"evidence\":");
	vc_piscore_json_evidence(eng, res, text->p, b);
	if (explain) {
		vc_buf_adds(b, ",\"explain\":");
		vc_piscore_json_explain(eng, res, b);
	}
}

struct tags {
	struct vc_buf session, user;
	int have_session, have_user;
};

/* The key of a program that is one plain top-level key (".text"), else
 * NULL. */
static const char *
plain_key(const char *prog)
{
	if (prog[0] != '.' || !prog[1])
		return NULL;
	for (const char *p = prog + 1; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ||
		      (p > prog + 1 && *p >= '0' && *p <= '9')))
			return NULL;
	return prog + 1;
}

/* The default fields are all top-level keys: one walk over the record's
 * members finds them all, where four vc_field_eval calls would walk it
 * four times (a fifth of the run time on 200-byte lines).  As in jq, a
 * repeated key's last value wins. */
struct fields {
	const char *key[4]; /* text, session, user, "ts" */
	struct vc_json_span val[4];
	int have[4];
};

static void
fetch_fields(const struct vc_record *rec, struct fields *f)
{
	struct vc_json_iter it;
	struct vc_json_span k, v;

	memset(f->have, 0, sizeof f->have);
	vc_json_iter_init(rec->root, &it);
	while (vc_json_object_next(&it, &k, &v))
		for (int i = 0; i < 4; i++)
			if (vc_json_key_is(k, f->key[i], strlen(f->key[i]))) {
				f->val[i] = v;
				f->have[i] = 1;
			}
}

static void
point(struct vc_buf *b, const struct config *c, double ts, double score, const struct tags *t)
{
	vc_buf_adds(b, "{\"ts\":");
	/* Whole seconds, the common case, without printf's float path. */
	if (ts == floor(ts) && fabs(ts) < 1e15)
		vc_buf_printf(b, "%lld", (long long)ts);
	else
		vc_buf_add_json_number(b, ts);
	vc_buf_adds(b, ",\"metric\":\"" METRIC "\",\"value\":");
	add_score(b, score);
	vc_buf_adds(b, ",\"tags\":{");
	if (t->have_session) {
		vc_buf_adds(b, "\"session_id\":");
		vc_buf_add(b, t->session.p, t->session.len);
		vc_buf_addc(b, ',');
	}
	if (t->have_user) {
		vc_buf_adds(b, "\"user_id\":");
		vc_buf_add(b, t->user.p, t->user.len);
		vc_buf_addc(b, ',');
	}
	vc_buf_adds(b, "\"service\":");
	vc_buf_add_json_string(b, c->service, strlen(c->service));
	vc_buf_addc(b, '}');
}

static int
score_records(const struct config *c, struct vc_piscore *eng, char **files, int nfiles)
{
	struct vc_reader *r = vc_reader_new(files, nfiles, c->common.max_record, c->common.strict);
	struct vc_field *ftext = vc_field_new("--text", c->text);
	struct vc_field *fsession = vc_field_new("--session", c->session);
	struct vc_field *fuser = vc_field_new("--user", c->user);
	struct fields f = {
		{plain_key(c->text), plain_key(c->session), plain_key(c->user), "ts"}, {{0}}, {0}};
	int fast = f.key[0] && f.key[1] && f.key[2];
	struct vc_buf text = VC_BUF_INIT, b = VC_BUF_INIT;
	struct tags t = {VC_BUF_INIT, VC_BUF_INIT, 0, 0};
	struct vc_piresult res;
	struct vc_record rec;
	struct vc_json_span v, ts_span;
	const char *why = "";
	int status, rc, have_ts = 0;
	double score, ts = 0;

	vc_out_init(c->common.unbuffered);
	while (vc_reader_next(r, &rec)) {
		if (fast) {
			fetch_fields(&rec, &f);
			rc = f.have[0];
			v = f.val[0];
		} else {
			rc = vc_field_eval(ftext, &rec, &v, &why);
		}
		if (rc < 0) {
			vc_reader_reject(r, &rec, "%s", why); /* why names the program */
			continue;
		}
		if (rc == 0 || v.type != VC_JSON_STRING) {
			vc_reader_reject(r, &rec, "no text at %s", vc_field_program(ftext));
			continue;
		}
		/* A session or user that is there but unusable is said, not
		 * dropped: a point without it hides the attacker. */
		if (!c->annotate) {
			if (fast) {
				t.have_session = tag_value(f.have[1], f.val[1], &t.session);
				t.have_user = tag_value(f.have[2], f.val[2], &t.user);
				have_ts = f.have[3];
				ts_span = f.val[3];
			} else {
				t.have_session = tag_field(fsession, &rec, &t.session, &why);
				t.have_user = t.have_session < 0
						      ? 0
						      : tag_field(fuser, &rec, &t.user, &why);
				have_ts = vc_json_member(rec.root, "ts", &ts_span);
			}
			if (t.have_session < 0) {
				reject_tag(r, &rec, "session", fsession, t.have_session, why);
				continue;
			}
			if (t.have_user < 0) {
				reject_tag(r, &rec, "user", fuser, t.have_user, why);
				continue;
			}
			if (vc_time_of_record(have_ts, ts_span, &ts) < 0) {
				vc_reader_reject(r, &rec,
						 "no time at .ts (epoch seconds or RFC 3339)");
				continue;
			}
		}
		vc_json_string(v, &text);
		vc_piscore_text(eng, text.p, text.len, &res);
		score = round(res.score * 1e4) / 1e4;
		if (score < c->min_score)
			continue;
		vc_buf_reset(&b);
		if (c->annotate) {
			vc_buf_adds(&b, "\"injection\":{\"score\":");
			add_score(&b, score);
			add_findings(&b, eng, &res, &text, c->explain);
			vc_buf_addc(&b, '}');
			vc_out_splice_open(&rec);
			vc_out_buf(&b);
			vc_out_splice_close();
			continue;
		}
		point(&b, c, ts, score, &t);
		add_findings(&b, eng, &res, &text, c->explain);
		vc_buf_addc(&b, '}');
		vc_out_buf(&b);
		vc_out_end_record();
	}
	status = vc_reader_status(r);
	vc_reader_free(r);
	vc_field_free(ftext);
	vc_field_free(fsession);
	vc_field_free(fuser);
	vc_buf_free(&text);
	vc_buf_free(&b);
	vc_buf_free(&t.session);
	vc_buf_free(&t.user);
	return status;
}

int
main(int argc, char **argv)
{
	struct config c = {VC_COMMON_INIT, 0,          0,      0, NULL, NULL, "chatbotservice",
			   ".session_id",  ".user_id", ".text"};
	char *rules, *model, why[1024];
	struct vc_piscore *eng;
	int first, status, out;

	first = vc_opt_parse(&tool, argc, argv, on_opt, &c);
	rules = c.rules ? strdup(c.rules) : vc_data_path("prompt/patterns.txt");
	model = c.model ? strdup(c.model) : vc_data_path("prompt/model.txt");
	if (!rules || !model)
		err(VC_EXIT_USAGE, "out of memory");
	eng = vc_piscore_new(rules, model, why, sizeof why);
	if (!eng)
		errx(VC_EXIT_USAGE, "%s", why);
	status = score_records(&c, eng, argv + first, argc - first);
	vc_piscore_free(eng);
	free(rules);
	free(model);
	out = vc_out_close();
	return out ? out : status;
}
