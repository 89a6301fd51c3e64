#include "jsonl.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "fdio.h"
#include "msg.h"

#define READ_SIZE (256 * 1024)

struct vc_reader {
	char *const *files;
	int nfiles;
	int next_file; /* index of the next file to open */
	int fd;        /* -1 between files */
	const char *name;
	unsigned long line;

	char *buf; /* READ_SIZE bytes read from fd */
	size_t pos, fill;
	int eof;

	struct vc_buf rec; /* a line that spans reads, up to max_record */
	int spilled;       /* rec holds the start of the current line */
	int oversize;      /* the current line passed max_record: skip it */
	size_t max_record;

	int strict, stopped;
	unsigned long rejected;
	int io_failed;
};

struct vc_reader *
vc_reader_new(char *const *files, int nfiles, size_t max_record, int strict)
{
	struct vc_reader *r = calloc(1, sizeof *r);

	if (r == NULL || (r->buf = malloc(READ_SIZE)) == NULL)
		err(VC_EXIT_USAGE, "out of memory");
	r->files = files;
	r->nfiles = nfiles;
	r->fd = -1;
	r->max_record = max_record;
	r->strict = strict;
	return r;
}

/* Opens the next input; 0 when there is none left. */
static int
open_next(struct vc_reader *r)
{
	const char *path;

	for (;;) {
		if (r->nfiles == 0 && r->next_file == 0) {
			path = "-";
		} else if (r->next_file < r->nfiles) {
			path = r->files[r->next_file];
		} else {
			return 0;
		}
		r->next_file++;
		if (strcmp(path, "-") == 0) {
			r->fd = STDIN_FILENO;
			r->name = "stdin";
		} else if ((r->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
			vc_msg_file(path);
			r->io_failed = 1;
			continue;
		} else {
			r->name = path;
		}
		r->line = 0;
		r->pos = r->fill = 0;
		r->eof = 0;
		return 1;
	}
}

static void
close_current(struct vc_reader *r)
{
	if (r->fd > STDIN_FILENO)
		close(r->fd);
	r->fd = -1;
}

/* Refills the read buffer; 0 at end of file or on a read error. */
static int
fill(struct vc_reader *r)
{
	ssize_t n;

	if (r->eof)
		return 0;
	n = vc_fdio_read(r->fd, r->buf, READ_SIZE);
	if (n < 0) {
		vc_msg_file(r->name);
		r->io_failed = 1;
	}
	if (n <= 0) {
		r->eof = 1;
		return 0;
	}
	r->pos = 0;
	r->fill = (size_t)n;
	return 1;
}

static void
reject(struct vc_reader *r, const char *file, unsigned long line, const char *why)
{
	vc_msg_at(file, line, "%s", why);
	r->rejected++;
	if (r->strict)
		r->stopped = 1;
}

/* Keeps part of a line that goes on past the read buffer, unless the line
 * is already known to be too long. */
static void
spill(struct vc_reader *r, const char *p, size_t n)
{
	if (r->oversize)
		return;
	/* One byte more than max_record may be a CR before the newline;
	 * next_line settles that once the line is whole. */
	if (r->rec.len + n > r->max_record + 1) {
		r->oversize = 1;
		vc_buf_reset(&r->rec);
		return;
	}
	vc_buf_add(&r->rec, p, n);
	r->spilled = 1;
}

/* Whether a line is within max_record bytes, a CR ending it (CRLF files)
 * not counted. */
static int
fits(const char *line, size_t len, size_t max_record)
{
	return len <= max_record || (len == max_record + 1 && line[len - 1] == '\r');
}

/* The next raw line of the current file: 1 with the line and its length set, 0 at the
 * end of the file.  An over-long line comes back with *line NULL. */
static int
next_line(struct vc_reader *r, const char **line, size_t *len)
{
	char *nl;

	r->spilled = r->oversize = 0;
	vc_buf_reset(&r->rec);
	for (;;) {
		if (r->pos == r->fill && !fill(r)) {
			if (!r->spilled && !r->oversize)
				return 0;
			break; /* a last line without newline is still a line */
		}
		nl = memchr(r->buf + r->pos, '\n', r->fill - r->pos);
		if (nl == NULL) {
			spill(r, r->buf + r->pos, r->fill - r->pos);
			r->pos = r->fill;
			continue;
		}
		if (!r->spilled && !r->oversize) {
			*line = r->buf + r->pos;
			*len = (size_t)(nl - (r->buf + r->pos));
			r->pos = (size_t)(nl - r->buf) + 1;
			r->line++;
			if (!fits(*line, *len, r->max_record))
				*line = NULL;
			return 1;
		}
		spill(r, r->buf + r->pos, (size_t)(nl - (r->buf + r->pos)));
		r->pos = (size_t)(nl - r->buf) + 1;
		break;
	}
	r->line++;
	if (!r->oversize && !fits(r->rec.p, r->rec.len, r->max_record))
		r->oversize = 1;
	*line = r->oversize ? NULL : r->rec.p;
	*len = r->oversize ? 0 : r->rec.len;
	return 1;
}

static int
is_blank(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return 0;
	return 1;
}

int
vc_reader_next(struct vc_reader *r, struct vc_record *rec)
{
	const char *line, *why;
	size_t len, off, bom;
	char msg[160];

	while (!r->stopped) {
		if (r->fd < 0 && !open_next(r))
			return 0;
		if (!next_line(r, &line, &len)) {
			close_current(r);
			continue;
		}
		if (line == NULL) {
			snprintf(msg, sizeof msg, "record longer than %zu bytes", r->max_record);
			reject(r, r->name, r->line, msg);
			continue;
		}
		/* A UTF-8 byte order mark opening a file (Windows tools write
		 * one) is skipped, as jq skips it; anywhere else it is refused,
		 * as jq refuses it.  Byte offsets still count it. */
		bom = r->line == 1 ? vc_json_bom(line, len) : 0;
		line += bom;
		len -= bom;
		if (is_blank(line, len))
			continue;
		if (vc_json_check(line, len, &rec->root, &why, &off) < 0) {
			snprintf(msg, sizeof msg, "invalid JSON at byte %zu: %s", bom + off + 1,
				 why);
			reject(r, r->name, r->line, msg);
			continue;
		}
		if (rec->root.type != VC_JSON_OBJECT) {
			reject(r, r->name, r->line, "record is not a JSON object");
			continue;
		}
		rec->json = line;
		rec->len = len;
		rec->file = r->name;
		rec->line = r->line;
		return 1;
	}
	return 0;
}

void
vc_reader_reject(struct vc_reader *r, const struct vc_record *rec, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	reject(r, rec->file, rec->line, why);
}

unsigned long
vc_reader_rejected(const struct vc_reader *r)
{
	return r->rejected;
}

int
vc_reader_status(const struct vc_reader *r)
{
	if (r->io_failed)
		return VC_EXIT_USAGE;
	return r->rejected ? VC_EXIT_REJECTED : VC_EXIT_OK;
}

void
vc_reader_free(struct vc_reader *r)
{
	if (r == NULL)
		return;
	close_current(r);
	vc_buf_free(&r->rec);
	free(r->buf);
	free(r);
}
