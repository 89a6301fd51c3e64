# vc-score-prompt: the trainer and the evaluator of its model, and its
# benchmark (make train, make eval, make bench).

PI_DATA ?= ../shared/data/prompt-injection
PI_JACK = $(PI_DATA)/jackhhao-jailbreak-classification.jsonl
PI_MODEL = share/vcobs/prompt/model.txt
PI_RULES = share/vcobs/prompt/patterns.txt
PI_LOOKALIKES = tests/data/prompt-lookalikes.jsonl
PI_TRAIN = $(BUILD)/train/vc-train-prompt
PI_EVAL = $(BUILD)/eval/vc-eval-prompt
PI_ENGINES = $(BUILD)/bench/prompt-engines
PI_BENCH_LINES ?= 1000000

$(BUILD)/eval/vc-eval-prompt.o: ALL_CFLAGS += -Itrain

$(PI_TRAIN): $(BUILD)/train/vc-train-prompt.o $(BUILD)/train/pidata.o $(LIBVC)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(PI_EVAL): $(BUILD)/eval/vc-eval-prompt.o $(BUILD)/train/pidata.o $(LIBVC)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(PI_ENGINES): $(BUILD)/bench/prompt-engines.o $(LIBVC)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# Only the jackhhao-train-* rows: cross-validation figures first (to
# choose settings without evaluation data), then the committed weights,
# then the false positives on the hand-written look-alikes of attacks
# (a development set of our own, never training data).
train:: $(PI_TRAIN) $(PI_EVAL)
	@if [ -e $(PI_JACK) ]; then \
		$(PI_TRAIN) --cv 5 -p $(PI_RULES) $(PI_JACK) && \
		$(PI_TRAIN) -p $(PI_RULES) -o $(PI_MODEL) $(PI_JACK) && \
		$(PI_EVAL) -r $(PI_RULES) -m $(PI_MODEL) $(PI_LOOKALIKES) | tail -n 1; \
	else echo "train: $(PI_JACK) is absent; $(PI_MODEL) left as it is"; fi

eval:: $(PI_EVAL)
	@if [ -d $(PI_DATA) ]; then \
		$(PI_EVAL) -r $(PI_RULES) -m $(PI_MODEL) $(PI_JACK) \
			$(PI_DATA)/garak-attacks.jsonl $(PI_DATA)/wildguard-benign.jsonl \
			$(PI_LOOKALIKES); \
	else echo "eval: $(PI_DATA) is absent; nothing to evaluate"; fi

bench:: $(PI_ENGINES)
	@bench/score-prompt.sh $(OUTBIN) $(PI_ENGINES) $(PI_BENCH_LINES)

# The engine under libFuzzer (any bytes as a message text).
PI_FUZZ_SRC = tests/fuzz/fuzz_prompt.c lib/normalize.c lib/patterns.c lib/decode.c \
	lib/pimodel.c lib/piscore.c lib/buf.c lib/json.c lib/msg.c lib/xalloc.c

build-fuzz/fuzz_prompt: $(PI_FUZZ_SRC)
	@mkdir -p $(@D)
	clang $(FUZZ_FLAGS) $(PKG_CFLAGS) -o $@ $^ $(PKG_LIBS) -lm

fuzz:: build-fuzz/fuzz_prompt
	@mkdir -p build-fuzz/corpus-prompt
	build-fuzz/fuzz_prompt -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
		build-fuzz/corpus-prompt 2>&1 | tail -n 3
