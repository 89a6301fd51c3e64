/*
 * decode.h — encoded payloads hidden in a message.
 *
 * An attacker who knows the filter reads "ignore previous instructions"
 * sends it as base64, hex, URL escapes or ROT13 and asks the model to
 * decode it.  vc_decode_find finds such payloads in the raw message text
 * (base64 is case-sensitive, so this runs before normalization), decodes
 * them, and keeps those that decode to readable text, for the scorer to
 * normalize and scan like the message itself.
 *
 * What counts: a run of at least 16 base64 characters (standard or
 * URL-safe alphabet) or 16 hex digits that decodes to mostly printable
 * text with letters; a word with at least three %XX escapes of letters or
 * digits (ordinary URL encoding only escapes punctuation and spaces); and
 * a text whose ROT13 reading has clearly more common English words than
 * it has, or at least one more and more words whose letters are clearly
 * more English in ROT13 (by the letter frequencies of English) than
 * words that are clearly English as they stand (a short payload beside
 * a label such as "Encoded:").  Words with letters beyond ASCII are
 * never ROT13; and a run of at least 8 letters of Morse code (dots and
 * dashes, words apart by '/' or two blanks).
 */
#ifndef VC_DECODE_H
#define VC_DECODE_H

#include <stddef.h>

#include "buf.h"

enum vc_decode_kind {
	VC_DECODE_BASE64,
	VC_DECODE_HEX,
	VC_DECODE_URL,
	VC_DECODE_ROT13,
	VC_DECODE_MORSE,
};

struct vc_decoded {
	enum vc_decode_kind kind;
	size_t from, to;         /* the payload's bytes in the message */
	size_t out_from, out_to; /* its decoded text in the output buffer */
};

/* Finds up to max payloads in s[0..n); their decoded texts are appended
 * to out (which is reset first), each followed by a newline.  Returns how
 * many were found. */
size_t vc_decode_find(const char *s, size_t n, struct vc_buf *out, struct vc_decoded *found,
		      size_t max);
/* "base64", "hex", "url", "rot13", "morse". */
const char *vc_decode_kind_name(enum vc_decode_kind kind);

#endif
