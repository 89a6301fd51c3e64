/*
 * img.c — verdicts, reasons, limits, the bounded source, and the check
 * that sniffs a file's format and hands it to its parser.
 */
#include "img.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdio.h"

/* --- verdicts and reasons ------------------------------------------ */

void
vc_img_reason(struct vc_img_result *r, enum vc_img_verdict v, const char *code, const char *fmt,
	      ...)
{
	struct vc_img_reason *re;
	va_list ap;

	if (r->limited && strcmp(code, "truncated") == 0)
		return;
	if (vc_img_has(r, code))
		return;
	if (v > r->verdict)
		r->verdict = v;
	if (r->nreasons == VC_IMG_MAX_REASONS) {
		r->dropped++;
		return;
	}
	re = &r->reasons[r->nreasons++];
	re->verdict = v;
	re->code = code;
	va_start(ap, fmt);
	vsnprintf(re->detail, sizeof re->detail, fmt, ap);
	va_end(ap);
}

int
vc_img_has(const struct vc_img_result *r, const char *code)
{
	int i;

	for (i = 0; i < r->nreasons; i++)
		if (strcmp(r->reasons[i].code, code) == 0)
			return 1;
	return 0;
}

const char *
vc_img_verdict_name(enum vc_img_verdict v)
{
	static const char *const names[] = {
		"ok", "unsupported", "invalid_image", "polyglot", "decompression_bomb",
	};

	return (unsigned)v < sizeof names / sizeof names[0] ? names[v] : "?";
}

static const char *const format_names[VC_FMT_COUNT] = {
	NULL, "png", "jpeg", "gif", "webp", "bmp", "heic", "avif",
};

const char *
vc_img_format_name(enum vc_img_format f)
{
	return (unsigned)f < VC_FMT_COUNT ? format_names[f] : NULL;
}

enum vc_img_format
vc_img_format_parse(const char *name, size_t n)
{
	int f;

	if (n == 3 && strncasecmp(name, "jpg", 3) == 0)
		return VC_FMT_JPEG;
	if (n == 3 && strncasecmp(name, "dib", 3) == 0)
		return VC_FMT_BMP;
	if (n == 4 && strncasecmp(name, "apng", 4) == 0)
		return VC_FMT_PNG;
	if ((n == 4 && strncasecmp(name, "heif", 4) == 0) ||
	    (n == 3 && strncasecmp(name, "hif", 3) == 0))
		return VC_FMT_HEIC;
	for (f = 1; f < VC_FMT_COUNT; f++)
		if (strlen(format_names[f]) == n && strncasecmp(name, format_names[f], n) == 0)
			return f;
	return VC_FMT_UNKNOWN;
}

/* --- limits --------------------------------------------------------- */

void
vc_img_limits_default(struct vc_img_limits *lim)
{
	memset(lim, 0, sizeof *lim);
	lim->max_pixels = 89478485; /* Pillow's MAX_IMAGE_PIXELS */
	lim->bomb_pixels = 2 * 89478485ULL;
	lim->max_side = 65535;
	lim->max_frames = 1000;
	lim->max_total_pixels = 4 * 89478485ULL;
	lim->max_scans = 100;           /* libjpeg-turbo's fuzzers */
	lim->max_text = 1 << 20;        /* Pillow's MAX_TEXT_CHUNK */
	lim->max_text_total = 64 << 20; /* Pillow's MAX_TEXT_MEMORY */
	lim->max_bytes = 64 << 20;
	lim->formats = ~0u;
}

void
vc_img_check_dims(struct vc_img_result *r, const struct vc_img_limits *lim, uint64_t w, uint64_t h,
		  const char *what)
{
	uint64_t px = (w ? w : 1) * (h ? h : 1);

	if (w > lim->max_side || h > lim->max_side)
		vc_img_reason(r, VC_IMG_BOMB, "side_over_limit", "%s %llux%llu, a side over %llu",
			      what, (unsigned long long)w, (unsigned long long)h,
			      (unsigned long long)lim->max_side);
	if (px > lim->bomb_pixels)
		vc_img_reason(r, VC_IMG_BOMB, "pixels_over_limit",
			      "%s %llux%llu = %llu pixels, over %llu", what, (unsigned long long)w,
			      (unsigned long long)h, (unsigned long long)px,
			      (unsigned long long)lim->bomb_pixels);
	else if (px > lim->max_pixels)
		vc_img_reason(r, VC_IMG_OK, "large_image", "%s %llux%llu = %llu pixels, over %llu",
			      what, (unsigned long long)w, (unsigned long long)h,
			      (unsigned long long)px, (unsigned long long)lim->max_pixels);
}

