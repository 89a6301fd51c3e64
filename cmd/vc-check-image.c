/*
 * vc-check-image — structural verdicts on uploaded images, before anything
 * decodes them, attributed to the user who uploaded them.
 *
 * Options, the record loop and the exit status; the checks are lib/img*.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "field.h"
#include "img.h"
#include "jsonl.h"
#include "msg.h"
#include "opt.h"
#include "out.h"
#include "vtime.h"

enum {
	OPT_CONTENT_TYPE = 0x200,
	OPT_MAX_BYTES,
	OPT_MAX_FRAMES,
	OPT_MAX_PIXELS,
	OPT_MAX_SCANS,
	OPT_MAX_SIDE,
	OPT_MAX_TEXT,
	OPT_MAX_TOTAL_PIXELS,
	OPT_USER,
};

static const struct vc_opt opts[] = {
	{"annotate", no_argument, 'a', NULL,
	 "add an \"image\" object to each record (default for FILE args)"},
	{"content-type", required_argument, OPT_CONTENT_TYPE, "JQ",
	 "the declared content type (default .content_type)"},
	{"deep", no_argument, 'd', NULL,
	 "also decode the pixels with the format's reference library"},
	{"formats", required_argument, 'f', "LIST",
	 "allowed formats (default png,jpeg,gif,webp,bmp,heic,avif)"},
	{"max-bytes", required_argument, OPT_MAX_BYTES, "BYTES",
	 "read no file past BYTES (default 64M)"},
	{"max-frames", required_argument, OPT_MAX_FRAMES, "N",
	 "more frames is a bomb (default 1000)"},
	{"max-pixels", required_argument, OPT_MAX_PIXELS, "N",
	 "warn over N pixels, bomb over 2N (default 89478485)"},
	{"max-scans", required_argument, OPT_MAX_SCANS, "N",
	 "more JPEG scans is a bomb (default 100)"},
	{"max-side", required_argument, OPT_MAX_SIDE, "N",
	 "a longer side is a bomb (default 65535)"},
	{"max-text", required_argument, OPT_MAX_TEXT, "BYTES",
	 "inflated text/ICC per chunk, 64x that per file (default 1M)"},
	{"max-total-pixels", required_argument, OPT_MAX_TOTAL_PIXELS, "N",
	 "pixels of all frames (default 4 x --max-pixels)"},
	{"path", required_argument, 'p', "JQ", "the image file's path (default .path)"},
	{"user", required_argument, OPT_USER, "JQ", "the uploading user (default .user_id)"},
	VC_OPT_COMMON_RECORDS,
	VC_OPT_COMMON_HELP,
	{NULL, 0, 0, NULL, NULL},
};

static const struct vc_tool tool = {
	"[-du] [-f LIST] [--max-pixels N] [...] FILE ... | "
	"[-adu] [--path JQ] [--user JQ] [--content-type JQ] [...] <uploads.jsonl",
	"Judge uploaded images (bombs, polyglots, invalid files) before "
	"anything decodes them.",
	opts,
};

struct config {
	struct vc_common common;
	struct vc_img_limits lim;
	int annotate;
	int total_set;
	const char *path, *user, *content_type;
	const char *record_opt; /* the first option only records use */
};

