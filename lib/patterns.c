/*
 * patterns.c — see patterns.h.  Hyperscan was chosen over PCRE2-JIT by
 * measurement (bench/prompt-engines.c): one Hyperscan pass over a message
 * finds every pattern at once, where PCRE2 runs each pattern in turn.
 */
#include "patterns.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hs/hs.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "xalloc.h"

#define MAX_CATEGORIES    32
#define START_WINDOW      1024
#define START_MATCH_LIMIT 100000
#define MAX_SIGNALS       32

struct pattern {
	char *name;
	unsigned cat;
	double weight;
	char *regex;       /* as given to Hyperscan, for PCRE2 */
	pcre2_code *start; /* compiled on its first hit, to find its start */
};

struct signal {
	char *name;
	unsigned cat;
	double weight;
};

struct vc_patterns {
	struct pattern *pats;
	unsigned npats;
	char *cats[MAX_CATEGORIES];
	unsigned ncats;
	struct signal sigs[MAX_SIGNALS];
	unsigned nsigs;
	hs_database_t *db;
	hs_scratch_t *scratch;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	/* per-scan state for the match callback */
	unsigned char *seen;
	struct vc_pattern_hit *hits;
	size_t nhits, maxhits;
};

unsigned
vc_patterns_count(const struct vc_patterns *p)
{
	return p->npats;
}
const char *
vc_patterns_name(const struct vc_patterns *p, unsigned i)
{
	return p->pats[i].name;
}
unsigned
vc_patterns_category(const struct vc_patterns *p, unsigned i)
{
	return p->pats[i].cat;
}
double
vc_patterns_weight(const struct vc_patterns *p, unsigned i)
{
	return p->pats[i].weight;
}
const char *
vc_patterns_regex(const struct vc_patterns *p, unsigned i)
{
	return p->pats[i].regex;
}
unsigned
vc_patterns_ncategories(const struct vc_patterns *p)
{
	return p->ncats;
}
const char *
vc_patterns_category_name(const struct vc_patterns *p, unsigned cat)
{
	return cat < p->ncats ? p->cats[cat] : "?";
}

int
vc_patterns_signal(const struct vc_patterns *p, const char *name, unsigned *cat, double *weight)
{
	for (unsigned i = 0; i < p->nsigs; i++)
		if (!strcmp(p->sigs[i].name, name)) {
			*cat = p->sigs[i].cat;
			*weight = p->sigs[i].weight;
			return 1;
		}
	return 0;
}

void
vc_patterns_free(struct vc_patterns *p)
{
	if (!p)
		return;
	for (unsigned i = 0; i < p->npats; i++) {
		free(p->pats[i].name);
		free(p->pats[i].regex);
		pcre2_code_free(p->pats[i].start);
	}
	pcre2_match_data_free(p->md);
	pcre2_match_context_free(p->mctx);
	for (unsigned i = 0; i < p->ncats; i++)
		free(p->cats[i]);
	for (unsigned i = 0; i < p->nsigs; i++)
		free(p->sigs[i].name);
	free(p->pats);
	free(p->seen);
	hs_free_scratch(p->scratch);
	hs_free_database(p->db);
	free(p);
}

/* The category's number, adding it when new; -1 when too many. */
static int
category(struct vc_patterns *p, const char *name)
{
	for (unsigned i = 0; i < p->ncats; i++)
		if (!strcmp(p->cats[i], name))
			return (int)i;
	if (p->ncats == MAX_CATEGORIES)
		return -1;
	p->cats[p->ncats] = vc_xstrdup(name);
	return (int)p->ncats++;
}

/* Rewrites a file regex for Hyperscan: a space outside a bracket
 * expression stands for up to three non-alphanumeric bytes.  Returns a
 * malloc'd string. */
