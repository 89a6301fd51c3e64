/*
 * img.h — structural verdicts on image files, before anything decodes them.
 *
 * Sections: the verdict and its reasons; limits; the bounded source every
 * parser reads through; the parsers (img_png.c, img_jpeg.c, img_gif.c,
 * img_webp.c, img_bmp.c); the polyglot scan (polyglot.c); the --deep decode
 * (img_deep.c).
 *
 * Memory: a check holds one fixed window of the file (VC_SRC_WINDOW bytes),
 * one zlib stream and one scratch buffer, whatever the file declares, and
 * never reads past limits->max_bytes.
 */
#ifndef VC_IMG_H
#define VC_IMG_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* --- verdicts and reasons ------------------------------------------ */

/* In rising order of seriousness: when several apply the highest wins.
 * VC_IMG_OK reasons are warnings (Pillow's DecompressionBombWarning). */
enum vc_img_verdict {
	VC_IMG_OK = 0,
	VC_IMG_UNSUPPORTED,
	VC_IMG_INVALID,
	VC_IMG_POLYGLOT,
	VC_IMG_BOMB,
};

enum vc_img_format {
	VC_FMT_UNKNOWN = 0,
	VC_FMT_PNG,
	VC_FMT_JPEG,
	VC_FMT_GIF,
	VC_FMT_WEBP,
	VC_FMT_BMP,
	VC_FMT_HEIC, /* HEIF with HEVC, and any other HEIF brand */
	VC_FMT_AVIF,
	VC_FMT_COUNT,
};

#define VC_IMG_MAX_REASONS 12
#define VC_IMG_DETAIL      112

struct vc_img_reason {
	enum vc_img_verdict verdict;
	const char *code; /* static: "truncated", "trailing_data" ... */
	char detail[VC_IMG_DETAIL];
};

struct vc_img_result {
	enum vc_img_verdict verdict;
	enum vc_img_format format;
	uint64_t width, height, frames, bytes;
	int nreasons;
	unsigned long dropped; /* reasons past VC_IMG_MAX_REASONS */
	struct vc_img_reason reasons[VC_IMG_MAX_REASONS];
	/* Bookkeeping the parsers share. */
	uint64_t text_total;   /* inflated text and ICC bytes so far */
	uint64_t total_pixels; /* over all frames */
	int limited;           /* the file is longer than max_bytes */
};

/* Adds a reason and raises the verdict.  A repeated code is kept once
 * (the first detail wins), so a walk over a broken file cannot flood the
 * list; a "truncated" after the file hit --max-bytes is left out, since
 * "too_large" already says why. */
