/*
 * vc-eval-prompt — how well vc-score-prompt's engine separates attacks
 * from benign messages, per data file: precision, recall, F1 and false-
 * positive rate at a threshold (0.7, the alert rule's), and ROC AUC.
 *
 * A file whose name starts with "jackhhao" is read only in its
 * jackhhao-test-* rows (its train rows made the model).  A file of one
 * class has no AUC of its own; it gets a second line, the AUC of its rows
 * against the other class of the jackhhao test rows (name that file
 * first).  Rows of a file
 * whose ids name attack families (garak-attacks) are also reported per
 * family: the id without its number, cut to the family's first two parts
 * (three for garak-encoding-*).
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pidata.h"
#include "piscore.h"

struct scored {
	double score;
	int label;
	char family[64];
};

struct counts {
	size_t tp, fp, tn, fn;
};

static int
by_score(const void *a, const void *b)
{
	double x = ((const struct scored *)a)->score;
	double y = ((const struct scored *)b)->score;
	return (x > y) - (x < y);
}

/* ROC AUC by the rank sum; ties count half.  Sorts s. */
static double
auc(struct scored *s, size_t n)
{
	double rank_sum = 0, pos = 0, neg = 0;
	qsort(s, n, sizeof *s, by_score);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && s[j].score == s[i].score)
			j++;
		for (size_t k = i; k < j; k++)
			if (s[k].label)
				rank_sum += (double)(i + j + 1) / 2;
		i = j;
	}
	for (size_t i = 0; i < n; i++)
		s[i].label ? pos++ : neg++;
	if (!pos || !neg)
		return NAN;
	return (rank_sum - pos * (pos + 1) / 2) / (pos * neg);
}

static void
family_of(const char *id, char *out, size_t cap)
{
	char buf[64];
	int parts = strncmp(id, "garak-encoding-", 15) ? 2 : 3, seen = 0;
	size_t i = 0;
	snprintf(buf, sizeof buf, "%s", id);
	for (; buf[i]; i++)
		if (buf[i] == '-' && ++seen == parts)
			break;
	buf[i] = '\0';
	snprintf(out, cap, "%s", buf);
}

static void
row(const char *name, const struct counts *c, double roc, size_t n)
{
	size_t pos = c->tp + c->fn, neg = c->fp + c->tn;
	char p[16] = "-", r[16] = "-", f1[16] = "-", fpr[16] = "-", a[16] = "-";
	double prec = c->tp + c->fp ? (double)c->tp / (c->tp + c->fp) : NAN;
	double rec = pos ? (double)c->tp / pos : NAN;
	if (!isnan(prec))
		snprintf(p, sizeof p, "%.3f", prec);
	if (!isnan(rec))
		snprintf(r, sizeof r, "%.3f", rec);
	if (!isnan(prec) && !isnan(rec) && prec + rec > 0)
		snprintf(f1, sizeof f1, "%.3f", 2 * prec * rec / (prec + rec));
	if (neg)
		snprintf(fpr, sizeof fpr, "%.3f", (double)c->fp / neg);
	if (!isnan(roc))
		snprintf(a, sizeof a, "%.4f", roc);
	printf("%-36s %5zu %5zu %5zu %9s %7s %7s %7s %7s\n", name, n, pos, neg, p, r, f1, fpr, a);
}

static void
count(struct counts *c, const struct scored *s, double threshold)
{
	int flagged = s->score >= threshold;
	if (s->label)
		flagged ? c->tp++ : c->fn++;
	else
		flagged ? c->fp++ : c->tn++;
}

/* The jackhhao test rows' scores, each class apart, for the AUC of a
 * file that has only one class (AUC needs both). */
static struct scored *ref[2];
static size_t nref[2];

static void
keep_reference(const struct scored *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int c = s[i].label;
		struct scored *grown = realloc(ref[c], (nref[c] + 1) * sizeof *grown);
		if (!grown)
			err(2, "realloc");
		ref[c] = grown;
		ref[c][nref[c]++] = s[i];
	}
}

/* For a file of one class: the AUC against the other class of the
 * jackhhao test rows. */
