#!/usr/bin/env python3
"""browser.py URL CHECK.js SHOT.png [WANT] — load URL in Debian's headless
Chromium, evaluate CHECK.js in the page once it has loaded (its last
expression: an object {fails: [...], links: [...], ...}, or a Promise of
one; WANT, a JSON text, is the variable `want` in it), save a screenshot of
the whole page to SHOT.png and print the object as JSON.

Driven over the DevTools protocol on a pipe (--remote-debugging-pipe: fd 3
in, fd 4 out, NUL-separated JSON), so no port is opened. Exit 1 when a
check failed, a script on the page threw or logged an error (a
Content-Security-Policy refusal of the page's own script is one), or a
file: URL in links names no file."""
import base64
import fcntl
import json
import os
import subprocess
import sys
import tempfile
import urllib.parse

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--window-size=1280,900", "--remote-debugging-pipe"]


class Browser:
    def __init__(self, profile):
        # the child's ends, numbered above 4 so that moving them to 3 and 4
        # (the child's fds that subprocess keeps open) overwrites neither
        r, self.to_chrome = os.pipe()
        self.from_chrome, w = os.pipe()
        to_chrome_r, from_chrome_w = fcntl.fcntl(r, fcntl.F_DUPFD, 10), fcntl.fcntl(w, fcntl.F_DUPFD, 10)
        os.close(r)
        os.close(w)

        def fds():
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)
        self.proc = subprocess.Popen(["chromium", *FLAGS, "--user-data-dir=" + profile, "about:blank"],
                                     preexec_fn=fds, pass_fds=(3, 4),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def _read(self):
        while b"\0" not in self.buf:
            chunk = os.read(self.from_chrome, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, session=None, **params):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        while True:
            m = self._read()
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m["result"]
            self.events.append(m)

    def wait_event(self, method):
        for i, m in enumerate(self.events):
            if m.get("method") == method:
                return self.events.pop(i)
        while True:
            m = self._read()
            if m.get("method") == method:
                return m
            self.events.append(m)

    def close(self):
        try:
            self.call("Browser.close")
        except RuntimeError:
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def main():
    url, check_js, shot = sys.argv[1:4]
    want = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
    script = "var want = %s;\n%s" % (json.dumps(want), open(check_js).read())
    with tempfile.TemporaryDirectory() as profile:
        b = Browser(profile)
        try:
            target = b.call("Target.createTarget", url="about:blank")["targetId"]
            s = b.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            for domain in ("Page", "Runtime", "Log"):
                b.call(domain + ".enable", session=s)
            b.call("Page.navigate", session=s, url=url)
            b.wait_event("Page.loadEventFired")
            res = b.call("Runtime.evaluate", session=s, expression=script,
                         awaitPromise=True, returnByValue=True)
            if "exceptionDetails" in res:
                sys.exit("CHECK.js threw: %s" % json.dumps(res["exceptionDetails"])[:2000])
            out = res["result"].get("value") or {}
            height = b.call("Runtime.evaluate", session=s, returnByValue=True,
                            expression="document.documentElement.scrollHeight")["result"]["value"]
            b.call("Emulation.setDeviceMetricsOverride", session=s, width=1280,
                   height=min(max(int(height), 300), 8000), deviceScaleFactor=1, mobile=False)
            png = b.call("Page.captureScreenshot", session=s, format="png")["data"]
            with open(shot, "wb") as f:
                f.write(base64.b64decode(png))
            # what the page itself said: exceptions, console errors, CSP refusals
            b.call("Runtime.evaluate", session=s, expression="1")	# flush pending events
            page_errors = []
            for m in b.events:
                p = m.get("params", {})
                if m.get("method") == "Runtime.exceptionThrown":
                    page_errors.append(p["exceptionDetails"].get("text", "exception"))
                elif m.get("method") == "Log.entryAdded" and p["entry"]["level"] == "error":
                    page_errors.append(p["entry"]["text"])
                elif m.get("method") == "Runtime.consoleAPICalled" and p.get("type") == "error":
                    page_errors.append(json.dumps(p.get("args"))[:500])
        finally:
            b.close()
    fails = list(out.get("fails", []))
    fails += ["the page reported: " + e for e in page_errors]
    for link in out.get("links", []):
        u = urllib.parse.urlparse(link)
        if u.scheme != "file" or not os.path.isfile(urllib.parse.unquote(u.path)):
            fails.append("link does not resolve to a file: " + link)
    out["fails"] = fails
    print(json.dumps(out, indent=1))
    if not os.path.getsize(shot):
        fails.append("empty screenshot")
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
