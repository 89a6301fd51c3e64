# vc-eval-rules: make bench (issue 5) — 1,000,000 points over 100,000 groups
# and the five shipped monitors, against jv_parse_sized on the same file.

EVAL_RULES_POINTS ?= 1000000

$(BUILD)/bench/eval-rules-jvparse: bench/eval-rules-jvparse.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -O2 -g -o $@ $< -ljq

bench:: $(OUTBIN)/vc-eval-rules $(BUILD)/bench/eval-rules-jvparse
	@VC_DATADIR=$(abspath share/vcobs) bench/eval-rules.sh $(OUTBIN)/vc-eval-rules \
		$(BUILD)/bench/eval-rules-jvparse $(BUILD)/bench $(EVAL_RULES_POINTS)
