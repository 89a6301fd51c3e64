#!/usr/bin/env python3
"""Writes N metric points (default 1,000,000) over 100,000 groups for the
five shipped monitors: 60% injection scores of 60,000 chat sessions, 30%
tryon.security.* counts of 40,000 try-on users, 10% cost, quality and
prediction points of 4 services; one point per millisecond of event time."""
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000
rnd = random.Random(42)
t0 = 1764150000
out = sys.stdout
services = ["chatbotservice", "shop", "search", "checkout"]
kinds = ["decompression_bomb", "polyglot", "invalid_image", "unsupported"]
lines = []
for i in range(n):
    ts = t0 + i / 1000
    r = rnd.random()
    if r < 0.6:
        s = rnd.randrange(60000)
        score = 0.95 if rnd.random() < 0.001 else round(rnd.random() * 0.5, 3)
        lines.append('{"ts":%.3f,"metric":"llm.security.injection_attempt_score","value":%s,'
                     '"tags":{"session_id":"s-%d","user_id":"u-%d","service":"chatbotservice"},'
                     '"categories":[]}' % (ts, score, s, s % 5000))
    elif r < 0.9:
        u = rnd.randrange(40000)
        kind = "security." + rnd.choice(kinds)
        lines.append('{"ts":%.3f,"metric":"tryon.%s","value":1,'
                     '"tags":{"user_id":"tu-%d","service":"tryonservice"},"path":"up/%d.png"}'
                     % (ts, kind, u, i))
    else:
        m = rnd.choice(["llm.cost_per_conversion", "llm.response.quality_score",
                        "llm.prediction.error_probability"])
        lines.append('{"ts":%.3f,"metric":"%s","value":%.3f,"tags":{"service":"%s"}}'
                     % (ts, m, rnd.random() * (12 if "cost" in m else 1), rnd.choice(services)))
    if len(lines) >= 10000:
        out.write("\n".join(lines) + "\n")
        lines = []
if lines:
    out.write("\n".join(lines) + "\n")
