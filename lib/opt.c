#include "opt.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "msg.h"
#include "vtime.h"

#ifndef VC_VERSION
#define VC_VERSION "unknown"
#endif
#ifndef VC_DATADIR
#define VC_DATADIR "/usr/local/share/vcobs"
#endif

static size_t
count_opts(const struct vc_opt *opts)
{
	size_t n = 0;

	while (opts[n].name)
		n++;
	return n;
}

static void
print_help(const struct vc_tool *tool)
{
	const struct vc_opt *o;
	char left[64];

	printf("usage: %s %s\n%s\n\noptions:\n", program_invocation_short_name, tool->synopsis,
	       tool->summary);
	for (o = tool->opts; o->name; o++) {
		if (o->val > 0 && o->val < 256)
			snprintf(left, sizeof left, "-%c, --%s%s%s", o->val, o->name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(left, sizeof left, "    --%s%s%s", o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		/* An option too wide for its column gets a line of its
		 * own, so that every description starts in one column. */
		if (strlen(left) > 26)
			printf("  %s\n%29s%s\n", left, "", o->help);
		else
			printf("  %-26s %s\n", left, o->help);
	}
	printf("\nExit status: 0 ok, 1 records rejected or a check failed, "
	       "2 usage or I/O error,\n3 a jq program did not compile. "
	       "See %s(1).\n",
	       program_invocation_short_name);
}

void
vc_opt_usage(const struct vc_tool *tool, const char *fmt, ...)
{
	va_list ap;

	if (fmt) {
		fprintf(stderr, "%s: ", program_invocation_short_name);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	fprintf(stderr, "usage: %s %s\nTry '%s --help' for more.\n", program_invocation_short_name,
		tool->synopsis, program_invocation_short_name);
	exit(VC_EXIT_USAGE);
}

/* Static, not heap: -h, -V and usage errors exit from inside the loop, and
 * static tables leave nothing for LeakSanitizer to report. */
#define MAX_OPTS 64
static struct option longopts[MAX_OPTS + 1];
static char shortopts[2 + 3 * MAX_OPTS];

static void
build_tables(const struct vc_tool *tool)
{
	size_t n = count_opts(tool->opts), i, k = 0;

	if (n > MAX_OPTS)
		errx(VC_EXIT_USAGE, "too many options in the table");
	/* ':' first: a missing argument comes back as ':', not '?'. */
	shortopts[k++] = ':';
	for (i = 0; i < n; i++) {
		const struct vc_opt *o = &tool->opts[i];

		longopts[i].name = o->name;
		longopts[i].has_arg = o->has_arg;
		longopts[i].flag = NULL;
		longopts[i].val = o->val;
		if (o->val > 0 && o->val < 256) {
			shortopts[k++] = (char)o->val;
			if (o->has_arg == required_argument)
				shortopts[k++] = ':';
		}
	}
	memset(&longopts[n], 0, sizeof longopts[n]);
	shortopts[k] = '\0';
}

/* --help into a full disk must not look like success to a script. */
static _Noreturn void
exit_after_stdout(void)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		exit(VC_EXIT_OK);
	warn("write error");
	exit(VC_EXIT_USAGE);
}

/* What was wrong with the long option arg ("--name" or "--name=value"),
 * said with the option's full name: getopt_long knows which option a
 * prefix matched but tells only its value, which for an option with a
 * letter reads as that letter. */
static _Noreturn void
bad_long_option(const struct vc_tool *tool, int missing_arg, const char *arg)
{
	const char *name = arg + 2;
	size_t n = strcspn(name, "="), matches = 0;
	const struct vc_opt *o, *match = NULL;
	static struct vc_buf list; /* static: the usage exit leaves it */

	for (o = tool->opts; o->name && n > 0; o++) {
		if (strncmp(o->name, name, n) != 0)
			continue;
		if (o->name[n] == '\0') { /* exact: no other can be meant */
			match = o;
			matches = 1;
			break;
		}
		vc_buf_printf(&list, "%s--%s", matches ? ", " : "", o->name);
		match = o;
		matches++;
	}
	if (matches > 1)
		vc_opt_usage(tool, "option '--%.*s' is ambiguous: %s", (int)n, name, list.p);
	if (matches == 1 && missing_arg)
		vc_opt_usage(tool, "option '--%s' needs an argument", match->name);
	if (matches == 1 && name[n] == '=' && match->has_arg == no_argument)
		vc_opt_usage(tool, "option '--%s' takes no argument", match->name);
	vc_opt_usage(tool, "unknown option '%.*s'", n > 0 ? (int)n + 2 : (int)strlen(arg), arg);
}

/* A standard descriptor the caller left closed would be the next one
 * open(2) hands out: an input file would then be read again as "-", or
 * a file being written would receive the records meant for stdout.
 * Each closed one is held by /dev/null opened the other way round, so
 * that reading stdin or writing stdout still fails with EBADF, as the
 * closed descriptor did, and no file can take its number. */
static void
hold_closed_std_fds(void)
{
	int fd, held;

	for (fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		held = open("/dev/null", fd == STDIN_FILENO ? O_WRONLY : O_RDONLY);
		if (held >= 0 && held != fd) {
			/* A lower descriptor was closed too and took it. */
			dup2(held, fd);
			close(held);
		}
	}
}

int
vc_opt_parse(const struct vc_tool *tool, int argc, char **argv,
	     void (*on_opt)(int val, const char *arg, void *ctx), void *ctx)
{
	int c, before = optind;
	const char *arg;

	hold_closed_std_fds();
	build_tables(tool);
	opterr = 0;
	for (; (c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1; before = optind) {
		switch (c) {
		case 'h':
			print_help(tool);
			exit_after_stdout();
		case 'V':
			printf("%s (vcobs) %s\n", program_invocation_short_name, VC_VERSION);
			exit_after_stdout();
		case ':':
		case '?':
			/* A long option is a whole word, which this call
			 * moved optind past; a letter may sit inside a bundle
			 * (-at), where optind stays, so it is told by optopt. */
			arg = argv[optind - 1];
			if (optind > before && strncmp(arg, "--", 2) == 0 && arg[2] != '\0')
				bad_long_option(tool, c == ':', arg);
			if (c == ':')
				vc_opt_usage(tool, "option '-%c' needs an argument", optopt);
			vc_opt_usage(tool, "unknown option '-%c'", optopt);
		default:
			on_opt(c, optarg, ctx);
		}
	}
	return optind;
}

int
vc_opt_common(int val, const char *arg, struct vc_common *c)
{
	switch (val) {
	case VC_OPT_MAX_RECORD:
		c->max_record = vc_opt_size("--max-record", arg, 2, (size_t)1 << 30);
		return 1;
	case VC_OPT_NOW:
		vc_time_set_now(vc_opt_time("--now", arg));
		return 1;
	case VC_OPT_STRICT:
		c->strict = 1;
		return 1;
	case 'u':
		c->unbuffered = 1;
		return 1;
	}
	return 0;
}

/* Option errors are usage errors, but the tool's synopsis is not at hand
 * here: name the option and point to --help. */
static _Noreturn void
bad_value(const char *option, const char *arg, const char *why)
{
	fprintf(stderr, "%s: %s: invalid value '%s': %s\nTry '%s --help' for more.\n",
		program_invocation_short_name, option, arg, why, program_invocation_short_name);
	exit(VC_EXIT_USAGE);
}

double
vc_opt_double(const char *option, const char *arg, double min, double max)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(arg, &end);
	if (end == arg || *end != '\0' || errno == ERANGE || !isfinite(d))
		bad_value(option, arg, "not a number");
	if (d < min || d > max) {
		char why[96];

		/* %.15g: a bound of 366 days reads 31622400, not 3.16224e+07. */
		snprintf(why, sizeof why, "not between %.15g and %.15g", min, max);
		bad_value(option, arg, why);
	}
	return d;
}

long long
vc_opt_int(const char *option, const char *arg, long long min, long long max)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(arg, &end, 10);
	if (end == arg || *end != '\0' || errno == ERANGE)
		bad_value(option, arg, "not an integer");
	if (v < min || v > max) {
		char why[96];

		snprintf(why, sizeof why, "not between %lld and %lld", min, max);
		bad_value(option, arg, why);
	}
	return v;
}

size_t
vc_opt_size(const char *option, const char *arg, size_t min, size_t max)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	errno = 0;
	if (arg[0] == '-' || arg[0] == '\0')
		bad_value(option, arg, "not a size");
	v = strtoull(arg, &end, 10);
	if (end == arg || errno == ERANGE)
		bad_value(option, arg, "not a size");
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		end++;
		break;
	case 'm':
	case 'M':
		shift = 20;
		end++;
		break;
	case 'g':
	case 'G':
		shift = 30;
		end++;
		break;
	}
	if (*end != '\0')
		bad_value(option, arg, "not a size (use a number with K, M or G)");
	if (v > (ULLONG_MAX >> shift))
		bad_value(option, arg, "too large");
	v <<= shift;
	if (v < min || v > max) {
		char why[96];

		snprintf(why, sizeof why, "not between %zu and %zu bytes", min, max);
		bad_value(option, arg, why);
	}
	return (size_t)v;
}

