# vc-push-monitors: make bench (issue 7).  Timings against the fake API on
# 127.0.0.1, with a curl | jq listing of the same monitors as the baseline.

PUSH_MONITORS_N ?= 1000

bench:: $(OUTBIN)/vc-push-monitors
	@bench/push-monitors.sh $(OUTBIN)/vc-push-monitors $(PUSH_MONITORS_N)
