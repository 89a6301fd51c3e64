#!/usr/bin/env python3
"""A stateful fake of Datadog's v1 monitor API, for vc-push-monitors' tests.

Listens on 127.0.0.1 only, on a free port it writes to --port-file.  Keeps
monitors in memory and answers as the real API does where it matters for
monitors as code: it fills in server defaults (include_tags, new_host_delay,
notify_audit, silenced, nulls), rewrites "metric alert" to "query alert",
turns integer thresholds into floats, trims names and messages, shuffles
key order, pages its listing (page, page_size, monitor_tags, name) and
sends X-RateLimit-* headers.  On demand (POST /_fake/config, /_fake/faults)
it answers 429 with rate-limit headers, 500, an HTML error page, stalls,
closes the connection, applies a write and then loses the answer, lists
nothing, or ignores paging.  A fault is {"method", "path" (a regular expression),
"skip" (matching requests let through first), "times", "status",
"headers", "errors", "html", "stall" (seconds), "close", "apply" (do the
write, then answer with the fault)}.  GET /_fake/log tells the tests what was asked (never the
keys, only whether they were right).

It stops by itself after --lifetime seconds or --max-requests requests.
Python 3 standard library only.
"""

import argparse
import json
import math
import os
import random
import re
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

MONITOR_TYPES = {
    "composite", "event alert", "log alert", "metric alert", "process alert",
    "query alert", "rum alert", "service check", "synthetics alert",
    "trace-analytics alert", "slo alert", "event-v2 alert", "audit alert",
    "ci-pipelines alert", "ci-tests alert", "error-tracking alert",
    "database-monitoring alert", "network-performance alert", "cost alert",
    "data-quality alert", "network-path alert", "data-jobs alert",
    "llm-observability alert",
}
READ_ONLY = {"id", "org_id", "creator", "created", "created_at", "modified",
             "deleted", "multi", "overall_state", "overall_state_modified",
             "state", "matching_downtimes"}
QUERY_TAIL = re.compile(r"(<=|>=|==|!=|<|>)\s*(-?[0-9]+(?:\.[0-9]+)?)\s*$")


class State:
    def __init__(self, api_key, app_key, seed):
        self.lock = threading.Lock()
        self.monitors = {}
        self.next_id = 1000 + seed % 1000
        self.rng = random.Random(seed)
        self.log = []
        self.faults = []
        self.api_key = api_key
        self.app_key = app_key
        self.empty_list = False
        self.ignore_paging = False
        self.write_limit = None  # (limit, period seconds)
        self.window = (None, 0)  # (window number, writes in it)
        self.requests = 0


def shuffled(rng, obj):
    """The same object with its keys in a random order, as a server that
    does not care about key order would send it."""
    if isinstance(obj, dict):
        keys = list(obj)
        rng.shuffle(keys)
        return {k: shuffled(rng, obj[k]) for k in keys}
    if isinstance(obj, list):
        return [shuffled(rng, v) for v in obj]
    return obj


def fill_defaults(mon, existing=None):
    """What the real API does to a monitor it stores."""
    out = dict(existing or {})
    for k, v in mon.items():
        if k in READ_ONLY:
            continue
        out[k] = v
    if out.get("type") == "metric alert":
        out["type"] = "query alert"
    for k in ("name", "message"):
        if isinstance(out.get(k), str):
            out[k] = out[k].strip()
    out.setdefault("message", "")
    out.setdefault("tags", [])
    out.setdefault("priority", None)
    out.setdefault("restricted_roles", None)
    out.setdefault("draft_status", "published")
    opts = dict(mon.get("options") or {}) if "options" in mon or not existing \
        else dict(out.get("options") or {})
    opts.setdefault("notify_no_data", False)
    opts.setdefault("notify_audit", False)
    opts.setdefault("new_host_delay", 300)
    opts.setdefault("include_tags", True)
    opts.setdefault("silenced", {})
    opts.setdefault("renotify_interval", None)
    opts.setdefault("escalation_message", "")
    thr = dict(opts.get("thresholds") or {})
    for k, v in list(thr.items()):
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            thr[k] = float(v)
    thr.setdefault("warning", None)
    opts["thresholds"] = thr
    out["options"] = opts
    out["multi"] = " by " in str(out.get("query", ""))
    return out


