/*
 * The reader on the inputs that break readers: random bytes, a 50 MiB
 * line, invalid UTF-8, an empty file, no final newline, NUL bytes, and good
 * lines mixed with bad ones.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jsonl.h"
#include "msg.h"
#include "tap.h"

static char dir[] = "/tmp/vc-test-jsonl-XXXXXX";
static char errpath[512];

static char *
write_file(const char *name, const void *data, size_t n)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	fwrite(data, 1, n, f);
	fclose(f);
	return path;
}

struct result {
	int records;
	unsigned long lines[16];
	unsigned long rejected;
	int status;
	char errors[4096];
};

/* Reads path to the end, capturing stderr. */
static void
read_all(const char *path, int strict, size_t max_record, struct result *res)
{
	char *files[1] = {(char *)path};
	struct vc_reader *r;
	struct vc_record rec;
	int saved = dup(2), fd;
	FILE *f;
	size_t n;

	memset(res, 0, sizeof *res);
	fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	fflush(stderr);
	dup2(fd, 2);
	close(fd);
	r = vc_reader_new(files, 1, max_record, strict);
	while (vc_reader_next(r, &rec)) {
		if (res->records < 16)
			res->lines[res->records] = rec.line;
		res->records++;
	}
	res->rejected = vc_reader_rejected(r);
	res->status = vc_reader_status(r);
	vc_reader_free(r);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	f = fopen(errpath, "r");
	n = fread(res->errors, 1, sizeof res->errors - 1, f);
	res->errors[n] = '\0';
	fclose(f);
}

static void
test_mixed(void)
{
	static const char data[] = "{\"a\":1}\n"
				   "not json\n"
				   "{\"b\":2}\n"
				   "\n"
				   "[1,2]\n"
				   "{\"c\":\"\xff\"}\n"
				   "{\"d\":4}";
	struct result res;
	char *path = write_file("mixed.jsonl", data, sizeof data - 1);
	char want[600];

	read_all(path, 0, VC_MAX_RECORD_DEFAULT, &res);
	tap_ok(res.records == 3 && res.lines[0] == 1 && res.lines[1] == 3 && res.lines[2] == 7,
	       "every good line comes out, with its line number (got %d)", res.records);
	tap_ok(res.rejected == 3 && res.status == VC_EXIT_REJECTED,
	       "three bad lines rejected, status 1");
	snprintf(want, sizeof want, "%s:2: invalid JSON at byte 1", path);
	tap_ok(strstr(res.errors, want) != NULL, "line 2 reported as FILE:LINE: why");
	snprintf(want, sizeof want, "%s:5: record is not a JSON object", path);
	tap_ok(strstr(res.errors, want) != NULL, "a non-object line is reported");
	snprintf(want, sizeof want, "%s:6: invalid JSON at byte 7: invalid UTF-8", path);
	tap_ok(strstr(res.errors, want) != NULL, "invalid UTF-8 is reported");

	read_all(path, 1, VC_MAX_RECORD_DEFAULT, &res);
	tap_ok(res.records == 1 && res.rejected == 1 && res.status == VC_EXIT_REJECTED,
	       "strict mode stops at the first bad line");
}

static void
test_empty_and_no_newline(void)
{
	struct result res;

	read_all(write_file("empty.jsonl", "", 0), 0, VC_MAX_RECORD_DEFAULT, &res);
	tap_ok(res.records == 0 && res.status == VC_EXIT_OK && res.errors[0] == '\0',
	       "an empty file is no records and no error");
	read_all(write_file("last.jsonl", "{\"a\":1}\n{\"b\":2}", 15), 0, VC_MAX_RECORD_DEFAULT,
		 &res);
	tap_ok(res.records == 2 && res.lines[1] == 2, "a last line without newline is a record");
	read_all(write_file("crlf.jsonl", "{\"a\":1}\r\n", 9), 0, VC_MAX_RECORD_DEFAULT, &res);
	tap_ok(res.records == 1 && res.status == VC_EXIT_OK, "CRLF line endings are read");
}

/* A line of exactly --max-record bytes is taken with a CRLF ending too,
 * in place and gathered across reads; one byte more is refused. */
static void
test_crlf_at_the_limit(void)
{
	static const size_t sizes[] = {16, 300000};
	size_t k;

	for (k = 0; k < 2; k++) {
		size_t max = sizes[k], n = 0;
		char *data = malloc(2 * max + 16);
		struct result res;

		for (int extra = 0; extra < 2; extra++) {
			size_t len = max + (size_t)extra;

			memcpy(data + n, "{\"a\":\"", 6);
			memset(data + n + 6, 'x', len - 8);
			memcpy(data + n + len - 2, "\"}\r\n", 4);
			n += len + 2;
		}
		read_all(write_file("crlf-limit.jsonl", data, n), 0, max, &res);
		tap_ok(res.records == 1 && res.lines[0] == 1 && res.rejected == 1 &&
			       strstr(res.errors, ":2: record longer than") != NULL,
		       "max %zu: a CRLF line of max bytes is read, one of max + 1 refused", max);
		free(data);
	}
}

