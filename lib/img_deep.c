/*
 * img_deep.c — --deep: decode the pixels with the format's reference
 * library (libpng, libjpeg-turbo, giflib, libwebp), row by row into one
 * scratch row, with the limits set before decoding starts, to catch
 * corrupt entropy-coded data the structural pass cannot see.
 *
 * Only files the structural pass found sound in shape get here (no bomb,
 * no polyglot, not truncated), so the dimensions are already bounded by
 * --max-side and --max-pixels.  A row is at most max_side * 8 bytes.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gif_lib.h>
#include <jpeglib.h>
#include <jerror.h>
#include <png.h>
#include <webp/decode.h>

#include "img.h"

/* libjpeg and libpng keep this much for themselves at most. */
#define DEEP_MEMORY (10 * 1024 * 1024)

static void
decode_error(struct vc_img_result *r, const char *lib, const char *msg)
{
	vc_img_reason(r, VC_IMG_INVALID, "decode_error", "%s: %s", lib, msg);
}

static void
skipped(struct vc_img_result *r, const char *why)
{
	vc_img_reason(r, VC_IMG_OK, "deep_skipped", "%s", why);
}

/* --- PNG ------------------------------------------------------------- */

struct png_err {
	jmp_buf jb;
	char msg[VC_IMG_DETAIL];
};

static void
png_on_error(png_structp png, png_const_charp msg)
{
	struct png_err *e = png_get_error_ptr(png);

	snprintf(e->msg, sizeof e->msg, "%s", msg);
	longjmp(e->jb, 1);
}

static void
png_on_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

static void
deep_png(FILE *f, const struct vc_img_limits *lim, struct vc_img_result *r)
{
	struct png_err e;
	png_structp png;
	png_infop info = NULL;
	unsigned char *volatile row = NULL;
	png_uint_32 y, h;
	int pass, passes;

	png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &e, png_on_error, png_on_warning);
	if (png == NULL || (info = png_create_info_struct(png)) == NULL) {
		png_destroy_read_struct(&png, NULL, NULL);
		skipped(r, "libpng could not start");
		return;
	}
	if (setjmp(e.jb)) {
		decode_error(r, "libpng", e.msg);
		goto done;
	}
	png_set_user_limits(png, (png_uint_32)lim->max_side, (png_uint_32)lim->max_side);
	png_set_chunk_malloc_max(png, lim->max_text < DEEP_MEMORY ? (png_alloc_size_t)lim->max_text
								  : DEEP_MEMORY);
	png_set_chunk_cache_max(png, 1000);
	/* The structural pass checked every CRC: not again.  The zlib
	 * checksum it cannot check (it makes no image); libpng does. */
	png_set_crc_action(png, PNG_CRC_QUIET_USE, PNG_CRC_QUIET_USE);
	/* Benign errors stay warnings, as in browsers: the structural pass
	 * judged the chunks, and image data too long or too short. */
	png_init_io(png, f);
	png_read_info(png, info);
	passes = png_set_interlace_handling(png);
	png_read_update_info(png, info);
	h = png_get_image_height(png, info);
	row = malloc(png_get_rowbytes(png, info));
	if (row == NULL) {
		skipped(r, "no memory for a row");
		goto done;
	}
	for (pass = 0; pass < passes; pass++)
		for (y = 0; y < h; y++)
			png_read_row(png, row, NULL);
	png_read_end(png, NULL);
done:
	free(row);
	png_destroy_read_struct(&png, &info, NULL);
}

/* --- JPEG ------------------------------------------------------------ */

struct jpeg_err {
	struct jpeg_error_mgr pub;
	jmp_buf jb;
	int warnings;
	char first[JMSG_LENGTH_MAX];
};

static void
jpeg_on_error(j_common_ptr cinfo)
{
	struct jpeg_err *e = (struct jpeg_err *)cinfo->err;

	(*cinfo->err->format_message)(cinfo, e->first);
	longjmp(e->jb, 1);
}

/* Corrupt-data warnings (level -1) are what a strict decoder fails on. */
static void
jpeg_on_message(j_common_ptr cinfo, int level)
{
	struct jpeg_err *e = (struct jpeg_err *)cinfo->err;

	if (level >= 0)
		return;
	if (e->warnings++ == 0)
		(*cinfo->err->format_message)(cinfo, e->first);
}

static void
deep_jpeg(FILE *f, const struct vc_img_limits *lim, struct vc_img_result *r)
{
	struct jpeg_decompress_struct cinfo;
	struct jpeg_err e;
	JSAMPARRAY row;

	(void)lim;
	memset(&e, 0, sizeof e);
	cinfo.err = jpeg_std_error(&e.pub);
	e.pub.error_exit = jpeg_on_error;
	e.pub.emit_message = jpeg_on_message;
	if (setjmp(e.jb)) {
		if (e.pub.msg_code == JERR_OUT_OF_MEMORY || e.pub.msg_code == JERR_NO_BACKING_STORE)
			skipped(r, "needs more memory than --deep allows");
		else
			decode_error(r, "libjpeg", e.first);
		jpeg_destroy_decompress(&cinfo);
		return;
	}
	jpeg_create_decompress(&cinfo);
	/* Progressive images keep every coefficient: cap that. */
	cinfo.mem->max_memory_to_use = DEEP_MEMORY;
	jpeg_stdio_src(&cinfo, f);
	jpeg_read_header(&cinfo, TRUE);
	/* Every coefficient is still entropy-decoded, which is what can be
	 * corrupt; scaling by 1/8 leaves out the inverse DCT, upsampling
	 * and colour work that cannot fail. */
	cinfo.dct_method = JDCT_IFAST;
	cinfo.scale_num = 1;
	cinfo.scale_denom = 8;
	cinfo.do_fancy_upsampling = FALSE;
	cinfo.do_block_smoothing = FALSE;
	jpeg_start_decompress(&cinfo);
	row = (*cinfo.mem->alloc_sarray)((j_common_ptr)&cinfo, JPOOL_IMAGE,
					 cinfo.output_width * cinfo.output_components, 1);
	while (cinfo.output_scanline < cinfo.output_height)
		jpeg_read_scanlines(&cinfo, row, 1);
	jpeg_finish_decompress(&cinfo);
	if (e.warnings)
		decode_error(r, "libjpeg", e.first);
	jpeg_destroy_decompress(&cinfo);
}