void vc_img_reason(struct vc_img_result *r, enum vc_img_verdict v, const char *code,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Whether a reason with this code was given. */
int vc_img_has(const struct vc_img_result *r, const char *code);

const char *vc_img_verdict_name(enum vc_img_verdict v);
const char *vc_img_format_name(enum vc_img_format f);
/* "png" -> VC_FMT_PNG ("jpg" too); VC_FMT_UNKNOWN if none. */
enum vc_img_format vc_img_format_parse(const char *name, size_t n);

/* --- limits --------------------------------------------------------- */

struct vc_img_limits {
	uint64_t max_pixels;  /* over: a warning (Pillow 89,478,485) */
	uint64_t bomb_pixels; /* over: a bomb (twice max_pixels) */
	uint64_t max_side;    /* either side */
	uint64_t max_frames;
	uint64_t max_total_pixels; /* summed over frames */
	uint64_t max_scans;        /* JPEG scans */
	uint64_t max_text;         /* inflated bytes of one text/ICC chunk */
	uint64_t max_text_total;   /* inflated text/ICC bytes of a file */
	uint64_t max_bytes;        /* never read past this */
	unsigned formats;          /* bit (1 << VC_FMT_x) per allowed format */
	int deep;                  /* also decode pixels (img_deep.c) */
};

void vc_img_limits_default(struct vc_img_limits *lim);

/* Checks width x height (one frame or the canvas) against the pixel and
 * side limits, adding reasons to r. */
void vc_img_check_dims(struct vc_img_result *r, const struct vc_img_limits *lim, uint64_t w,
		       uint64_t h, const char *what);
/* Counts one frame of w x h; adds frame and total-pixel reasons once. */
void vc_img_count_frame(struct vc_img_result *r, const struct vc_img_limits *lim, uint64_t w,
			uint64_t h);

/* --- bounded source --------------------------------------------------- */

#define VC_SRC_WINDOW (128 * 1024)

/* A forward-only reader over a file descriptor or a memory buffer, holding
 * at most VC_SRC_WINDOW bytes and never reading past limit. */
struct vc_src {
	int fd;                   /* -1: memory */
	const unsigned char *mem; /* the memory, or the window */
	unsigned char *win;       /* owned window (fd only) */
	size_t pos, len;          /* consumed and held bytes of mem[] */
	uint64_t base;            /* offset of mem[0] in the file */
	uint64_t limit;
	uint64_t size; /* a regular file's size (no read to find its end), or
			* UINT64_MAX */
	int eof;       /* no more bytes: end of file or the limit */
	int at_limit;  /* stopped by the limit */
	int ioerr;     /* errno of a failed read, or 0 */
};

void vc_src_init_mem(struct vc_src *s, const void *p, size_t n, uint64_t limit);
/* win is the caller's VC_SRC_WINDOW bytes. */
void vc_src_init_fd(struct vc_src *s, int fd, unsigned char *win, uint64_t limit);
/* Makes up to need (<= VC_SRC_WINDOW) bytes contiguous at the read
 * position; returns how many are (fewer only at the end). */
size_t vc_src_fill(struct vc_src *s, size_t need);
/* The next n bytes (n <= VC_SRC_WINDOW), consumed; NULL if fewer remain
 * (then the rest is consumed). */
const unsigned char *vc_src_get(struct vc_src *s, size_t n);
/* Up to max contiguous bytes, consumed; returns the count, 0 at the end. */
size_t vc_src_piece(struct vc_src *s, uint64_t max, const unsigned char **p);
/* Skips n bytes; returns how many there were. */
uint64_t vc_src_skip(struct vc_src *s, uint64_t n);
static inline uint64_t
vc_src_tell(const struct vc_src *s)
{
	return s->base + s->pos;
}

/* --- the check -------------------------------------------------------- */

/* Everything a parser gets: where to read, what to allow, where to write
 * its findings, and one scratch buffer it may use for inflating. */
struct vc_img_ctx {
	struct vc_src *src;
	const struct vc_img_limits *lim;
	struct vc_img_result *res;
	unsigned char *scratch; /* VC_IMG_SCRATCH bytes */
};

#define VC_IMG_SCRATCH (256 * 1024)

/* The format a file's first bytes announce (at least 16 bytes wanted). */
enum vc_img_format vc_img_sniff(const unsigned char *p, size_t n);

/* Checks the open file fd (read from its current offset) and fills *res.
 * name (may be NULL) is the file name, content_type (may be NULL) the
 * declared type; both are compared with what the bytes say.  Returns 0,
 * or -1 with errno set when the file could not be read at all. */
int vc_img_check_fd(int fd, const char *name, const char *content_type,
		    const struct vc_img_limits *lim, struct vc_img_result *res);
/* The same over memory (for the fuzzers and unit tests). */
void vc_img_check_mem(const void *p, size_t n, const char *name, const char *content_type,
		      const struct vc_img_limits *lim, struct vc_img_result *res);

/* The parsers: each walks its format from the first byte (the signature
 * not yet consumed) to its end marker, then hands the rest of the file to
 * vc_poly_trailing. */
void vc_png_check(struct vc_img_ctx *c);
void vc_jpeg_check(struct vc_img_ctx *c);
void vc_gif_check(struct vc_img_ctx *c);
void vc_webp_check(struct vc_img_ctx *c);
void vc_bmp_check(struct vc_img_ctx *c);
void vc_isobmff_check(struct vc_img_ctx *c);
/* VC_FMT_HEIC, VC_FMT_AVIF or VC_FMT_UNKNOWN for an ftyp box's brands. */
enum vc_img_format vc_isobmff_sniff(const unsigned char *p, size_t n);

/* --- deflate without inflating (img_inflate.c) ------------------------ */

/* Hands the checker the next piece of the stream in *p; 0 at the end. */
typedef size_t (*vc_pull_fn)(void *ctx, const unsigned char **p);

struct vc_deflate {
	uint64_t limit;    /* stop once the output would pass this */
	uint64_t produced; /* bytes the stream inflates to (so far) */
	const char *error; /* static, when the return is < 0 */
	size_t leftover;   /* bytes pulled but past the stream's end */
	/* Output positions of interest (PNG row starts): at_mark is called
	 * with the byte there when a literal made it, -1 when a match or a
	 * stored block did, and must move mark on (UINT64_MAX: no more). */
	uint64_t mark;
	void (*at_mark)(struct vc_deflate *d, int byte);
	void *ctx;
};

/* Checks a raw deflate stream as zlib would inflate it, making no
 * output: 0 complete, 1 the output passed d->limit, -1 invalid, -2 the
 * input ended inside the stream. */
int vc_deflate_check(vc_pull_fn pull, void *ctx, struct vc_deflate *d);

/* --- polyglots (polyglot.c) ------------------------------------------ */

/* Looks for another file or a script in metadata bytes p[0..n) (a
 * comment, a text chunk, an unknown chunk): adds polyglot reasons.  With
 * images set another image there counts too (not in Exif, which carries
 * thumbnails). */
void vc_poly_scan_meta(struct vc_img_result *r, const unsigned char *p, size_t n, const char *where,
		       int images);
/* Control bytes (no text has them) in p[0..n). */
size_t vc_poly_control_bytes(const unsigned char *p, size_t n);
/* Judges a text comment of len bytes with control of them control
 * bytes: binary data in a comment is a hidden file. */
void vc_poly_comment(struct vc_img_result *r, uint64_t len, uint64_t control, const char *where);
/* Reads the rest of the source after the format's end: zero padding is
 * tolerated, anything else is trailing data, named if recognised. */
void vc_poly_trailing(struct vc_img_ctx *c, const char *after);
/* What a whole file that is no image is ("pdf", "php" ...), or NULL. */
const char *vc_poly_identify(const unsigned char *p, size_t n);

/* --- output (img_out.c) --------------------------------------------- */

/* Appends the "image" object: verdict, format, width, height, frames,
 * bytes, reasons. */
void vc_img_add_json(struct vc_buf *b, const struct vc_img_result *r);
/* Appends one metric point of a checked upload: tryon.upload.checked, or
 * with security set tryon.security.VERDICT; tagged user_id (unless user
 * is NULL) and service tryonservice, carrying path, verdict and reasons. */
void vc_img_add_point(struct vc_buf *b, double ts, int security, const char *user, size_t user_len,
		      const char *path, size_t path_len, const struct vc_img_result *r);
/* Appends the reasons array: [{"code","detail"}...]. */
void vc_img_add_reasons(struct vc_buf *b, const struct vc_img_result *r);
/* "png,jpeg,gif" -> a bit mask of formats; -1 on an unknown name. */
int vc_img_formats_parse(const char *list, unsigned *formats);

/* --- deep decode (img_deep.c) ---------------------------------------- */

/* Decodes the pixels of the file at fd (rewound to 0) with the format's
 * reference library, row by row, with the limits set first; adds
 * invalid_image reasons for what the decoder rejects. */
void vc_img_deep(int fd, const struct vc_img_limits *lim, struct vc_img_result *res);

#endif