double
vc_opt_time(const char *option, const char *arg)
{
	double ts;

	if (vc_time_parse(arg, strlen(arg), &ts) < 0)
		bad_value(option, arg, "not epoch seconds or an RFC 3339 time");
	return ts;
}

double
vc_opt_duration(const char *option, const char *arg, int max_days)
{
	static const char units[] = "smhd";
	static const double seconds[] = {1, 60, 3600, 86400};
	const char *u;
	char *end;
	double d, unit = 1;

	errno = 0;
	d = strtod(arg, &end);
	if (end != arg && *end != '\0' && end[1] == '\0' && (u = strchr(units, *end)) != NULL) {
		unit = seconds[u - units];
		end++;
	}
	if (end == arg || *end != '\0' || errno == ERANGE || !isfinite(d))
		bad_value(option, arg, "not a duration (seconds, or a number with s, m, h or d)");
	if (d < 0 || d * unit > max_days * 86400.0) {
		char why[96];

		snprintf(why, sizeof why, "not between 0 and %d days", max_days);
		bad_value(option, arg, why);
	}
	return d * unit;
}

static char *
join(const char *dir, const char *rel)
{
	struct vc_buf b = VC_BUF_INIT;

	vc_buf_printf(&b, "%s/%s", dir, rel);
	return b.p;
}

static int
is_dir(const char *path)
{
	return access(path, X_OK) == 0;
}

char *
vc_data_path(const char *rel)
{
	const char *env = getenv("VC_DATADIR");
	char exe[PATH_MAX], *slash, *dir;
	ssize_t n;

	if (env && *env)
		return join(env, rel);
	/* A build tree or a relocated install: share/vcobs beside bin/. */
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			if ((slash = strrchr(exe, '/')) != NULL) {
				*slash = '\0';
				dir = join(exe, "share/vcobs");
				if (is_dir(dir)) {
					char *path = join(dir, rel);

					free(dir);
					return path;
				}
				free(dir);
			}
		}
	}
	return join(VC_DATADIR, rel);
}
