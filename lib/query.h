/*
 * query.h — Datadog's metric monitor query language.
 *
 *   time_aggr(window):expr comparator threshold
 *   change_aggr(time_aggr(window),timeshift):expr comparator threshold
 *
 * expr is arithmetic (+ - * /, parentheses, constants) over series
 * "space_aggr:metric{filter} [by {k1,k2}] [.method(...)]" and the
 * functions abs(), default_zero(), per_second(), per_minute(),
 * per_hour().  Filters are "*", the symbolic form (key:value, !key:value,
 * bare tags, '*' wildcards in values, ',' for AND) or the boolean form
 * (AND, OR, NOT, IN, NOT IN, parentheses), never both in one filter.
 *
 * What Datadog accepts but vcobs cannot evaluate (anomalies(), forecast(),
 * outliers(), timeshift functions, distribution aggregations, cumulative
 * windows, dynamic thresholds ...) fails to parse with err->unsupported set,
 * so it is never evaluated wrongly.
 */
#ifndef VC_QUERY_H
#define VC_QUERY_H

#include <stddef.h>

#include "json.h"

enum vc_agg {
	VC_AGG_AVG = 0,
	VC_AGG_SUM,
	VC_AGG_MIN,
	VC_AGG_MAX,
	VC_AGG_COUNT, /* in .rollup() only */
};

enum vc_cmp {
	VC_CMP_GT = 0,
	VC_CMP_GE,
	VC_CMP_LT,
	VC_CMP_LE,
	VC_CMP_EQ,
	VC_CMP_NE,
};

enum vc_change {
	VC_CHANGE_NONE = 0,
	VC_CHANGE_ABS, /* change(): now minus then */
	VC_CHANGE_PCT, /* pct_change(): 100 * (now - then) / then */
};

enum vc_fill {
	VC_FILL_NONE = 0, /* no .fill(): empty buckets stay empty */
	VC_FILL_NULL,
	VC_FILL_ZERO,
	VC_FILL_LINEAR,
	VC_FILL_LAST,
};

enum vc_filter_kind {
	VC_FILTER_ALL = 0, /* "*" */
	VC_FILTER_TAG,     /* key:value, key, key:pre*fix */
	VC_FILTER_IN,      /* key IN (v1, v2) */
	VC_FILTER_NOT,
	VC_FILTER_AND,
	VC_FILTER_OR,
};

struct vc_filter {
	enum vc_filter_kind kind;
	char *key;     /* TAG, IN */
	char *value;   /* TAG: NULL for a bare tag (the key must exist) */
	char **values; /* IN */
	size_t nvalues;
	struct vc_filter *a, *b; /* NOT: a; AND, OR: a and b */
};

struct vc_series {
	enum vc_agg space; /* avg, sum, min or max */
	char *metric;
	struct vc_filter *filter;
	char **by;
	size_t nby;
	int as_count, as_rate;
	int has_rollup;
	enum vc_agg rollup;    /* with has_rollup: the in-bucket statistic */
	double rollup_seconds; /* 0 when not given */
	enum vc_fill fill;
	double fill_seconds; /* 0 when not given */
	size_t col;          /* offset of the series in the query text */
};

enum vc_expr_kind {
	VC_EXPR_NUMBER = 0,
	VC_EXPR_SERIES,
	VC_EXPR_NEG,
	VC_EXPR_ADD,
	VC_EXPR_SUB,
	VC_EXPR_MUL,
	VC_EXPR_DIV,
	VC_EXPR_ABS,
	VC_EXPR_DEFAULT_ZERO,
	VC_EXPR_PER_SECOND,
	VC_EXPR_PER_MINUTE,
	VC_EXPR_PER_HOUR,
};

struct vc_expr {
	enum vc_expr_kind kind;
	double number;         /* NUMBER */
	size_t series;         /* SERIES: index into vc_query.series */
	struct vc_expr *a, *b; /* operands; functions and NEG use a */
};

struct vc_query {
	char *text;
	enum vc_change change;
	enum vc_agg time_aggr; /* avg, sum, min or max */
	double window;         /* seconds */
	char window_unit;      /* 'm', 'h', 'd' or 'w', as written */
	double timeshift;      /* seconds; change() and pct_change() */
	struct vc_expr *expr;
	struct vc_series *series;
	size_t nseries;
	/* The group-by keys, the same for every series (in the order of the
	 * first series); nby 0 for a simple alert. */
	char **by;
	size_t nby;
	int as_count; /* some series has .as_count() */
	enum vc_cmp cmp;
	double threshold;
	size_t threshold_col; /* offset of the threshold in text */
};

struct vc_query_error {
	size_t col;      /* byte offset into the query text, from 0 */
	int unsupported; /* Datadog accepts it, vcobs cannot evaluate it */
	char why[160];
};

/* Parses text; returns the query (free with vc_query_free) or NULL with
 * *err filled. */
struct vc_query *vc_query_parse(const char *text, struct vc_query_error *err);
void vc_query_free(struct vc_query *q);

/* Parses the tag filter that starts at text[*pos], just after its '{',
 * through its '}'; returns it and moves *pos past the '}', or returns NULL
 * with *err filled (filter.c). */
struct vc_filter *vc_filter_parse(const char *text, size_t *pos, struct vc_query_error *err);
void vc_filter_free(struct vc_filter *f);

/* Whether a point's tags (a JSON object of string values; numbers and
 * booleans match their JSON spelling) pass the filter.  tags of type
 * VC_JSON_NONE is an empty tag set. */
int vc_filter_match(const struct vc_filter *f, struct vc_json_span tags);

/* Glob match of a tag value with '*' wildcards. */
int vc_query_glob(const char *pat, const char *s, size_t n);

const char *vc_agg_name(enum vc_agg a);
const char *vc_cmp_name(enum vc_cmp c);
/* Whether v meets "v cmp threshold". */
int vc_cmp_holds(enum vc_cmp c, double v, double threshold);

#endif