def validate(mon):
    """The errors the real validate endpoint would give, roughly."""
    if not isinstance(mon, dict):
        return ["Invalid monitor"]
    errs = []
    t = mon.get("type")
    if t is None:
        errs.append("Alert type is required.")
    elif t not in MONITOR_TYPES:
        errs.append("Invalid monitor type: %s" % t)
    q = mon.get("query")
    if not isinstance(q, str) or not q.strip():
        errs.append("The value provided for parameter 'query' is invalid")
        return errs
    m = QUERY_TAIL.search(q)
    if "garbage" in q or (t in ("metric alert", "query alert") and not m):
        errs.append("The value provided for parameter 'query' is invalid: "
                    "invalid operator specified: ")
        return errs
    crit = ((mon.get("options") or {}).get("thresholds") or {}).get("critical")
    if m and isinstance(crit, (int, float)) and float(crit) != float(m.group(2)):
        errs.append("The value provided for parameter 'query' is invalid: "
                    "critical threshold %s does not match the query's %s"
                    % (crit, m.group(2)))
    return errs


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-datadog/1"
    # Headers and body leave in two writes; with Nagle's algorithm and
    # the client's delayed ACK every answer would wait 40 ms.
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):  # quiet: the tests read /_fake/log
        pass

    # -- plumbing ---------------------------------------------------------

    def send_json(self, status, obj, headers=None):
        body = json.dumps(obj).encode() if obj is not None else b""
        self.send_raw(status, body, "application/json", headers)

    def send_raw(self, status, body, ctype, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, str(v))
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n > 1 << 20:
            return None, "body too large"
        raw = self.rfile.read(n) if n else b""
        if not raw:
            return None, None
        try:
            return json.loads(raw), None
        except ValueError:
            return None, "invalid JSON body"

    def rate_headers(self, is_write):
        st = self.server.state
        if not is_write or st.write_limit is None:
            return {"X-RateLimit-Limit": 1000, "X-RateLimit-Period": 10,
                    "X-RateLimit-Remaining": 999, "X-RateLimit-Reset": 10,
                    "X-RateLimit-Name": "monitors_read"}
        limit, period = st.write_limit
        now = time.time()
        win = int(now // period)
        if st.window[0] != win:
            st.window = (win, 0)
        reset = max(1, math.ceil((win + 1) * period - now))
        return {"X-RateLimit-Limit": limit, "X-RateLimit-Period": period,
                "X-RateLimit-Remaining": max(0, limit - st.window[1]),
                "X-RateLimit-Reset": reset,
                "X-RateLimit-Name": "monitors_write"}

    # -- dispatch ---------------------------------------------------------

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PUT(self):
        self.handle_any("PUT")

    def do_DELETE(self):
        self.handle_any("DELETE")

    def handle_any(self, method):
        st = self.server.state
        url = urlsplit(self.path)
        path = url.path
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        body, body_err = self.read_body()
        with st.lock:
            st.requests += 1
            if st.requests >= self.server.max_requests:
                threading.Thread(target=self.server.shutdown, daemon=True).start()
        if path.startswith("/_fake/"):
            with st.lock:
                self.control(method, path, query, body)
            return
        keys_ok = (self.headers.get("DD-API-KEY") == st.api_key and
                   self.headers.get("DD-APPLICATION-KEY") == st.app_key)
        is_write = method in ("PUT", "DELETE") or (
            method == "POST" and not path.endswith("/validate"))
        entry = {"method": method, "path": path, "query": query,
                 "body": body, "keys_ok": keys_ok,
                 "content_type": self.headers.get("Content-Type"),
                 "write": is_write, "time": time.time()}
        with st.lock:
            st.log.append(entry)
            fault = self.take_fault(method, path)
        if fault and fault.get("stall"):
            time.sleep(min(float(fault["stall"]), 30))
        if fault and fault.get("close"):
            entry["status"] = "closed"
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        with st.lock:
            rh = self.rate_headers(is_write)
            if fault and not fault.get("apply"):
                return self.send_fault(entry, fault, rh)
            if not keys_ok:
                entry["status"] = 403
                return self.send_json(403, {"errors": ["Forbidden"]}, rh)
            if is_write and st.write_limit is not None:
                if rh["X-RateLimit-Remaining"] <= 0:
                    entry["status"] = 429
                    return self.send_json(429, {"errors": ["Rate limit exceeded"]}, rh)
                st.window = (st.window[0], st.window[1] + 1)
                rh["X-RateLimit-Remaining"] -= 1
            if body_err:
                entry["status"] = 400
                return self.send_json(400, {"errors": [body_err]}, rh)
            status, obj = self.api(method, path, query, body)
            if fault:  # applied, then the answer is lost
                return self.send_fault(entry, fault, rh)
            entry["status"] = status
            self.send_json(status, obj, rh)

    def send_fault(self, entry, fault, rh):
        status = int(fault.get("status", 500))
        entry["status"] = status
        headers = dict(rh)
        headers.update(fault.get("headers") or {})
        if fault.get("html"):
            return self.send_raw(status, b"<html><body>Oops</body></html>",
                                 "text/html", headers)
        self.send_json(status, {"errors": fault.get("errors") or
                                ["fake fault %d" % status]}, headers)

    def take_fault(self, method, path):
        for f in self.server.state.faults:
            if f.get("method", method) != method:
                continue
            if not re.fullmatch(f.get("path", ".*"), path):
                continue
            if f.get("skip", 0) > 0:
                f["skip"] -= 1
                continue
            if f.get("times", 1) <= 0:
                continue
            f["times"] = f.get("times", 1) - 1
            return dict(f)
        return None

    # -- the monitor API --------------------------------------------------

    def api(self, method, path, query, body):
        st = self.server.state
        if path == "/api/v1/monitor" and method == "GET":
            return 200, self.list_monitors(query)
        if path == "/api/v1/monitor" and method == "POST":
            errs = validate(body)
            if errs:
                return 400, {"errors": errs}
            mon = fill_defaults(body)
            mon["id"] = st.next_id
            st.next_id += st.rng.randint(1, 97)
            mon.update({"org_id": 4242, "created": now_iso(),
                        "modified": now_iso(), "deleted": None,
                        "overall_state": "No Data",
                        "overall_state_modified": None,
                        "creator": {"email": "ci@example.com",
                                    "handle": "ci@example.com",
                                    "name": "CI", "id": 7}})
            st.monitors[mon["id"]] = mon
            return 200, shuffled(st.rng, mon)
        if path == "/api/v1/monitor/validate" and method == "POST":
            errs = validate(body)
            return (400, {"errors": errs}) if errs else (200, {})
        m = re.fullmatch(r"/api/v1/monitor/([0-9]+)(/validate)?", path)
        if not m:
            return 404, {"errors": ["Not found"]}
        mid = int(m.group(1))
        if m.group(2):
            if method != "POST":
                return 405, {"errors": ["Method not allowed"]}
            if mid not in st.monitors:
                return 404, {"errors": ["Monitor not found"]}
            merged = dict(st.monitors[mid])
            merged.update(body or {})
            errs = validate(merged)
            return (400, {"errors": errs}) if errs else (200, {})
        if mid not in st.monitors:
            return 404, {"errors": ["Monitor not found"]}
        if method == "GET":
            return 200, shuffled(st.rng, st.monitors[mid])
        if method == "PUT":
            if not isinstance(body, dict):
                return 400, {"errors": ["Invalid monitor"]}
            merged = dict(st.monitors[mid])
            merged.update(body)
            errs = validate(merged)
            if errs:
                return 400, {"errors": errs}
            mon = fill_defaults(body, st.monitors[mid])
            mon["modified"] = now_iso()
            st.monitors[mid] = mon
            return 200, shuffled(st.rng, mon)
        if method == "DELETE":
            del st.monitors[mid]
            return 200, {"deleted_monitor_id": mid}
        return 405, {"errors": ["Method not allowed"]}

    def list_monitors(self, query):
        st = self.server.state
        if st.empty_list:
            # true: every listing is empty; a number: the next N are.
            if st.empty_list is not True:
                st.empty_list -= 1
            return []
        mons = sorted(st.monitors.values(), key=lambda m: m["id"])
        want = [t for t in query.get("monitor_tags", "").split(",") if t]
        if want:
            mons = [m for m in mons if all(t in m.get("tags", []) for t in want)]
        if "name" in query:
            needle = query["name"].lower()
            mons = [m for m in mons if needle in m.get("name", "").lower()]
        if "page" in query and not st.ignore_paging:
            page = int(query["page"])
            size = min(int(query.get("page_size", 100)), 1000)
            mons = mons[page * size:(page + 1) * size]
        return [shuffled(st.rng, m) for m in mons]

    # -- control ----------------------------------------------------------

    def control(self, method, path, query, body):
        st = self.server.state
        if path == "/_fake/log" and method == "GET":
            return self.send_json(200, st.log)
        if path == "/_fake/log" and method == "DELETE":
            st.log = []
            return self.send_json(200, {})
        if path == "/_fake/monitors" and method == "GET":
            return self.send_json(200, sorted(st.monitors.values(),
                                              key=lambda m: m["id"]))
        if path == "/_fake/monitors" and method == "POST":
            # Seeds monitors (one or a list) as if made in the UI.
            for mon in body if isinstance(body, list) else [body]:
                mon = fill_defaults(mon)
                mon["id"] = st.next_id
                st.next_id += 1
                st.monitors[mon["id"]] = mon
            return self.send_json(200, {})
        m = re.fullmatch(r"/_fake/monitors/([0-9]+)", path)
        if m and method == "PUT":
            # Edits a stored monitor behind the tool's back (UI drift).
            mid = int(m.group(1))
            if mid not in st.monitors:
                return self.send_json(404, {})
            st.monitors[mid] = fill_defaults(body, st.monitors[mid])
            return self.send_json(200, st.monitors[mid])
        if path == "/_fake/faults" and method == "POST":
            st.faults = body if isinstance(body, list) else [body]
            return self.send_json(200, {})
        if path == "/_fake/config" and method == "POST":
            if "empty_list" in body:
                st.empty_list = body["empty_list"]
            if "ignore_paging" in body:
                st.ignore_paging = bool(body["ignore_paging"])
            if "write_limit" in body:
                wl = body["write_limit"]
                st.write_limit = (int(wl["limit"]), float(wl["period"])) if wl else None
                st.window = (None, 0)
            return self.send_json(200, {})
        self.send_json(404, {"errors": ["no such control"]})


def now_iso():
    return time.strftime("%Y-%m-%dT%H:%M:%S.000000+00:00", time.gmtime())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--lifetime", type=float, default=120)
    ap.add_argument("--max-requests", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.state = State(os.environ.get("FAKE_DD_API_KEY", "fake-api-key"),
                      os.environ.get("FAKE_DD_APP_KEY", "fake-app-key"), a.seed)
    srv.max_requests = a.max_requests
    timer = threading.Timer(a.lifetime, srv.shutdown)
    timer.daemon = True
    timer.start()
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, a.port_file)
    try:
        srv.serve_forever(poll_interval=0.1)
    finally:
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