static void
on_opt(int val, const char *arg, void *ctx)
{
	struct config *c = ctx;
	const unsigned long long big = 1ULL << 62;

	if (vc_opt_common(val, arg, &c->common))
		return;
	switch (val) {
	case 'a':
		c->annotate = 1;
		break;
	case 'd':
		c->lim.deep = 1;
		break;
	case 'p':
		c->path = arg;
		c->record_opt = c->record_opt ? c->record_opt : "--path";
		break;
	case OPT_USER:
		c->user = arg;
		c->record_opt = c->record_opt ? c->record_opt : "--user";
		break;
	case OPT_CONTENT_TYPE:
		c->content_type = arg;
		c->record_opt = c->record_opt ? c->record_opt : "--content-type";
		break;
	case 'f':
		if (vc_img_formats_parse(arg, &c->lim.formats) < 0)
			vc_opt_usage(&tool,
				     "--formats: '%s' is not a comma-separated list "
				     "of png, jpeg, gif, webp, bmp, heic, avif",
				     arg);
		break;
	case OPT_MAX_BYTES:
		c->lim.max_bytes = vc_opt_size("--max-bytes", arg, 1, (size_t)big);
		break;
	case OPT_MAX_FRAMES:
		c->lim.max_frames = vc_opt_int("--max-frames", arg, 1, big);
		break;
	case OPT_MAX_PIXELS:
		c->lim.max_pixels = vc_opt_int("--max-pixels", arg, 1, big / 2);
		c->lim.bomb_pixels = 2 * c->lim.max_pixels;
		break;
	case OPT_MAX_SCANS:
		c->lim.max_scans = vc_opt_int("--max-scans", arg, 1, big);
		break;
	case OPT_MAX_SIDE:
		c->lim.max_side = vc_opt_int("--max-side", arg, 1, big);
		break;
	case OPT_MAX_TEXT:
		c->lim.max_text = vc_opt_size("--max-text", arg, 1, (size_t)1 << 40);
		c->lim.max_text_total = 64 * c->lim.max_text;
		break;
	case OPT_MAX_TOTAL_PIXELS:
		c->lim.max_total_pixels = vc_opt_int("--max-total-pixels", arg, 1, big);
		c->total_set = 1;
		break;
	}
}

