/*
 * bench/reader — the record layer alone: read JSON lines, check each
 * strictly, find ts, metric and value, and write the record back.  What
 * every tool pays before doing its own work.
 */
#include <stdio.h>

#include "json.h"
#include "jsonl.h"
#include "out.h"

int
main(int argc, char **argv)
{
	struct vc_reader *r = vc_reader_new(argv + 1, argc - 1, VC_MAX_RECORD_DEFAULT, 0);
	struct vc_record rec;
	struct vc_json_span v;
	double sum = 0;
	int status, out;

	vc_out_init(0);
	while (vc_reader_next(r, &rec)) {
		if (vc_json_member(rec.root, "value", &v) && v.type == VC_JSON_NUMBER)
			sum += vc_json_number(v);
		vc_out_record(&rec);
	}
	status = vc_reader_status(r);
	vc_reader_free(r);
	out = vc_out_close();
	fprintf(stderr, "sum %g\n", sum);
	return out ? out : status;
}
