"""Headless Chromium driven through its DevTools protocol, for the book's PDF and browser test.

Used by ``tools/book_pdf.py`` (prints the book) and ``tests/test_book_browser.py`` (checks what a
reader sees). Only Debian's ``chromium`` and ``websocket-client`` are needed: every check is one
protocol command (``Page.printToPDF``, ``Runtime.evaluate``, ``Input.dispatchKeyEvent``,
``Emulation.setEmulatedMedia``, ``Network`` events), so no browser-automation framework sits in
between. Chromium always starts with a fresh profile and with its background networking off
(the machines running this have no network but the package registries).

Why not Playwright (which can drive ``/usr/bin/chromium`` through ``executable_path``): it would
add a package of its own Node.js driver pinned to the Chromium versions it was released with, for
checks that are each a single protocol call here; the PDF tool needs the same client anyway
(``Page.printToPDF`` with ``generateDocumentOutline``), and axe-core is injected as plain JavaScript.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage",
         "--disable-quic", "--window-size=1280,900", "--remote-debugging-port=0"]

MISSING = ("Chromium is not installed. Run `make browser` as root (it uses apt-get install chromium), "
           "or install the 'chromium' package, or set CHROMIUM=/path/to/chrome.")


def find_chromium() -> str | None:
    """Path of the Chromium executable ($CHROMIUM first), or None."""
    for name in (os.environ.get("CHROMIUM", ""), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


class DevTools:
    """The smallest DevTools-protocol client: send a command, wait for its answer, keep events."""

    def __init__(self, ws_url: str):
        import websocket

        self.ws = websocket.create_connection(ws_url, timeout=120, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []

    def send(self, method: str, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def wait_event(self, method: str, timeout: float = 60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for i, ev in enumerate(self.events):
                if ev.get("method") == method:
                    return self.events.pop(i)
            self.events.append(json.loads(self.ws.recv()))
        raise TimeoutError(f"no {method} within {timeout} s")

    def drain(self, method: str) -> list[dict]:
        """Remove and return the events of one kind received so far."""
        kept, taken = [], []
        for ev in self.events:
            (taken if ev.get("method") == method else kept).append(ev)
        self.events = kept
        return taken

    def evaluate(self, expression: str):
        """Run JavaScript in the page (awaiting a promise) and return its JSON-decoded value."""
        result = self.send("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"JavaScript failed: {result['exceptionDetails'].get('exception', {}).get('description', result['exceptionDetails'])}")
        return result["result"].get("value")

    def navigate(self, url: str) -> None:
        """Load ``url`` and wait for its load event (the events of the previous page are dropped)."""
        self.events = [e for e in self.events if e.get("method", "").startswith("Network.")]
        self.send("Page.navigate", url=url)
        self.wait_event("Page.loadEventFired")

    def close(self):
        self.ws.close()


class ChromiumError(RuntimeError):
    """Chromium is missing or did not start."""


@contextlib.contextmanager
def chromium(width: int = 1280, height: int = 900):
    """Start headless Chromium with a fresh profile; yield a :class:`DevTools` on its first tab."""
    exe = find_chromium()
    if exe is None:
        raise ChromiumError(MISSING)
    profile = tempfile.mkdtemp(prefix="book-chromium-")
    log = tempfile.TemporaryFile()  # noqa: SIM115 -- open for the browser's lifetime; a file never blocks
    proc = subprocess.Popen([exe, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=log)
    tools = None
    try:
        port_file = Path(profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                err = log.read().decode(errors="replace")[-2000:]
                raise ChromiumError(f"Chromium ({exe}) did not start its DevTools endpoint:\n{err}")
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as r:
            target = next(t for t in json.load(r) if t["type"] == "page")
        tools = DevTools(target["webSocketDebuggerUrl"])
        tools.send("Page.enable")
        tools.send("Emulation.setDeviceMetricsOverride", width=width, height=height,
                   deviceScaleFactor=1, mobile=False)
        yield tools
    finally:
        if tools is not None:
            tools.close()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        shutil.rmtree(profile, ignore_errors=True)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(directory: Path):
    """Serve ``directory`` on 127.0.0.1 (a free port) in a thread; yield the base URL."""
    handler = functools.partial(_Quiet, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


#: Resolves once MathJax has typeset the page and every image has loaded or failed.
SETTLED = r"""
(async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  await Promise.all(Array.from(document.images).map(img => img.complete ? null :
      new Promise(r => { img.addEventListener('load', r); img.addEventListener('error', r); })));
  if (document.fonts) { await document.fonts.ready; }
  return true;
})()
"""