/* Checks one file by name; -1 with errno when it cannot be read. */
static int
check_path(const char *path, const char *content_type, const struct vc_img_limits *lim,
	   struct vc_img_result *res)
{
	/* O_NONBLOCK so that a FIFO without a writer cannot hang the open;
	 * vc_img_check_fd makes a FIFO's reads block again. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	int rc, saved;

	if (fd < 0)
		return -1;
	rc = vc_img_check_fd(fd, path, content_type, lim, res);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

/* FILE arguments: one annotated record {"path", "image"} per file.  "-"
 * is standard input, as for cat and jq; it has no name, so its path is
 * null ("-" would name a file in the current folder). */
static int
check_files(char **files, int n, const struct config *c)
{
	struct vc_img_result res;
	struct vc_buf b = VC_BUF_INIT;
	int i, rc, status = VC_EXIT_OK, is_stdin;

	for (i = 0; i < n; i++) {
		is_stdin = strcmp(files[i], "-") == 0;
		if (is_stdin)
			rc = vc_img_check_fd(STDIN_FILENO, NULL, NULL, &c->lim, &res);
		else
			rc = check_path(files[i], NULL, &c->lim, &res);
		if (rc < 0) {
			vc_msg_file(is_stdin ? "stdin" : files[i]);
			status = VC_EXIT_USAGE;
			continue;
		}
		vc_buf_reset(&b);
		vc_buf_adds(&b, "{\"path\":");
		if (is_stdin)
			vc_buf_adds(&b, "null");
		else
			vc_buf_add_json_string(&b, files[i], strlen(files[i]));
		vc_buf_adds(&b, ",\"image\":");
		vc_img_add_json(&b, &res);
		vc_buf_addc(&b, '}');
		vc_out_buf(&b);
		vc_out_end_record();
		if (res.verdict != VC_IMG_OK && status == VC_EXIT_OK)
			status = VC_EXIT_REJECTED;
	}
	vc_buf_free(&b);
	return status;
}

/* A string or number field as text in out: 1; 0 when absent or null; -1
 * when anything else or, unless nul_ok, a string holding a NUL byte; the
 * whole reason, naming what and where, in *why. */
static int
text_field(struct vc_field *f, const char *what, const struct vc_record *rec, struct vc_buf *out,
	   int nul_ok, struct vc_buf *why)
{
	struct vc_json_span v;
	const char *jq_why;
	int rc = vc_field_eval(f, rec, &v, &jq_why);

	vc_buf_reset(why);
	if (rc < 0) {
		vc_buf_adds(why, jq_why); /* names the program */
		return -1;
	}
	if (rc == 0)
		return 0;
	if (v.type == VC_JSON_STRING) {
		vc_json_string(v, out);
		if (nul_ok || strlen(out->p) == out->len)
			return 1;
		vc_buf_printf(why, "%s at %s holds a NUL byte", what, vc_field_program(f));
		return -1;
	}
	if (v.type == VC_JSON_NUMBER) {
		vc_buf_reset(out);
		vc_buf_add(out, v.p, v.len);
		return 1;
	}
	vc_buf_printf(why, "%s at %s is not a string or a number", what, vc_field_program(f));
	return -1;
}

/* JSON lines naming files: annotated records, or metric points. */
static int
check_records(const struct config *c)
{
	struct vc_reader *r = vc_reader_new(NULL, 0, c->common.max_record, c->common.strict);
	struct vc_field *fpath = vc_field_new("--path", c->path);
	struct vc_field *fuser = vc_field_new("--user", c->user);
	struct vc_field *ftype = vc_field_new("--content-type", c->content_type);
	struct vc_buf path = VC_BUF_INIT, user = VC_BUF_INIT, type = VC_BUF_INIT;
	struct vc_buf b = VC_BUF_INIT;
	struct vc_img_result res;
	struct vc_record rec;
	struct vc_json_span ts_span;
	int have_user = 0, have_type, failed = 0, status, security, npoints;
	struct vc_buf why = VC_BUF_INIT;
	double ts;

	while (vc_reader_next(r, &rec)) {
		if (text_field(fpath, "path", &rec, &path, 0, &why) <= 0 || path.len == 0) {
			vc_reader_reject(r, &rec, "no file path at %s", vc_field_program(fpath));
			continue;
		}
		/* A user or type that is there but unusable is said, not
		 * dropped: a point without its user hides the attacker. */
		if (!c->annotate &&
		    (have_user = text_field(fuser, "user", &rec, &user, 1, &why)) < 0) {
			vc_reader_reject(r, &rec, "%s", why.p);
			continue;
		}
		if ((have_type = text_field(ftype, "content type", &rec, &type, 0, &why)) < 0) {
			vc_reader_reject(r, &rec, "%s", why.p);
			continue;
		}
		if (!c->annotate &&
		    vc_time_of_record(vc_json_member(rec.root, "ts", &ts_span), ts_span, &ts) < 0) {
			vc_reader_reject(r, &rec, "no time at .ts (epoch seconds or RFC 3339)");
			continue;
		}
		if (check_path(path.p, have_type ? type.p : NULL, &c->lim, &res) < 0) {
			vc_reader_reject(r, &rec, "%s: %s", path.p, strerror(errno));
			continue;
		}
		failed |= res.verdict != VC_IMG_OK;
		if (c->annotate) {
			vc_buf_reset(&b);
			vc_buf_adds(&b, "\"image\":");
			vc_img_add_json(&b, &res);
			vc_out_splice_open(&rec);
			vc_out_buf(&b);
			vc_out_splice_close();
			continue;
		}
		/* Every upload is counted; one that is not ok is a security
		 * event of its user as well. */
		npoints = res.verdict == VC_IMG_OK ? 1 : 2;
		for (security = 0; security < npoints; security++) {
			vc_buf_reset(&b);
			vc_img_add_point(&b, ts, security, have_user > 0 ? user.p : NULL, user.len,
					 path.p, path.len, &res);
			vc_out_buf(&b);
			vc_out_end_record();
		}
	}
	status = vc_reader_status(r);
	vc_reader_free(r);
	vc_field_free(fpath);
	vc_field_free(fuser);
	vc_field_free(ftype);
	vc_buf_free(&path);
	vc_buf_free(&user);
	vc_buf_free(&why);
	vc_buf_free(&type);
	vc_buf_free(&b);
	if (status == VC_EXIT_OK && failed)
		status = VC_EXIT_REJECTED;
	return status;
}

int
main(int argc, char **argv)
{
	struct config c = {VC_COMMON_INIT, {0}, 0, 0, ".path", ".user_id", ".content_type", NULL};
	int first, status, out;

	vc_img_limits_default(&c.lim);
	first = vc_opt_parse(&tool, argc, argv, on_opt, &c);
	if (!c.total_set)
		c.lim.max_total_pixels = 4 * c.lim.max_pixels;
	/* A FILE is checked as it is: a content type or a user asked for
	 * and silently not used would be a check the user thinks was made. */
	if (first < argc && c.record_opt != NULL)
		vc_opt_usage(&tool, "%s reads upload records on standard input: give no FILE",
			     c.record_opt);
	vc_out_init(c.common.unbuffered);
	if (first < argc)
		status = check_files(argv + first, argc - first, &c);
	else
		status = check_records(&c);
	out = vc_out_close();
	return out ? out : status;
}
