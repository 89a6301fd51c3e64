# The record layer's benchmark and fuzz target.

BENCH_LINES ?= 1000000

$(BUILD)/bench/reader: bench/reader.c $(LIBVC)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBVC) $(LIBS)

bench:: $(BUILD)/bench/reader
	@bench/foundation.sh $(BUILD)/bench/reader $(BENCH_LINES)

FUZZ_SECONDS ?= 60
FUZZ_FLAGS = -std=c11 -D_GNU_SOURCE -g -O1 -Ilib -fsanitize=fuzzer,address,undefined

build-fuzz/fuzz_json: tests/fuzz/fuzz_json.c lib/json.c lib/buf.c lib/msg.c
	@mkdir -p $(@D)
	clang $(FUZZ_FLAGS) -o $@ $^

fuzz:: build-fuzz/fuzz_json
	@mkdir -p build-fuzz/corpus-json
	build-fuzz/fuzz_json -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
		build-fuzz/corpus-json tests/fuzz/corpus/json 2>&1 | tail -n 3