static void
reference_row(const struct scored *s, size_t n)
{
	int other = !s[0].label;
	struct scored *both = malloc((n + nref[other]) * sizeof *both);
	struct counts none = {0};
	char name[96];

	if (!both)
		err(2, "malloc");
	memcpy(both, s, n * sizeof *both);
	if (nref[other])
		memcpy(both + n, ref[other], nref[other] * sizeof *both);
	snprintf(name, sizeof name, "  vs jackhhao test %s", other ? "attacks" : "benign");
	row(name, &none, auc(both, n + nref[other]), n + nref[other]);
	free(both);
}

static void
evaluate(struct vc_piscore *eng, const char *path, double threshold)
{
	char *copy = strdup(path);
	const char *base = copy ? basename(copy) : path;
	int jack = !strncmp(base, "jackhhao", 8);
	size_t n;
	struct pirow *rows = pidata_read(path, jack ? "jackhhao-test-" : NULL, &n);
	struct scored *s = calloc(n ? n : 1, sizeof *s);
	struct counts all = {0};
	int families = 0;
	char name[96];

	if (!s)
		err(2, "calloc");
	for (size_t i = 0; i < n; i++) {
		struct vc_piresult r;
		vc_piscore_text(eng, rows[i].text, rows[i].len, &r);
		s[i].score = r.score;
		s[i].label = rows[i].label;
		family_of(rows[i].id, s[i].family, sizeof s[i].family);
		families |= i > 0 && strcmp(s[i].family, s[0].family);
		count(&all, &s[i], threshold);
	}
	/* "garak-attacks", or "jackhhao (test rows)": the file, short. */
	snprintf(name, sizeof name, "%.*s%s", jack ? 8 : (int)strcspn(base, "."), base,
		 jack ? " (test rows)" : "");
	if (jack)
		keep_reference(s, n);
	if (families && !jack) {
		char done[64][64];
		int ndone = 0;
		row(name, &all, auc(s, n), n);
		for (size_t i = 0; i < n; i++) {
			struct counts c = {0};
			size_t m = 0;
			int seen = 0;
			for (int k = 0; k < ndone; k++)
				seen |= !strcmp(done[k], s[i].family);
			if (seen || ndone == 64)
				continue;
			snprintf(done[ndone++], 64, "%s", s[i].family);
			for (size_t k = 0; k < n; k++)
				if (!strcmp(s[k].family, s[i].family)) {
					count(&c, &s[k], threshold);
					m++;
				}
			snprintf(name, sizeof name, "  %s", s[i].family);
			row(name, &c, NAN, m);
		}
	} else {
		row(name, &all, auc(s, n), n);
	}
	if (n && !jack && (all.tp + all.fn == 0 || all.fp + all.tn == 0) && nref[0] && nref[1])
		reference_row(s, n);
	free(s);
	free(copy);
	pidata_free(rows, n);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{"model", required_argument, NULL, 'm'},
		{"rules", required_argument, NULL, 'r'},
		{"threshold", required_argument, NULL, 't'},
		{NULL, 0, NULL, 0},
	};
	const char *rules = "share/vcobs/prompt/patterns.txt";
	const char *model = "share/vcobs/prompt/model.txt";
	double threshold = 0.7;
	char why[1024], *end;
	int c;

	while ((c = getopt_long(argc, argv, "hm:r:t:", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			model = optarg;
			break;
		case 'r':
			rules = optarg;
			break;
		case 't':
			errno = 0;
			threshold = strtod(optarg, &end);
			if (errno || *end || end == optarg || !(threshold >= 0 && threshold <= 1))
				errx(2, "--threshold: want a number from 0 to 1");
			break;
		default:
			fputs("usage: vc-eval-prompt [-m MODEL] [-r RULES] [-t THRESHOLD] "
			      "FILE.jsonl ...\n",
			      stderr);
			return 2;
		}
	}
	if (optind == argc)
		errx(2, "no data files named");
	struct vc_piscore *eng = vc_piscore_new(rules, model, why, sizeof why);
	if (!eng)
		errx(2, "%s", why);
	printf("threshold %.2f; rules %s; model %s\n", threshold, rules, model);
	printf("%-36s %5s %5s %5s %9s %7s %7s %7s %7s\n", "file", "rows", "atk", "ben", "precision",
	       "recall", "F1", "FPR", "AUC");
	for (int i = optind; i < argc; i++)
		evaluate(eng, argv[i], threshold);
	vc_piscore_free(eng);
	return 0;
}
