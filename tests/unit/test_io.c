/*
 * out.h and opt.h: what reaches stdout and how a bad option ends the
 * program.  Each case runs in a child whose stdout and stderr go to files.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "field.h"
#include "json.h"
#include "jsonl.h"
#include "msg.h"
#include "opt.h"
#include "out.h"
#include "tap.h"

static char out_path[] = "/tmp/vc-test-io-out-XXXXXX";
static char err_path[] = "/tmp/vc-test-io-err-XXXXXX";

struct run {
	int status; /* exit status, or 128 + signal */
	char out[4096];
	char err[4096];
};

static void
slurp(const char *path, char *dst, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(dst, 1, cap - 1, f) : 0;

	dst[n] = '\0';
	if (f)
		fclose(f);
}

/* Runs fn(arg) in a child with stdout on stdout_path (or the out file). */
static void
in_child(void (*fn)(const void *), const void *arg, const char *stdout_path, struct run *r)
{
	pid_t pid;
	int ws;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int o = open(stdout_path ? stdout_path : out_path, O_WRONLY | O_TRUNC);
		int e = open(err_path, O_WRONLY | O_TRUNC);

		dup2(o, 1);
		dup2(e, 2);
		fn(arg);
		exit(vc_out_close());
	}
	waitpid(pid, &ws, 0);
	r->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	slurp(out_path, r->out, sizeof r->out);
	slurp(err_path, r->err, sizeof r->err);
}

static struct vc_record
record(const char *json)
{
	struct vc_record rec;
	const char *why;
	size_t off;

	memset(&rec, 0, sizeof rec);
	rec.json = json;
	rec.len = strlen(json);
	vc_json_check(json, rec.len, &rec.root, &why, &off);
	return rec;
}

static void
write_spliced(const void *arg)
{
	const char *const *lines = arg;

	vc_out_init(0);
	for (; *lines; lines++) {
		struct vc_record rec = record(*lines);

		vc_out_splice_open(&rec);
		vc_out_write("\"k\":1", 5);
		vc_out_splice_close();
		vc_out_record(&rec);
	}
}

static void
test_splice(void)
{
	static const char *const lines[] = {"{}", "{\"a\":[1,{}]}", " { \"b\" : 2 } \r", "{ }",
					    NULL};
	struct run r;

	in_child(write_spliced, lines, NULL, &r);
	tap_is_str(r.out,
		   "{\"k\":1}\n{}\n"
		   "{\"a\":[1,{}],\"k\":1}\n{\"a\":[1,{}]}\n"
		   "{ \"b\" : 2 ,\"k\":1}\n{ \"b\" : 2 }\n"
		   "{ \"k\":1}\n{ }\n",
		   "annotations are spliced before the closing brace, bytes kept");
	tap_ok(r.status == 0, "exit 0");
}

static void
write_many(const void *arg)
{
	int i;

	(void)arg;
	vc_out_init(0);
	for (i = 0; i < 200000; i++) {
		vc_out_write("{\"a\":1}", 7);
		vc_out_end_record();
	}
}

static void
test_write_errors(void)
{
	struct run r;
	int fd[2];
	pid_t pid;
	int ws;

	if (access("/dev/full", W_OK) == 0) {
		in_child(write_many, NULL, "/dev/full", &r);
		tap_ok(r.status == VC_EXIT_USAGE && strstr(r.err, "write error") != NULL,
		       "a full disk is exit 2 with a message (got %d)", r.status);
	} else {
		tap_skip("/dev/full is absent", "a full disk is exit 2");
	}
	/* A reader that goes away ends the writer quietly, as it ends cat. */
	if (pipe(fd) < 0)
		return;
	signal(SIGPIPE, SIG_IGN); /* the writer must undo an ignored SIGPIPE */
	pid = fork();
	if (pid == 0) {
		int e = open(err_path, O_WRONLY | O_TRUNC);

		close(fd[0]);
		dup2(fd[1], 1);
		dup2(e, 2);
		write_many(NULL);
		exit(vc_out_close());
	}
	signal(SIGPIPE, SIG_DFL);
	close(fd[1]);
	close(fd[0]);
	waitpid(pid, &ws, 0);
	slurp(err_path, r.err, sizeof r.err);
	tap_ok(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGPIPE && r.err[0] == '\0',
	       "a closed pipe ends the writer by SIGPIPE, silently");
}

static void
parse_size(const void *arg)
{
	printf("%zu\n", vc_opt_size("--max-record", arg, 2, (size_t)1 << 30));
	fflush(stdout);
}

static void
parse_double(const void *arg)
{
	printf("%g\n", vc_opt_double("--min-score", arg, 0, 1));
	fflush(stdout);
}

static void
parse_seconds(const void *arg)
{
	printf("%g\n", vc_opt_double("--retention", arg, 60, 366 * 86400.0));
	fflush(stdout);
}