static char *
expand_regex(const char *re)
{
	static const char gap[] = "[^a-z0-9]{0,3}";
	size_t n = strlen(re), spaces = 0;
	for (size_t i = 0; i < n; i++)
		spaces += re[i] == ' ';
	char *out = malloc(n + spaces * (sizeof gap - 1) + 1), *o = out;
	int in_class = 0;
	if (!out) {
		perror("malloc");
		exit(2);
	}
	for (size_t i = 0; i < n; i++) {
		char c = re[i];
		if (c == '\\' && i + 1 < n) {
			*o++ = c;
			*o++ = re[++i];
			continue;
		}
		if (in_class) {
			if (c == ']' &&
			    !(o > out && (o[-1] == '[' || (o[-1] == '^' && o[-2] == '['))))
				in_class = 0;
		} else if (c == '[') {
			in_class = 1;
		} else if (c == ' ') {
			memcpy(o, gap, sizeof gap - 1);
			o += sizeof gap - 1;
			continue;
		}
		*o++ = c;
	}
	*o = '\0';
	return out;
}

/* One line of the file; fields are split in place.  Returns 0, or -1
 * with a reason in why. */
static int
parse_line(struct vc_patterns *p, char *line, char ***res, unsigned **ids, unsigned *nres,
	   size_t *capres, const char **why)
{
	char *cat = strtok(line, " \t");
	char *w = strtok(NULL, " \t");
	char *name = strtok(NULL, " \t");
	char *re = strtok(NULL, "");
	char *end;
	double weight;
	int c;

	if (!cat || !w || !name) {
		*why = "want CATEGORY WEIGHT NAME REGEX";
		return -1;
	}
	errno = 0;
	weight = strtod(w, &end);
	if (errno || *end || end == w || weight < -20 || weight > 20) {
		*why = "weight is not a number from -20 to 20";
		return -1;
	}
	if ((c = category(p, cat)) < 0) {
		*why = "too many categories";
		return -1;
	}
	if (name[0] == '@') {
		if (re && *re) {
			*why = "a @signal line takes no regex";
			return -1;
		}
		if (p->nsigs == MAX_SIGNALS) {
			*why = "too many signals";
			return -1;
		}
		p->sigs[p->nsigs++] = (struct signal){vc_xstrdup(name + 1), (unsigned)c, weight};
		return 0;
	}
	while (re && isspace((unsigned char)*re))
		re++;
	if (!re || !*re) {
		*why = "no regex";
		return -1;
	}
	if (p->npats == *capres) {
		*capres = *capres ? *capres * 2 : 64;
		p->pats = realloc(p->pats, *capres * sizeof *p->pats);
		*res = realloc(*res, *capres * sizeof **res);
		*ids = realloc(*ids, *capres * sizeof **ids);
		if (!p->pats || !*res || !*ids) {
			perror("realloc");
			exit(2);
		}
	}
	(*res)[p->npats] = expand_regex(re);
	(*ids)[p->npats] = p->npats;
	p->pats[p->npats++] = (struct pattern){vc_xstrdup(name), (unsigned)c, weight, NULL, NULL};
	*nres = p->npats;
	return 0;
}

/* FNV-1a, for the cache file's name. */
static uint64_t
fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 0x100000001b3ull;
	return h;
}

/* Where the compiled database of a pattern file with hash h is cached:
 * $VC_CACHE_DIR, else $XDG_CACHE_HOME/vcobs, else ~/.cache/vcobs; NULL
 * when none is known.  Creates the folder if it can. */
static char *
cache_path(uint64_t h)
{
	const char *dir = getenv("VC_CACHE_DIR"), *base;
	char folder[4096], *path;

	if (dir && *dir) {
		snprintf(folder, sizeof folder, "%s", dir);
	} else if ((base = getenv("XDG_CACHE_HOME")) && *base) {
		snprintf(folder, sizeof folder, "%s/vcobs", base);
	} else if ((base = getenv("HOME")) && *base) {
		snprintf(folder, sizeof folder, "%s/.cache", base);
		mkdir(folder, 0755);
		snprintf(folder, sizeof folder, "%s/.cache/vcobs", base);
	} else {
		return NULL;
	}
	mkdir(folder, 0755);
	if (asprintf(&path, "%s/prompt-%016llx.hsdb", folder, (unsigned long long)h) < 0)
		return NULL;
	return path;
}

