/*
 * eval-rules-jvparse — the baseline of vc-eval-rules' bench: parse each
 * JSON line with libjq's jv_parse_sized and free it, nothing else.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

#include <jv.h>

int
main(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned long ok = 0;

	while ((n = getline(&line, &cap, stdin)) > 0) {
		jv v = jv_parse_sized(line, (int)n);

		ok += jv_is_valid(v);
		jv_free(v);
	}
	free(line);
	printf("%lu\n", ok);
	return 0;
}
