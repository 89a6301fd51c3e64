# vc-incident: transitions into an on-disk store vs. without --state, for
# many attackers with a few alerts each, then few attackers with many.

INC_BENCH_N ?= 100000

bench:: all
	@bench/incident.sh $(OUTBIN) $(INC_BENCH_N) 10000
	@bench/incident.sh $(OUTBIN) $(INC_BENCH_N) 100