void
vc_img_count_frame(struct vc_img_result *r, const struct vc_img_limits *lim, uint64_t w, uint64_t h)
{
	r->frames++;
	/* Saturating: user limits may let sides up to 2^32 through. */
	r->total_pixels =
		w * h > UINT64_MAX - r->total_pixels ? UINT64_MAX : r->total_pixels + w * h;
	if (r->frames == lim->max_frames + 1)
		vc_img_reason(r, VC_IMG_BOMB, "too_many_frames", "more than %llu frames",
			      (unsigned long long)lim->max_frames);
	if (r->total_pixels > lim->max_total_pixels)
		vc_img_reason(r, VC_IMG_BOMB, "total_pixels_over_limit",
			      "frames add up to over %llu pixels",
			      (unsigned long long)lim->max_total_pixels);
}

/* --- bounded source --------------------------------------------------- */

void
vc_src_init_mem(struct vc_src *s, const void *p, size_t n, uint64_t limit)
{
	memset(s, 0, sizeof *s);
	s->fd = -1;
	s->mem = p;
	s->len = n < limit ? n : (size_t)limit;
	s->size = n;
	s->limit = limit;
	s->at_limit = n > limit;
	s->eof = 1;
}

void
vc_src_init_fd(struct vc_src *s, int fd, unsigned char *win, uint64_t limit)
{
	memset(s, 0, sizeof *s);
	s->fd = fd;
	s->win = win;
	s->mem = win;
	s->limit = limit;
	s->size = UINT64_MAX;
}

size_t
vc_src_fill(struct vc_src *s, size_t need)
{
	uint64_t room;
	size_t want;
	ssize_t got;

	if (need > VC_SRC_WINDOW)
		need = VC_SRC_WINDOW;
	while (s->len - s->pos < need && !s->eof) {
		if (s->pos > 0) {
			memmove(s->win, s->win + s->pos, s->len - s->pos);
			s->base += s->pos;
			s->len -= s->pos;
			s->pos = 0;
		}
		/* A regular file's size is known: no read to meet its end. */
		if (s->size != UINT64_MAX && s->base + s->len >= s->size) {
			s->eof = 1;
			break;
		}
		room = s->limit - (s->base + s->len);
		if (room == 0) {
			/* Whether the file goes on is asked of the file
			 * size, never by reading past the limit. */
			s->eof = 1;
			s->at_limit = s->size == UINT64_MAX || s->size > s->limit;
			break;
		}
		want = VC_SRC_WINDOW - s->len;
		if (want > room)
			want = (size_t)room;
		got = vc_fdio_read(s->fd, s->win + s->len, want);
		if (got < 0) {
			s->ioerr = errno;
			s->eof = 1;
		} else if (got == 0) {
			s->eof = 1;
		} else {
			s->len += (size_t)got;
		}
	}
	return s->len - s->pos < need ? s->len - s->pos : need;
}

const unsigned char *
vc_src_get(struct vc_src *s, size_t n)
{
	const unsigned char *p;

	if (vc_src_fill(s, n) < n) {
		s->pos = s->len;
		return NULL;
	}
	p = s->mem + s->pos;
	s->pos += n;
	return p;
}

size_t
vc_src_piece(struct vc_src *s, uint64_t max, const unsigned char **p)
{
	size_t n;

	if (s->pos == s->len)
		vc_src_fill(s, VC_SRC_WINDOW);
	n = s->len - s->pos;
	if (n > max)
		n = (size_t)max;
	*p = s->mem + s->pos;
	s->pos += n;
	return n;
}

uint64_t
vc_src_skip(struct vc_src *s, uint64_t n)
{
	uint64_t done = 0;
	const unsigned char *p;
	size_t got;

	while (done < n) {
		/* A regular file could be lseek'd, but the limit and the
		 * trailing scan both want the bytes counted, and reading
		 * is what a pipe needs anyway. */
		got = vc_src_piece(s, n - done, &p);
		if (got == 0)
			break;
		done += got;
	}
	return done;
}

/* --- the check -------------------------------------------------------- */

