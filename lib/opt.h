/*
 * opt.h — one option table per tool, from which getopt_long's table, the
 * short-option string and --help are all made, so they cannot drift; the
 * completion tests read --help back.  Every number goes through one
 * range-checked parser.
 */
#ifndef VC_OPT_H
#define VC_OPT_H

#include <getopt.h>
#include <stddef.h>

#include "jsonl.h"

struct vc_opt {
	const char *name; /* long name, without "--" */
	int has_arg;      /* no_argument or required_argument */
	int val;          /* short letter, or a value >= 256 for long only */
	const char *arg;  /* argument name in --help, e.g. "JQ" */
	const char *help; /* one line */
};

/* Options every record filter shares; put these in each table. */
#define VC_OPT_COMMON_HELP                                                      \
	{"help", no_argument, 'h', NULL, "print this help and exit"},           \
	{                                                                       \
		"version", no_argument, 'V', NULL, "print the version and exit" \
	}
#define VC_OPT_MAX_RECORD 0x100
#define VC_OPT_NOW        0x101
#define VC_OPT_STRICT     0x102
#define VC_OPT_COMMON_RECORDS                                                                    \
	{"max-record", required_argument, VC_OPT_MAX_RECORD, "BYTES",                            \
	 "refuse input lines longer than BYTES (default 1M)"},                                   \
		{"now", required_argument, VC_OPT_NOW, "TS",                                     \
		 "take TS (epoch seconds or RFC 3339) as the current time"},                     \
		{"strict", no_argument, VC_OPT_STRICT, NULL, "stop at the first rejected line"}, \
	{                                                                                        \
		"unbuffered", no_argument, 'u', NULL,                                            \
			"flush every output line (a terminal always is)"                         \
	}

/* What VC_OPT_COMMON_RECORDS sets. */
struct vc_common {
	size_t max_record;
	int strict;
	int unbuffered;
};
#define VC_COMMON_INIT                      \
	{                                   \
		VC_MAX_RECORD_DEFAULT, 0, 0 \
	}

/* Handles one of VC_OPT_COMMON_RECORDS; returns 1 if val was one. */
int vc_opt_common(int val, const char *arg, struct vc_common *c);

/* Tool identity for --help, --version and usage errors. */
struct vc_tool {
	const char *synopsis;      /* "[-u] [--text JQ] [FILE ...]", no name */
	const char *summary;       /* one line: what the tool does */
	const struct vc_opt *opts; /* terminated by { NULL } */
};

/* Parses argv with getopt_long, calling on_opt(val, optarg, ctx) for each
 * option except -h and -V, which it handles itself; an unknown option or a
 * missing argument is a usage error.  Returns optind. */
int vc_opt_parse(const struct vc_tool *tool, int argc, char **argv,
		 void (*on_opt)(int val, const char *arg, void *ctx), void *ctx);
/* Prints "usage: NAME SYNOPSIS" and a hint to stderr, exits VC_EXIT_USAGE;
 * fmt (may be NULL) says what was wrong first. */
_Noreturn void vc_opt_usage(const struct vc_tool *tool, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Range-checked numbers: a malformed or out-of-range arg is a usage error
 * naming the option. */
double vc_opt_double(const char *option, const char *arg, double min, double max);
long long vc_opt_int(const char *option, const char *arg, long long min, long long max);
/* Sizes take an optional K, M or G suffix (powers of 1024). */
size_t vc_opt_size(const char *option, const char *arg, size_t min, size_t max);
/* A time: epoch seconds or RFC 3339. */
double vc_opt_time(const char *option, const char *arg);
/* A duration in seconds: a number of seconds, or a number with s, m, h
 * or d, from 0 to max_days days.  A bad one is named as given, unit and
 * all ("-1h", not "-1"). */
double vc_opt_duration(const char *option, const char *arg, int max_days);

/* The installed data folder (share/vcobs): $VC_DATADIR, else share/vcobs
 * beside the binary's bin/ folder, else the compiled-in DATADIR. Returns
 * a malloc'd "DIR/rel". */
char *vc_data_path(const char *rel);

#endif
