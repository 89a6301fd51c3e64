/*
 * increport.h — what vc-incident --list and --report print from the store.
 *
 * --list writes the stored records, one JSON line per incident (the
 * incident's latest record, with up to VC_INC_TIMELINE_KEEP timeline
 * entries).  --report writes a human summary for cron mail (markdown) or
 * a static page (html, one self-contained file): open incidents first,
 * each with its attacker, impact, timeline and checklist.  Everything
 * that came from input is escaped for the format: an attacker chooses
 * session ids and messages.
 */
#ifndef VC_INCREPORT_H
#define VC_INCREPORT_H

#include "incstore.h"

/* Both write through out.h and return 0, or -1 on a store error. */
int vc_increport_list(struct vc_incstore *s, double since, const char *state_filter);
int vc_increport_write(struct vc_incstore *s, const char *format, double since,
		       const char *state_filter);

#endif
