/*
 * tap.h — the smallest TAP producer, for the C unit tests of lib/.
 * tests/run counts the "ok" and "not ok" lines of every unit binary.
 */
#ifndef VC_TAP_H
#define VC_TAP_H

#include <stddef.h>

/* Records one check; returns cond so a test can stop on failure. */
int tap_ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int tap_is_str(const char *got, const char *want, const char *name);
int tap_is_num(double got, double want, const char *name);
void tap_skip(const char *why, const char *name);
/* Prints the plan and returns the exit status: 0 when nothing failed. */
int tap_done(void);

#endif