enum vc_img_format
vc_img_sniff(const unsigned char *p, size_t n)
{
	if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return VC_FMT_PNG;
	if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return VC_FMT_JPEG;
	if (n >= 6 && (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0))
		return VC_FMT_GIF;
	if (n >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
		return VC_FMT_WEBP;
	if (n >= 2 && p[0] == 'B' && p[1] == 'M')
		return VC_FMT_BMP;
	return vc_isobmff_sniff(p, n);
}

/* The format a MIME type or a file name's extension names: VC_FMT_COUNT
 * when it names none we know (then nothing is compared). */
static enum vc_img_format
format_of_type(const char *type)
{
	static const struct {
		const char *mime;
		enum vc_img_format f;
	} types[] = {
		{"image/png", VC_FMT_PNG},
		{"image/apng", VC_FMT_PNG},
		{"image/jpeg", VC_FMT_JPEG},
		{"image/jpg", VC_FMT_JPEG},
		{"image/pjpeg", VC_FMT_JPEG},
		{"image/gif", VC_FMT_GIF},
		{"image/webp", VC_FMT_WEBP},
		{"image/bmp", VC_FMT_BMP},
		{"image/x-bmp", VC_FMT_BMP},
		{"image/x-ms-bmp", VC_FMT_BMP},
		{"image/heic", VC_FMT_HEIC},
		{"image/heif", VC_FMT_HEIC},
		{"image/heic-sequence", VC_FMT_HEIC},
		{"image/heif-sequence", VC_FMT_HEIC},
		{"image/avif", VC_FMT_AVIF},
	};
	size_t i, n = strcspn(type, "; \t");

	for (i = 0; i < sizeof types / sizeof types[0]; i++)
		if (strlen(types[i].mime) == n && strncasecmp(type, types[i].mime, n) == 0)
			return types[i].f;
	/* An image type we do not know disagrees with any image; a generic
	 * type (application/octet-stream) says nothing. */
	return strncasecmp(type, "image/", 6) == 0 ? VC_FMT_UNKNOWN : VC_FMT_COUNT;
}

static enum vc_img_format
format_of_name(const char *name)
{
	const char *dot = strrchr(name, '.'), *slash = strrchr(name, '/');
	enum vc_img_format f;

	if (dot == NULL || (slash != NULL && dot < slash))
		return VC_FMT_COUNT;
	dot++;
	if (strcasecmp(dot, "jpeg") == 0 || strcasecmp(dot, "jpe") == 0 ||
	    strcasecmp(dot, "jfif") == 0)
		return VC_FMT_JPEG;
	f = vc_img_format_parse(dot, strlen(dot));
	return f != VC_FMT_UNKNOWN ? f : VC_FMT_COUNT;
}

static void
check_declared(struct vc_img_result *r, const char *name, const char *content_type)
{
	enum vc_img_format f;

	if (r->format == VC_FMT_UNKNOWN)
		return;
	if (content_type != NULL && *content_type != '\0') {
		f = format_of_type(content_type);
		if (f != VC_FMT_COUNT && f != r->format)
			vc_img_reason(r, VC_IMG_INVALID, "type_mismatch",
				      "declared %.40s, bytes say %s", content_type,
				      vc_img_format_name(r->format));
	}
	if (name != NULL) {
		f = format_of_name(name);
		if (f != VC_FMT_COUNT && f != r->format)
			vc_img_reason(r, VC_IMG_INVALID, "extension_mismatch",
				      "name says %.40s, bytes say %s", strrchr(name, '.') + 1,
				      vc_img_format_name(r->format));
	}
}

/* Takes back a reason, recomputing the verdict from those left: a pipe's
 * size is only known once its bytes hit --max-bytes, after a parser took
 * the end for a truncation. */
static void
drop_reason(struct vc_img_result *r, const char *code)
{
	int i, j;

	for (i = j = 0; i < r->nreasons; i++)
		if (strcmp(r->reasons[i].code, code) != 0)
			r->reasons[j++] = r->reasons[i];
	r->nreasons = j;
	r->verdict = VC_IMG_OK;
	for (i = 0; i < r->nreasons; i++)
		if (r->reasons[i].verdict > r->verdict)
			r->verdict = r->reasons[i].verdict;
}

/* Whether the name or the declared type says this is an image. */
static int
claims_image(const char *name, const char *content_type)
{
	enum vc_img_format f;

	if (content_type != NULL && strncasecmp(content_type, "image/", 6) == 0)
		return 1;
	if (name == NULL)
		return 0;
	f = format_of_name(name);
	return f != VC_FMT_COUNT && f != VC_FMT_UNKNOWN;
}

static void
check_src(struct vc_src *s, const char *name, const char *content_type,
	  const struct vc_img_limits *lim, struct vc_img_result *res)
{
	static unsigned char scratch[VC_IMG_SCRATCH];
	struct vc_img_ctx c = {s, lim, res, scratch};
	size_t n = vc_src_fill(s, 32);
	const char *what;

	res->format = vc_img_sniff(s->mem + s->pos, n);
	if (res->limited)
		vc_img_reason(res, VC_IMG_INVALID, "too_large",
			      "file over --max-bytes %llu, read no further",
			      (unsigned long long)lim->max_bytes);
	if (res->format == VC_FMT_UNKNOWN) {
		n = vc_src_fill(s, 512);
		what = vc_poly_identify(s->mem + s->pos, n);
		if (n == 0)
			vc_img_reason(res, VC_IMG_INVALID, "empty", "the file is empty");
		else if (claims_image(name, content_type))
			vc_img_reason(res, VC_IMG_INVALID, "bad_signature",
				      "named or declared an image, but %s",
				      what ? what : "no image signature");
		else
			vc_img_reason(res, VC_IMG_UNSUPPORTED, "unknown_format", "%s",
				      what ? what : "no image signature");
		return;
	}
	check_declared(res, name, content_type);
	if (!(lim->formats & (1u << res->format))) {
		vc_img_reason(res, VC_IMG_UNSUPPORTED, "format_not_allowed",
			      "%s is not in --formats", vc_img_format_name(res->format));
		return;
	}
	switch (res->format) {
	case VC_FMT_PNG:
		vc_png_check(&c);
		break;
	case VC_FMT_JPEG:
		vc_jpeg_check(&c);
		break;
	case VC_FMT_GIF:
		vc_gif_check(&c);
		break;
	case VC_FMT_WEBP:
		vc_webp_check(&c);
		break;
	case VC_FMT_BMP:
		vc_bmp_check(&c);
		break;
	case VC_FMT_HEIC:
	case VC_FMT_AVIF:
		vc_isobmff_check(&c);
		break;
	default:
		break;
	}
	if (s->ioerr)
		vc_img_reason(res, VC_IMG_INVALID, "read_error", "%s", strerror(s->ioerr));
	if (s->at_limit && !res->limited) {
		drop_reason(res, "truncated");
		res->limited = 1;
		vc_img_reason(res, VC_IMG_INVALID, "too_large",
			      "more than --max-bytes %llu, read no further",
			      (unsigned long long)lim->max_bytes);
	}
}

int
vc_img_check_fd(int fd, const char *name, const char *content_type, const struct vc_img_limits *lim,
		struct vc_img_result *res)
{
	static unsigned char win[VC_SRC_WINDOW];
	struct vc_src s;
	struct stat st;
	off_t start = 0;
	int regular;

	memset(res, 0, sizeof *res);
	if (fstat(fd, &st) < 0)
		return -1;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return -1;
	}
	regular = S_ISREG(st.st_mode);
	/* A FIFO opened with O_NONBLOCK (so that the open could not hang),
	 * or a stdin left so by the parent, is waited on by vc_fdio_read;
	 * its flag is not ours to clear. */
	vc_src_init_fd(&s, fd, win, lim->max_bytes);
	if (regular) {
		/* Standard input may stand past the start of its file (a
		 * shell that read a line first): the image is what follows,
		 * as cat would read it. */
		start = lseek(fd, 0, SEEK_CUR);
		if (start < 0)
			start = 0;
		if (start > st.st_size)
			start = st.st_size;
		s.size = (uint64_t)(st.st_size - start);
		res->bytes = s.size;
		res->limited = s.size > lim->max_bytes;
	}
	if (vc_src_fill(&s, 16) == 0 && s.ioerr) {
		errno = s.ioerr;
		return -1;
	}
	check_src(&s, name, content_type, lim, res);
	if (!regular)
		res->bytes = vc_src_tell(&s);
	/* Only files the structure found sound are decoded: a decode can add
	 * no more than invalid_image, which a broken file already is. */
	if (!lim->deep || res->verdict != VC_IMG_OK || res->format == VC_FMT_UNKNOWN)
		return 0;
	if (regular && !res->limited && lseek(fd, start, SEEK_SET) == start)
		vc_img_deep(fd, lim, res);
	else if (!regular && res->format != VC_FMT_BMP)
		/* The bytes of a pipe are gone once read; --deep asked for
		 * more than was done, so the verdict must say so. */
		vc_img_reason(res, VC_IMG_OK, "deep_skipped",
			      "not a regular file, so not read twice: the structure is "
			      "all that was checked");
	return 0;
}

void
vc_img_check_mem(const void *p, size_t n, const char *name, const char *content_type,
		 const struct vc_img_limits *lim, struct vc_img_result *res)
{
	struct vc_src s;

	memset(res, 0, sizeof *res);
	vc_src_init_mem(&s, p, n, lim->max_bytes);
	res->bytes = n;
	res->limited = n > lim->max_bytes;
	check_src(&s, name, content_type, lim, res);
}