static void
test_numbers(void)
{
	struct run r;

	in_child(parse_size, "1M", NULL, &r);
	tap_is_str(r.out, "1048576\n", "sizes take a M suffix");
	in_child(parse_size, "64k", NULL, &r);
	tap_is_str(r.out, "65536\n", "sizes take a k suffix");
	in_child(parse_size, "2G", NULL, &r);
	tap_ok(r.status == VC_EXIT_USAGE && strstr(r.err, "--max-record: invalid value '2G'"),
	       "a size past the range is a usage error naming the option");
	in_child(parse_size, "-5", NULL, &r);
	tap_ok(r.status == VC_EXIT_USAGE, "a negative size is a usage error");
	in_child(parse_size, "12x", NULL, &r);
	tap_ok(r.status == VC_EXIT_USAGE, "a size with junk is a usage error");
	in_child(parse_double, "0.25", NULL, &r);
	tap_is_str(r.out, "0.25\n", "a number in range");
	in_child(parse_double, "1.5", NULL, &r);
	tap_ok(r.status == VC_EXIT_USAGE && strstr(r.err, "not between 0 and 1"),
	       "a number out of range is a usage error");
	in_child(parse_seconds, "0", NULL, &r);
	tap_ok(r.status == VC_EXIT_USAGE && strstr(r.err, "not between 60 and 31622400"),
	       "a range is spelled in plain digits");
	in_child(parse_double, "nan", NULL, &r);
	tap_ok(r.status == VC_EXIT_USAGE, "nan is not a number here");
}

static const struct vc_opt test_opts[] = {
	VC_OPT_COMMON_HELP,
	{"level", required_argument, 'l', "N", "a level"},
	{NULL, 0, 0, NULL, NULL},
};
static const struct vc_tool test_tool = {"[-l N] [FILE ...]", "Tests options.", test_opts};

static void
on_opt(int val, const char *arg, void *ctx)
{
	(void)ctx;
	printf("%c=%s\n", val, arg);
}

static void
parse_argv(const void *arg)
{
	char *argv[4] = {"test", (char *)arg, NULL, NULL};
	int argc = 2;

	optind = 1;
	vc_opt_parse(&test_tool, argc, argv, on_opt, NULL);
	fflush(stdout);
}

static void
test_parse(void)
{
	struct run r;

	in_child(parse_argv, "--level=3", NULL, &r);
	tap_is_str(r.out, "l=3\n", "a long option with its argument");
	in_child(parse_argv, "-l", NULL, &r);
	tap_ok(r.status == VC_EXIT_USAGE && strstr(r.err, "option '-l' needs an argument") &&
		       strstr(r.err, "usage: "),
	       "a missing argument is a usage error with the synopsis");
	in_child(parse_argv, "--help", NULL, &r);
	tap_ok(r.status == 0 && strstr(r.out, "-l, --level N") && strstr(r.out, "Tests options."),
	       "--help comes from the option table");
	in_child(parse_argv, "-x", NULL, &r);
	tap_ok(r.status == VC_EXIT_USAGE && strstr(r.err, "unknown option '-x'"),
	       "an unknown short option is a usage error");
}

static void
write_unbuffered_then_die(const void *arg)
{
	(void)arg;
	vc_out_init(1);
	vc_out_write("{\"a\":1}", 7);
	vc_out_end_record();
	/* No exit, no flush: only what -u wrote at once survives. */
	raise(SIGKILL);
}

static void
write_whole_lines_unbuffered_then_die(const void *arg)
{
	(void)arg;
	vc_out_init(1);
	/* Lines built elsewhere and written whole, as vc-incident writes
	 * a committed batch of events. */
	vc_out_write("{\"a\":1}\n{\"b\":2}\n", 16);
	raise(SIGKILL);
}

static void
test_unbuffered(void)
{
	struct run r;

	in_child(write_unbuffered_then_die, NULL, NULL, &r);
	tap_ok(r.status == 128 + SIGKILL && strcmp(r.out, "{\"a\":1}\n") == 0,
	       "with -u each line is written as it ends");
	in_child(write_whole_lines_unbuffered_then_die, NULL, NULL, &r);
	tap_ok(r.status == 128 + SIGKILL && strcmp(r.out, "{\"a\":1}\n{\"b\":2}\n") == 0,
	       "with -u whole lines written in one piece are written at once too");
}

static void
compile_field(const void *arg)
{
	vc_field_free(vc_field_new("--text", arg));
}

static void
test_bad_program(void)
{
	struct run r;

	in_child(compile_field, ".messages[", NULL, &r);
	tap_ok(r.status == VC_EXIT_JQ &&
		       strstr(r.err, "--text: jq program '.messages[' does not compile"),
	       "a jq program that does not compile exits 3 naming the option");
	in_child(compile_field, ".messages | last", NULL, &r);
	tap_ok(r.status == 0 && r.err[0] == '\0', "a jq program that compiles is quiet");
}

static void
test_data_path(void)
{
	char *p;

	setenv("VC_DATADIR", "/srv/vc", 1);
	p = vc_data_path("monitors");
	tap_is_str(p, "/srv/vc/monitors", "VC_DATADIR comes first");
	free(p);
	unsetenv("VC_DATADIR");
}

int
main(void)
{
	int o = mkstemp(out_path), e = mkstemp(err_path);

	if (o < 0 || e < 0)
		return 2;
	close(o);
	close(e);
	test_splice();
	test_write_errors();
	test_numbers();
	test_parse();
	test_unbuffered();
	test_bad_program();
	test_data_path();
	unlink(out_path);
	unlink(err_path);
	return tap_done();
}
