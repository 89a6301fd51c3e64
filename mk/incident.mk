# vc-incident: transitions into an on-disk store vs. without --state.

INC_BENCH_N ?= 100000
INC_BENCH_KEYS ?= 10000

bench:: all
	@bench/incident.sh $(OUTBIN) $(INC_BENCH_N) $(INC_BENCH_KEYS)
