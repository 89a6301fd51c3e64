#!/usr/bin/env python3
"""Writes N alert transitions as vc-eval-rules would, for vc-incident's bench:
KEYS attackers (sessions), each cycling alert, alert, ok, no_data, alert ...
with one evidence point per transition.  Usage: incident-gen.py N KEYS"""
import json
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
keys = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
cycle = ["alert", "alert", "ok", "no_data"]
monitor = {"id": "prompt-injection", "name": "Prompt injection",
           "query": "avg(last_5m):avg:llm.security.injection_attempt_score{*} by {session_id} > 0.7",
           "priority": 1}
out = sys.stdout
prev = {}
for i in range(n):
    k = i % keys
    step = i // keys
    status = cycle[step % len(cycle)]
    ts = 1764150000 + step * 60 + (k % 60)
    value = 0.75 + (k % 20) / 100 if status == "alert" else 0.2
    sid = "s-%d" % k
    rec = {"ts": ts, "monitor": monitor, "group": {"session_id": sid},
           "status": status, "previous": prev.get(k, "ok"), "value": value,
           "threshold": 0.7,
           "message": "Prompt injection from session %s @incident-prompt-injection" % sid,
           "handles": ["@incident-prompt-injection"],
           "evidence": [{"ts": ts - 5, "metric": "llm.security.injection_attempt_score",
                         "value": value,
                         "tags": {"session_id": sid, "user_id": "u-%d" % (k % 997),
                                  "service": "chatbot"}}]}
    prev[k] = status
    out.write(json.dumps(rec, separators=(",", ":")))
    out.write("\n")