static void
test_byte_order_mark(void)
{
	static const char data[] = "\xEF\xBB\xBF{\"a\":1}\n\xEF\xBB\xBF{\"b\":2}\n";
	struct result res;
	char *path = write_file("bom.jsonl", data, sizeof data - 1);
	char want[600];

	read_all(path, 0, VC_MAX_RECORD_DEFAULT, &res);
	tap_ok(res.records == 1 && res.lines[0] == 1,
	       "a byte order mark opening a file is skipped, as jq skips it");
	snprintf(want, sizeof want, "%s:2: invalid JSON at byte 1", path);
	tap_ok(res.rejected == 1 && strstr(res.errors, want) != NULL,
	       "a byte order mark inside a file is refused, as jq refuses it");
	read_all(write_file("bom-bad.jsonl", "\xEF\xBB\xBF{\"a\"}\n", 10), 0, VC_MAX_RECORD_DEFAULT,
		 &res);
	tap_ok(strstr(res.errors, ":1: invalid JSON at byte 8: expected ':' after key") != NULL,
	       "byte offsets on a line with a byte order mark count it");
	read_all(write_file("bom-only.jsonl", "\xEF\xBB\xBF\n{\"a\":1}\n", 12), 0,
		 VC_MAX_RECORD_DEFAULT, &res);
	tap_ok(res.records == 1 && res.lines[0] == 2 && res.status == VC_EXIT_OK,
	       "a line holding only a byte order mark is blank");
}

static void
test_nul(void)
{
	static const char data[] = "{\"a\":\"x\0y\"}\n{\"b\":1}\n\0\n";
	struct result res;

	read_all(write_file("nul.jsonl", data, sizeof data - 1), 0, VC_MAX_RECORD_DEFAULT, &res);
	tap_ok(res.records == 1 && res.lines[0] == 2 && res.rejected == 2,
	       "lines with NUL bytes are rejected, the rest flow");
	tap_ok(strstr(res.errors, "NUL byte in string") != NULL, "the NUL is named");
}

static void
test_random(void)
{
	static unsigned char data[1 << 20];
	struct result res;
	unsigned x = 12345;
	size_t i;

	for (i = 0; i < sizeof data; i++) {
		x = x * 1103515245 + 12345;
		data[i] = (unsigned char)(x >> 16);
	}
	read_all(write_file("random.bin", data, sizeof data), 0, VC_MAX_RECORD_DEFAULT, &res);
	tap_ok(res.records == 0 && res.rejected > 1000 && res.status == VC_EXIT_REJECTED,
	       "1 MiB of random bytes: every line rejected (%lu), nothing passes", res.rejected);
}

static void
test_long_lines(void)
{
	size_t big = 50u << 20;
	char *data = malloc(big + 64), *path;
	struct result res;
	pid_t pid;
	int wstatus, fd[2];
	long maxrss_kb = -1;

	memcpy(data, "{\"a\":\"", 6);
	memset(data + 6, 'x', big - 8);
	memcpy(data + big - 2, "\"}", 2);
	memcpy(data + big, "\n{\"b\":1}\n", 9);
	path = write_file("big.jsonl", data, big + 9);
	free(data);

	read_all(path, 0, 4096, &res);
	tap_ok(res.records == 1 && res.lines[0] == 2 && res.rejected == 1 &&
		       strstr(res.errors, ":1: record longer than 4096 bytes") != NULL,
	       "a line over --max-record is refused and the next one flows");

	/* Peak memory, measured in a child that does nothing else. */
	if (pipe(fd) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		struct rusage ru;

		close(fd[0]);
		read_all(path, 0, VC_MAX_RECORD_DEFAULT, &res);
		getrusage(RUSAGE_SELF, &ru);
		dprintf(fd[1], "%ld %d %lu\n", ru.ru_maxrss, res.records, res.rejected);
		_exit(0);
	}
	close(fd[1]);
	{
		char line[64] = "";
		int recs = 0;
		unsigned long rej = 0;
		ssize_t n = read(fd[0], line, sizeof line - 1);

		if (n > 0) {
			line[n] = '\0';
			sscanf(line, "%ld %d %lu", &maxrss_kb, &recs, &rej);
		}
		close(fd[0]);
		waitpid(pid, &wstatus, 0);
		tap_ok(recs == 1 && rej == 1, "the 50 MiB line is rejected at the default limit");
	}
#if defined(__SANITIZE_ADDRESS__)
	tap_skip("AddressSanitizer's shadow memory makes RSS meaningless",
		 "peak memory on a 50 MiB line stays under 8 MiB");
#else
	tap_ok(maxrss_kb > 0 && maxrss_kb < 8 * 1024,
	       "peak memory on a 50 MiB line stays under 8 MiB (%ld KiB)", maxrss_kb);
#endif
	unlink(path);
}

static void
test_missing_file(void)
{
	struct result res;
	char path[600];

	snprintf(path, sizeof path, "%s/does-not-exist", dir);
	read_all(path, 0, VC_MAX_RECORD_DEFAULT, &res);
	tap_ok(res.status == VC_EXIT_USAGE && strstr(res.errors, "does-not-exist") != NULL,
	       "a file that cannot be opened is reported, status 2");
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 2;
	snprintf(errpath, sizeof errpath, "%s/stderr", dir);
	test_mixed();
	test_empty_and_no_newline();
	test_byte_order_mark();
	test_crlf_at_the_limit();
	test_nul();
	test_random();
	test_long_lines();
	test_missing_file();
	{
		char cmd[600];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			tap_ok(0, "cleanup");
	}
	return tap_done();
}
