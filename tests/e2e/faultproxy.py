#!/usr/bin/env python3
"""faultproxy.py — a fault-injecting HTTP front end for the e2e mirror.

Listens on a free 127.0.0.1 port (written to --port-file), forwards GET and
HEAD to --upstream (the nginx e2e mirror), and breaks chosen requests the way
real mirrors break: by request path pattern and by attempt number.

Rules file (re-read on every request; counters restart when it changes), one
rule a line, first match wins, '#' starts a comment:

    PATTERN   ATTEMPTS  ACTION [ARG]

  PATTERN   fnmatch pattern on the request path, e.g. */InRelease, *Packages*
  ATTEMPTS  which requests of that path: *, 2, 1-3, 2- (1-based, per path)
  ACTION    pass             forward untouched
            500 | 503 | 404  answer with that status (any 3-digit code)
            429 [WAIT]       429 with Retry-After: WAIT (seconds or HTTP date; default 1)
            reset            read the request, then reset the connection (RST)
            stall [SECS]     send headers and 1 KiB of body, then go silent SECS (default 600)
            truncate [N]     announce the full length, send N bytes (default half), close
            tamper           flip one byte in the middle of the body (same length)
            endless          answer 200 with no length and a body that never ends
                             (until the client hangs up)
            serve FILE       answer 200 with FILE's bytes instead (a stale index, a
                             file changed between requests)

Every request is logged to --log as one tab-separated line:
    epoch  method  path  attempt  action  status  body_bytes_sent
Python 3 standard library only.
"""
import argparse
import fnmatch
import http.client
import os
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PASS_HEADERS_UP = ("If-None-Match", "If-Modified-Since", "Range", "User-Agent", "Accept")
PASS_HEADERS_DOWN = ("Content-Type", "ETag", "Last-Modified", "Content-Range", "Accept-Ranges")


class Rules:
    def __init__(self, path):
        self.path = path
        self.text = None
        self.rules = []
        self.counts = {}
        self.lock = threading.Lock()

    def _reload(self):
        try:
            with open(self.path) as f:
                text = f.read()
        except FileNotFoundError:
            text = ""
        if text == self.text:
            return
        self.text = text
        self.counts = {}
        self.rules = []
        for n, line in enumerate(text.splitlines(), 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            f = line.split(None, 3)
            if len(f) < 3:
                raise ValueError("%s:%d: want PATTERN ATTEMPTS ACTION [ARG]" % (self.path, n))
            self.rules.append((f[0], self._range(f[1]), f[2], f[3] if len(f) > 3 else None))

    @staticmethod
    def _range(s):
        if s == "*":
            return (1, None)
        if s.endswith("-"):
            return (int(s[:-1]), None)
        if "-" in s:
            a, b = s.split("-", 1)
            return (int(a), int(b))
        return (int(s), int(s))

    def match(self, path):
        """Count this request of path; return (attempt, action, arg)."""
        with self.lock:
            self._reload()
            attempt = self.counts.get(path, 0) + 1
            self.counts[path] = attempt
            for pat, (lo, hi), action, arg in self.rules:
                if fnmatch.fnmatchcase(path, pat) and attempt >= lo and (hi is None or attempt <= hi):
                    return attempt, action, arg
            return attempt, "pass", None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "faultproxy/1"

    def log_message(self, fmt, *args):  # quiet: we keep our own log
        pass

    def _log(self, attempt, action, status, sent):
        line = "%.3f\t%s\t%s\t%d\t%s\t%s\t%d\n" % (
            time.time(), self.command, self.path, attempt, action, status, sent)
        with self.server.log_lock:
            with open(self.server.log_path, "a") as f:
                f.write(line)

    def _upstream(self):
        u = self.server.upstream
        conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=60)
        headers = {h: self.headers[h] for h in PASS_HEADERS_UP if self.headers.get(h)}
        conn.request(self.command, u.path.rstrip("/") + self.path, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        return resp, body

    def _send(self, status, body, headers=(), length=None):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()

    def _reset(self):
        # SO_LINGER with a zero timeout turns close() into a RST.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        attempt, action, arg = self.server.rules.match(self.path)
        head = self.command == "HEAD"
        sent = 0
        status = "-"
        try:
            if action == "reset":
                self._reset()
                status = "RST"
                return
            if action.isdigit() and len(action) == 3 and action != "429":
                body = ("fault: %s\n" % action).encode()
                self._send(int(action), body)
                if not head:
                    self.wfile.write(body)
                    sent = len(body)
                status = action
                return
            if action == "429":
                body = b"slow down\n"
                self._send(429, body, [("Retry-After", arg or "1")])
                if not head:
                    self.wfile.write(body)
                    sent = len(body)
                status = "429"
                return
            if action == "endless":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                status = "200-endless"
                block = b"[" * 65536
                while not head and not self.server.stopping:
                    self.wfile.write(block)
                    sent += len(block)
                self.close_connection = True
                return
            if action == "serve":
                with open(arg, "rb") as f:
                    body = f.read()
                self._send(200, body, [("Content-Type", "application/octet-stream")])
                if not head:
                    self.wfile.write(body)
                    sent = len(body)
                status = "200"
                return
            resp, body = self._upstream()
            status = str(resp.status)
            headers = [(h, resp.getheader(h)) for h in PASS_HEADERS_DOWN if resp.getheader(h)]
            if action == "pass" or resp.status != 200:
                self._send(resp.status, body, headers)
                if not head and resp.status != 304:
                    self.wfile.write(body)
                    sent = len(body)
                return
            if action == "tamper":
                if body:
                    mid = len(body) // 2
                    body = body[:mid] + bytes([body[mid] ^ 0x20]) + body[mid + 1:]
                self._send(200, body, headers)
                if not head:
                    self.wfile.write(body)
                    sent = len(body)
                return
            if action == "truncate":
                n = int(arg) if arg else len(body) // 2
                n = min(n, max(len(body) - 1, 0))
                self._send(200, body, headers)
                if not head:
                    self.wfile.write(body[:n])
                    sent = n
                self.wfile.flush()
                self.close_connection = True
                status = "200-truncated"
                return
            if action == "stall":
                secs = float(arg) if arg else 600.0
                self._send(200, body, headers)
                if not head:
                    part = body[:1024]
                    self.wfile.write(part)
                    sent = len(part)
                self.wfile.flush()
                status = "200-stalled"
                deadline = time.time() + secs
                while time.time() < deadline and not self.server.stopping:
                    time.sleep(0.2)
                self.close_connection = True
                return
            raise ValueError("unknown action %r" % action)
        except (BrokenPipeError, ConnectionResetError):
            status += "-clientgone"
        finally:
            self._log(attempt, action, status, sent)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--upstream", required=True, help="http://127.0.0.1:PORT of the mirror")
    ap.add_argument("--rules", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--port-file", required=True)
    a = ap.parse_args()

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.upstream = urllib.parse.urlsplit(a.upstream)
    srv.rules = Rules(a.rules)
    srv.log_path = a.log
    srv.log_lock = threading.Lock()
    srv.stopping = False
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, a.port_file)
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        srv.stopping = True
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