static int
cache_read(struct vc_patterns *p, const char *path)
{
	FILE *f = fopen(path, "rb");
	char *bytes = NULL;
	long n;
	int rc = -1;

	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && n < (1L << 30) &&
	    fseek(f, 0, SEEK_SET) == 0 && (bytes = malloc((size_t)n)) &&
	    fread(bytes, 1, (size_t)n, f) == (size_t)n &&
	    hs_deserialize_database(bytes, (size_t)n, &p->db) == HS_SUCCESS)
		rc = 0;
	free(bytes);
	fclose(f);
	return rc;
}

/* Best effort: a cache that cannot be written only costs time. */
static void
cache_write(const struct vc_patterns *p, const char *path)
{
	char *bytes = NULL, *tmp = NULL;
	size_t n;
	int fd;

	if (hs_serialize_database(p->db, &bytes, &n) != HS_SUCCESS)
		return;
	if (asprintf(&tmp, "%s.%ld.tmp", path, (long)getpid()) >= 0 &&
	    (fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644)) >= 0) {
		int ok = write(fd, bytes, n) == (ssize_t)n;
		if (close(fd) == 0 && ok && rename(tmp, path) == 0)
			;
		else
			unlink(tmp);
	}
	free(tmp);
	free(bytes);
}

/* Compiles all patterns into one database.  Hyperscan takes half a
 * second for this file, so the result is cached by the file's content
 * (and the Hyperscan version) and later runs start in a millisecond.
 * Start-of-match tracking would multiply that time and cannot take some
 * of the patterns at all, so hits report only their end; the start of
 * a hit is found afterwards by PCRE2 (see find_start). */
static int
compile(struct vc_patterns *p, char **res, const unsigned *ids, uint64_t hash, const char *path,
	char *why, size_t whylen)
{
	unsigned *flags = malloc((p->npats + 1) * sizeof *flags);
	hs_compile_error_t *cerr = NULL;
	char *cpath = cache_path(hash);
	int rc = -1;

	if (!flags) {
		perror("malloc");
		exit(2);
	}
	for (unsigned i = 0; i < p->npats; i++)
		flags[i] = HS_FLAG_SINGLEMATCH;
	/* A cached database made on another CPU (a shared home folder)
	 * loads but gets no scratch: then compile afresh. */
	if (cpath && cache_read(p, cpath) == 0 &&
	    hs_alloc_scratch(p->db, &p->scratch) != HS_SUCCESS) {
		hs_free_database(p->db);
		p->db = NULL;
	}
	if (!p->db) {
		if (hs_compile_multi((const char *const *)res, flags, ids, p->npats, HS_MODE_BLOCK,
				     NULL, &p->db, &cerr) != HS_SUCCESS) {
			int e = cerr->expression;
			if (e >= 0)
				snprintf(why, whylen, "%s: pattern %s: %s", path, p->pats[e].name,
					 cerr->message);
			else
				snprintf(why, whylen, "%s: %s", path, cerr->message);
			hs_free_compile_error(cerr);
			goto out;
		}
		if (cpath)
			cache_write(p, cpath);
	}
	if (!p->scratch && hs_alloc_scratch(p->db, &p->scratch) != HS_SUCCESS) {
		snprintf(why, whylen, "%s: cannot allocate scan memory", path);
		goto out;
	}
	rc = 0;
out:
	free(cpath);
	free(flags);
	return rc;
}

