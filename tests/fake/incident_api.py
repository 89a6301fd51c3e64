#!/usr/bin/env python3
"""A small stateful fake of the three places vc-incident posts to, for its
tests: Datadog's Incidents API v2 (POST /api/v2/incidents, PATCH
/api/v2/incidents/ID, POST /api/v2/incidents/ID/relationships/todos),
PagerDuty's Events API v2 (POST /v2/enqueue) and a webhook (POST /hook).

Listens on 127.0.0.1 only, on a free port written to --port-file.  Keeps
created incidents in memory (a PATCH of an unknown id is a 404).  Checks
the keys it is given (--api-key, --app-key, --routing-key) and answers 403
when they are wrong.  --faults takes a comma-separated script applied to
the first requests in order: "ok", a status ("500", "503"), "429" (with
Retry-After: 0 and X-RateLimit-Reset: 1), "stall" (answers after 3 s) or
"html500" (a 500 with an HTML page, as Datadog's edge sends); --always
STATUS fails every request; --stall-on TEXT stalls every request whose
body contains TEXT (a post that always times out).  Each request is appended to --log as one JSON
line {"method", "path", "keys_ok", "body", "answer"} — never the keys.

Stops by itself after --lifetime seconds or --max-requests requests.
Python 3 standard library only.
"""

import argparse
import json
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.args = args
        self.faults = [f for f in args.faults.split(",") if f] if args.faults else []
        self.incidents = {}
        self.next_id = 1
        self.requests = 0


def make_handler(state, server_ref):
    args = state.args

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):  # quiet
            pass

        def answer(self, status, body, headers=None):
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            ctype = "text/html" if isinstance(body, str) else "application/json"
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
            return status

        def keys_ok(self, body):
            if self.path.startswith("/api/"):
                return (self.headers.get("DD-API-KEY") == args.api_key and
                        self.headers.get("DD-APPLICATION-KEY") == args.app_key)
            if self.path.startswith("/v2/enqueue"):
                return isinstance(body, dict) and body.get("routing_key") == args.routing_key
            return True

        def route(self, body):
            path = self.path.split("?")[0]
            if self.command == "POST" and path == "/api/v2/incidents":
                with state.lock:
                    iid = "00000000-0000-4000-8000-%012d" % state.next_id
                    state.next_id += 1
                    state.incidents[iid] = {"todos": 0}
                attrs = (body or {}).get("data", {}).get("attributes", {})
                return self.answer(201, {"data": {"id": iid, "type": "incidents",
                                                  "attributes": {"title": attrs.get("title"),
                                                                 "public_id": state.next_id}}})
            m = re.fullmatch(r"/api/v2/incidents/([^/]+)", path)
            if self.command == "PATCH" and m:
                if m.group(1) not in state.incidents:
                    return self.answer(404, {"errors": ["Incident not found"]})
                return self.answer(200, {"data": {"id": m.group(1), "type": "incidents"}})
            m = re.fullmatch(r"/api/v2/incidents/([^/]+)/relationships/todos", path)
            if self.command == "POST" and m:
                if m.group(1) not in state.incidents:
                    return self.answer(404, {"errors": ["Incident not found"]})
                state.incidents[m.group(1)]["todos"] += 1
                return self.answer(201, {"data": {"id": "todo-%d" % state.incidents[m.group(1)]["todos"],
                                                  "type": "incident_todos"}})
            if self.command == "POST" and path == "/v2/enqueue":
                if not isinstance(body, dict) or body.get("event_action") not in ("trigger", "acknowledge", "resolve"):
                    return self.answer(400, {"status": "invalid event", "errors": ["bad event_action"]})
                return self.answer(202, {"status": "success", "message": "Event processed",
                                         "dedup_key": body.get("dedup_key")})
            if self.command == "POST" and path.startswith("/hook"):
                return self.answer(200, "ok")
            return self.answer(404, {"errors": ["no route"]})

        def handle_any(self):
            n = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(n) if n else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode("utf-8", "replace")
            with state.lock:
                state.requests += 1
                fault = state.faults.pop(0) if state.faults else None
                last = state.requests >= args.max_requests
            ok = self.keys_ok(body)
            if args.always:
                status = self.answer(int(args.always), {"errors": ["always failing"]})
            elif fault == "stall" or (args.stall_on and args.stall_on in raw.decode("utf-8", "replace")):
                time.sleep(3)
                status = self.answer(503, {"errors": ["stalled"]})
            elif fault == "429":
                status = self.answer(429, {"errors": ["Rate limit exceeded"]},
                                     {"Retry-After": "0", "X-RateLimit-Limit": "10",
                                      "X-RateLimit-Period": "10", "X-RateLimit-Remaining": "0",
                                      "X-RateLimit-Reset": "1"})
            elif fault == "html500":
                status = self.answer(500, "<html><body><h1>500 Internal Server Error</h1></body></html>")
            elif fault and fault != "ok":
                status = self.answer(int(fault), {"errors": ["injected %s" % fault]})
            elif not ok:
                status = self.answer(403, {"errors": ["Forbidden"]})
            else:
                status = self.route(body)
            with open(args.log, "a") as f:
                f.write(json.dumps({"method": self.command, "path": self.path, "keys_ok": ok,
                                    "body": body, "answer": status}) + "\n")
            if last:
                threading.Thread(target=server_ref[0].shutdown, daemon=True).start()

        do_POST = do_PATCH = do_GET = do_PUT = do_DELETE = handle_any

    return Handler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--api-key", default="test-api-key")
    ap.add_argument("--app-key", default="test-app-key")
    ap.add_argument("--routing-key", default="test-routing-key")
    ap.add_argument("--faults", default="")
    ap.add_argument("--always", default="")
    ap.add_argument("--stall-on", default="")
    ap.add_argument("--max-requests", type=int, default=200)
    ap.add_argument("--lifetime", type=float, default=60)
    args = ap.parse_args()
    state = State(args)
    ref = [None]
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state, ref))
    server.daemon_threads = True
    ref[0] = server
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, args.port_file)
    timer = threading.Timer(args.lifetime, server.shutdown)
    timer.daemon = True
    timer.start()
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
