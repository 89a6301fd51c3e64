/*
 * fuzz_monitor — libFuzzer target for monitor files: the bytes are written
 * to a file, loaded as monitors (object, array or JSON lines), run
 * through every --check validation and turned into a jv.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "monitor.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	static int ready;
	struct vc_monitor_set set = VC_MONITOR_SET_INIT;
	FILE *f;
	size_t k;

	if (!ready) {
		/* Run with -close_fd_mask=2: the --check messages are not the
		 * point here. */
		snprintf(path, sizeof path, "/tmp/fuzz-monitor-%d.json", (int)getpid());
		ready = 1;
	}
	f = fopen(path, "wb");
	if (f == NULL)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	vc_monitor_load(&set, path);
	vc_monitor_check(&set, 0);
	vc_monitor_check(&set, VC_MONITOR_CHECK_ANY_TYPE);
	for (k = 0; k < set.n; k++)
		jv_free(vc_monitor_jv(&set.v[k]));
	vc_monitor_set_free(&set);
	return 0;
}