struct vc_patterns *
vc_patterns_load(const char *path, char *why, size_t whylen)
{
	FILE *f = fopen(path, "r");
	struct vc_patterns *p;
	char *line = NULL, **res = NULL;
	unsigned *ids = NULL, nres = 0;
	size_t cap = 0, capres = 0;
	unsigned long lineno = 0;
	uint64_t hash = fnv1a(0xcbf29ce484222325ull, hs_version(), strlen(hs_version()));
	ssize_t n;
	int ok = 1;

	if (!f) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	p = calloc(1, sizeof *p);
	if (!p) {
		perror("calloc");
		exit(2);
	}
	while (ok && (n = getline(&line, &cap, f)) >= 0) {
		const char *bad = NULL;
		char *s = line;
		lineno++;
		hash = fnv1a(hash, line, (size_t)n);
		while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
			s[--n] = '\0';
		while (isspace((unsigned char)*s))
			s++;
		if (!*s || *s == '#')
			continue;
		if (parse_line(p, s, &res, &ids, &nres, &capres, &bad) < 0) {
			snprintf(why, whylen, "%s:%lu: %s", path, lineno, bad);
			ok = 0;
		}
	}
	if (ok && ferror(f)) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		ok = 0;
	}
	fclose(f);
	free(line);
	if (ok && p->npats == 0) {
		snprintf(why, whylen, "%s: no patterns", path);
		ok = 0;
	}
	if (ok && compile(p, res, ids, hash, path, why, whylen) < 0)
		ok = 0;
	for (unsigned i = 0; i < nres; i++)
		p->pats[i].regex = res[i];
	free(res);
	free(ids);
	if (ok) {
		p->seen = calloc(p->npats, 1);
		p->md = pcre2_match_data_create(1, NULL);
		p->mctx = pcre2_match_context_create(NULL);
		if (!p->seen || !p->md || !p->mctx) {
			perror("calloc");
			exit(2);
		}
		pcre2_set_match_limit(p->mctx, START_MATCH_LIMIT);
		return p;
	}
	vc_patterns_free(p);
	return NULL;
}

/* Keeps the first match of each pattern. */
static int
on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ctx)
{
	struct vc_patterns *p = ctx;
	(void)from;
	(void)flags;
	if (p->seen[id] || p->nhits == p->maxhits)
		return 0;
	p->seen[id] = 1;
	p->hits[p->nhits++] = (struct vc_pattern_hit){id, 0, (size_t)to};
	return 0;
}

/* The start of the leftmost match of pattern h->pattern that ends by
 * h->to, found with PCRE2 on the hit only (rare on normal traffic).
 * Should PCRE2 read the regex differently, the hit starts at its
 * sentence instead, at most 80 bytes back. */
static size_t
find_start(struct vc_patterns *p, const char *text, const struct vc_pattern_hit *h)
{
	struct pattern *pat = &p->pats[h->pattern];
	size_t from;

	if (!pat->start) {
		int e;
		PCRE2_SIZE off;
		pat->start = pcre2_compile((PCRE2_SPTR)pat->regex, PCRE2_ZERO_TERMINATED, 0, &e,
					   &off, NULL);
	}
	/* Matches are short: look in the last START_WINDOW bytes, with a
	 * step limit, so a crafted message cannot make this slow. */
	from = h->to > START_WINDOW ? h->to - START_WINDOW : 0;
	if (pat->start && pcre2_match(pat->start, (PCRE2_SPTR)text + from, h->to - from, 0, 0,
				      p->md, p->mctx) >= 0)
		return from + pcre2_get_ovector_pointer(p->md)[0];
	from = h->to > 80 ? h->to - 80 : 0;
	for (size_t k = h->to; k > from; k--)
		if (strchr(".!?\n", text[k - 1]))
			return k;
	return from;
}

size_t
vc_patterns_scan(struct vc_patterns *p, const char *text, size_t len, struct vc_pattern_hit *hits,
		 size_t max)
{
	p->hits = hits;
	p->nhits = 0;
	p->maxhits = max;
	/* Hyperscan takes an unsigned int length; the reader bounds records
	 * far below that, but a long text is scanned in its first 4 GiB. */
	if (len > 0xffffffffu)
		len = 0xffffffffu;
	hs_scan(p->db, text, (unsigned)len, 0, p->scratch, on_match, p);
	for (size_t i = 0; i < p->nhits; i++) {
		p->seen[hits[i].pattern] = 0;
		hits[i].from = VC_PATTERN_FROM_UNKNOWN;
		if (p->pats[hits[i].pattern].weight >= 0)
			hits[i].from = find_start(p, text, &hits[i]);
	}
	return p->nhits;
}

size_t
vc_patterns_hit_from(struct vc_patterns *p, const char *text, struct vc_pattern_hit *h)
{
	if (h->from == VC_PATTERN_FROM_UNKNOWN)
		h->from = find_start(p, text, h);
	return h->from;
}
