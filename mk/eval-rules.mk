# vc-eval-rules: make bench (issue 5) — 1,000,000 points over 100,000 groups
# and the five shipped monitors, against jv_parse_sized on the same file.

EVAL_RULES_POINTS ?= 1000000

$(BUILD)/bench/eval-rules-jvparse: bench/eval-rules-jvparse.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -O2 -g -o $@ $< -ljq

bench:: $(OUTBIN)/vc-eval-rules $(BUILD)/bench/eval-rules-jvparse
	@VC_DATADIR=$(abspath share/vcobs) bench/eval-rules.sh $(OUTBIN)/vc-eval-rules \
		$(BUILD)/bench/eval-rules-jvparse $(BUILD)/bench $(EVAL_RULES_POINTS)

# The query, filter and template parsers under libFuzzer.
EVAL_RULES_QUERY_SRC = lib/query.c lib/query_lex.c lib/query_series.c lib/query_expr.c lib/filter.c
EVAL_RULES_FUZZ_SRC = $(EVAL_RULES_QUERY_SRC) lib/template.c lib/monitor.c lib/json.c \
	lib/buf.c lib/msg.c lib/xalloc.c

build-fuzz/fuzz_query: tests/fuzz/fuzz_query.c $(EVAL_RULES_FUZZ_SRC)
	@mkdir -p $(@D)
	clang $(FUZZ_FLAGS) -o $@ $^ -ljq

fuzz:: build-fuzz/fuzz_query
	@mkdir -p build-fuzz/corpus-query
	build-fuzz/fuzz_query -max_total_time=$(FUZZ_SECONDS) -max_len=1024 \
		build-fuzz/corpus-query tests/fuzz/corpus/query 2>&1 | tail -n 3

build-fuzz/fuzz_monitor: tests/fuzz/fuzz_monitor.c lib/monitor.c lib/monitor_check.c \
		$(EVAL_RULES_FUZZ_SRC)
	@mkdir -p $(@D)
	clang $(FUZZ_FLAGS) -o $@ $(filter %.c,$(sort $^)) -ljq

fuzz:: build-fuzz/fuzz_monitor
	@mkdir -p build-fuzz/corpus-monitor
	build-fuzz/fuzz_monitor -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -close_fd_mask=2 \
		build-fuzz/corpus-monitor tests/fuzz/corpus/monitor 2>&1 | tail -n 3

EVAL_RULES_EVAL_SRC = lib/evaluator.c lib/evgroup.c lib/point.c lib/window.c lib/transition.c \
	lib/slab.c lib/monitor.c lib/monitor_check.c $(EVAL_RULES_QUERY_SRC) lib/template.c \
	lib/json.c lib/vtime.c lib/buf.c lib/msg.c lib/xalloc.c

build-fuzz/fuzz_eval: tests/fuzz/fuzz_eval.c $(EVAL_RULES_EVAL_SRC)
	@mkdir -p $(@D)
	clang $(FUZZ_FLAGS) -o $@ $^ -ljq -lm

fuzz:: build-fuzz/fuzz_eval
	@mkdir -p build-fuzz/corpus-eval
	build-fuzz/fuzz_eval -max_total_time=$(FUZZ_SECONDS) -max_len=8192 \
		build-fuzz/corpus-eval tests/fuzz/corpus/eval 2>&1 | tail -n 3