/* --- GIF ------------------------------------------------------------- */

static void
deep_gif(int fd, struct vc_img_result *r)
{
	GifFileType *gif;
	GifRecordType type;
	GifByteType *ext;
	GifPixelType *line = NULL;
	int err = 0, code, y, rows;

	if ((gif = DGifOpenFileHandle(fd, &err)) == NULL) {
		decode_error(r, "giflib", GifErrorString(err));
		return;
	}
	line = malloc(gif->SWidth > 0 ? (size_t)gif->SWidth : 1);
	do {
		if (DGifGetRecordType(gif, &type) == GIF_ERROR)
			goto fail;
		if (type == IMAGE_DESC_RECORD_TYPE) {
			if (DGifGetImageDesc(gif) == GIF_ERROR)
				goto fail;
			/* The structural pass checked extents against the
			 * screen, so a row fits the line. */
			if (gif->Image.Width > gif->SWidth) {
				free(line);
				line = malloc((size_t)gif->Image.Width);
			}
			if (line == NULL) {
				skipped(r, "no memory for a row");
				break;
			}
			rows = gif->Image.Height;
			for (y = 0; y < rows; y++)
				if (DGifGetLine(gif, line, gif->Image.Width) == GIF_ERROR)
					goto fail;
		} else if (type == EXTENSION_RECORD_TYPE) {
			if (DGifGetExtension(gif, &code, &ext) == GIF_ERROR)
				goto fail;
			while (ext != NULL)
				if (DGifGetExtensionNext(gif, &ext) == GIF_ERROR)
					goto fail;
		}
	} while (type != TERMINATE_RECORD_TYPE);
	free(line);
	DGifCloseFile(gif, &err);
	return;
fail:
	decode_error(r, "giflib", GifErrorString(gif->Error));
	free(line);
	DGifCloseFile(gif, &err);
}

/* --- WebP ------------------------------------------------------------ */

static void
deep_webp(FILE *f, struct vc_img_result *r)
{
	WebPDecoderConfig config;
	WebPBitstreamFeatures features;
	unsigned char *data = NULL;
	size_t n;
	VP8StatusCode st;

	/* The file is decoded from memory, so only files that fit the
	 * budget are. */
	if (r->bytes > DEEP_MEMORY / 4) {
		skipped(r, "WebP file too large to decode within memory");
		return;
	}
	if ((data = malloc(r->bytes ? r->bytes : 1)) == NULL) {
		skipped(r, "no memory");
		return;
	}
	n = fread(data, 1, r->bytes, f);
	if (!WebPInitDecoderConfig(&config) ||
	    WebPGetFeatures(data, n, &features) != VP8_STATUS_OK) {
		decode_error(r, "libwebp", "no WebP features");
		free(data);
		return;
	}
	if (features.has_animation) {
		/* WebPDecode does not do animations; WebPAnimDecoder
		 * needs a whole canvas per frame. */
		skipped(r, "animated WebP is not decoded");
		free(data);
		return;
	}
	/* Lossless (VP8L) keeps the whole ARGB image while it decodes. */
	if (features.format == 2 &&
	    (uint64_t)features.width * (uint64_t)features.height * 4 > DEEP_MEMORY / 2) {
		skipped(r, "lossless WebP too large to decode within memory");
		free(data);
		return;
	}
	/* Lossy rows are scaled down to 1/8 as they come, so no full-size
	 * buffer is ever made; every macroblock is still decoded. */
	config.output.colorspace = MODE_RGBA;
	config.options.use_scaling = 1;
	config.options.scaled_width = features.width > 8 ? features.width / 8 : 1;
	config.options.scaled_height = features.height > 8 ? features.height / 8 : 1;
	st = WebPDecode(data, n, &config);
	if (st != VP8_STATUS_OK)
		vc_img_reason(r, VC_IMG_INVALID, "decode_error", "libwebp: status %d", (int)st);
	WebPFreeDecBuffer(&config.output);
	free(data);
}

void
vc_img_deep(int fd, const struct vc_img_limits *lim, struct vc_img_result *r)
{
	int dfd = dup(fd);
	FILE *f;

	if (dfd < 0)
		return;
	if (r->format == VC_FMT_GIF) {
		deep_gif(dfd, r); /* giflib closes dfd */
		return;
	}
	if ((f = fdopen(dfd, "rb")) == NULL) {
		close(dfd);
		return;
	}
	switch (r->format) {
	case VC_FMT_PNG:
		deep_png(f, lim, r);
		break;
	case VC_FMT_JPEG:
		deep_jpeg(f, lim, r);
		break;
	case VC_FMT_WEBP:
		deep_webp(f, r);
		break;
	case VC_FMT_HEIC:
	case VC_FMT_AVIF:
		/* libheif is no dependency of vcobs: say so. */
		skipped(r, "no HEIF/AVIF decoder: the structure is all that was checked");
		break;
	default:
		break; /* BMP: uncompressed rows, the structure is all */
	}
	fclose(f);
}
