/*
 * vtime.h — timestamps: epoch seconds in, epoch seconds out.
 *
 * Input times are epoch seconds (integer or fractional) or RFC 3339
 * strings ("2026-11-26T17:00:00Z", "...+01:00", fractional seconds
 * allowed).  Records without a time get "now", which --now fixes.
 */
#ifndef VC_VTIME_H
#define VC_VTIME_H

#include <stddef.h>

#include "json.h"

/* 0 and *ts on success; -1 when v is neither a finite number nor an RFC
 * 3339 string. */
int vc_time_from_json(struct vc_json_span v, double *ts);
/* A record's time from its ts member v (have: whether it was there):
 * now when absent or null, as jq reads null; otherwise as
 * vc_time_from_json, -1 when unreadable, which the caller reports rather
 * than taking now (it would move a replayed log's event clock to today). */
int vc_time_of_record(int have, struct vc_json_span v, double *ts);
/* Same for text: a number or an RFC 3339 string. */
int vc_time_parse(const char *s, size_t n, double *ts);
/* The current time, or the time fixed by vc_time_set_now. */
double vc_time_now(void);
void vc_time_set_now(double ts);

#endif
