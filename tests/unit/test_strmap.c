/*
 * test_strmap.c — the string-keyed hash table: adds, finds, grows, clears.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "tap.h"

static int freed;

static void
count_free(void *p)
{
	freed++;
	free(p);
}

int
main(void)
{
	struct vc_strmap m = VC_STRMAP_INIT;
	char key[32];
	int found = 1;

	tap_ok(vc_strmap_find(&m, "x") == NULL, "empty map finds nothing");
	vc_strmap_add(&m, "a")->val = strdup("A");
	tap_is_str(vc_strmap_find(&m, "a")->val, "A", "found what was added");
	tap_ok(vc_strmap_add(&m, "a")->val != NULL, "adding again keeps the value");
	tap_is_num((double)m.n, 1, "one key");
	vc_strmap_add(&m, "absent");
	tap_ok(vc_strmap_find(&m, "absent") && !vc_strmap_find(&m, "absent")->val,
	       "a key with no value means known absent");
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "k-%d", i);
		vc_strmap_add(&m, key)->val = strdup(key);
	}
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "k-%d", i);
		struct vc_strmap_slot *s = vc_strmap_find(&m, key);
		if (!s || strcmp(s->val, key) != 0)
			found = 0;
	}
	tap_ok(found, "5000 keys survive growth");
	tap_ok(m.cap >= 2 * m.n, "load stays at or under one half");
	tap_ok(vc_strmap_find(&m, "k-5000") == NULL, "a key never added is absent");
	tap_ok(vc_strmap_hash("a", 1) != vc_strmap_hash("b", 1), "hash differs");
	vc_strmap_clear(&m, count_free);
	tap_is_num(freed, 5001, "clear frees every value");
	tap_ok(m.n == 0 && m.v == NULL && vc_strmap_find(&m, "a") == NULL, "cleared map is empty");
	return tap_done();
}
