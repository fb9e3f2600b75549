"""Open the built book in headless Chromium and check what a reader sees.

Needs ``make book`` first (``make test`` builds it) and the Debian ``chromium`` package
(``make browser`` installs it when run as root with apt). A missing build or browser makes these
tests FAIL with a message saying what to do: they are never skipped.

The book is served from 127.0.0.1 by ``http.server`` in a thread; Chromium is driven through its
DevTools protocol (``websocket-client``). For every page in ``_toc.yml`` the tests check that it
loads, that MathJax typeset every math element and left no raw TeX delimiters, and that every
image loaded; every activation page must show its figure; no internal link may be broken. One
screenshot per part is kept in ``_build/screenshots/``.
"""

from __future__ import annotations

import base64
import functools
import html.parser
import http.server
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml

from course_lib.book import PAGES

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage",
         "--window-size=1280,900", "--remote-debugging-port=0"]

pytestmark = pytest.mark.slow


def toc_parts() -> list[tuple[str, list[str]]]:
    """(caption, [docname, ...]) for each part of _toc.yml, the root page first."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    parts = [("Introduction", [toc["root"]])]

    def walk(items):
        for item in items:
            yield item["file"]
            yield from walk(item.get("sections", []))

    for part in toc["parts"]:
        parts.append((part["caption"], list(walk(part["chapters"]))))
    return parts


DOCS = [doc for _, docs in toc_parts() for doc in docs]


def find_chromium() -> str:
    for name in (os.environ.get("CHROMIUM", ""), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    pytest.fail("Chromium is not installed, so the built book cannot be checked in a browser. "
                "Run `make browser` as root (it uses apt-get install chromium), or install the "
                "'chromium' package, or set CHROMIUM=/path/to/chrome. This test never skips.")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class DevTools:
    """The smallest DevTools-protocol client: send a command, wait for its answer."""

    def __init__(self, ws_url: str):
        import websocket

        self.ws = websocket.create_connection(ws_url, timeout=60, suppress_origin=True)
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

    def wait_event(self, method: str, timeout: float = 30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for i, ev in enumerate(self.events):
                if ev.get("method") == method:
                    return self.events.pop(i)
            self.events.append(json.loads(self.ws.recv()))
        raise TimeoutError(f"no {method} within {timeout} s")

    def close(self):
        self.ws.close()


# Runs in the page once it has loaded: waits for MathJax and the images, then reports.
PROBE = r"""
(async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  await Promise.all(Array.from(document.images).map(img => img.complete ? null :
      new Promise(r => { img.addEventListener('load', r); img.addEventListener('error', r); })));
  const main = document.querySelector('main') || document.body;
  const math = Array.from(main.querySelectorAll('.math'));
  const text = main.cloneNode(true);
  text.querySelectorAll('pre, code, script, style, mjx-container, mjx-assistive-mml, .MathJax')
      .forEach(e => e.remove());
  return JSON.stringify({
    title: document.title,
    h1: (main.querySelector('h1') || {innerText: ''}).innerText,
    math: math.length,
    untypeset: math.filter(m => !m.querySelector('mjx-container')).map(m => m.innerText.slice(0, 60)),
    mjx: main.querySelectorAll('mjx-container').length,
    text: text.innerText,
    images: Array.from(main.querySelectorAll('img')).map(i => ({
      src: i.getAttribute('src').slice(0, 60), width: i.naturalWidth, alt: i.alt,
      figure: i.closest('figure.course-figure') !== null})),
  });
})()
"""


@pytest.fixture(scope="session")
def server():
    if not (HTML / "book" / "intro.html").exists():
        pytest.fail(f"The book is not built: {HTML / 'book' / 'intro.html'} is missing. Run `make book`.")
    handler = functools.partial(_Quiet, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture(scope="session")
def browser():
    exe = find_chromium()
    profile = tempfile.mkdtemp(prefix="book-chromium-")
    log = tempfile.TemporaryFile()  # noqa: SIM115 -- open for the browser's lifetime; a file never blocks
    proc = subprocess.Popen([exe, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=log)
    port_file = Path(profile) / "DevToolsActivePort"
    deadline = time.monotonic() + 30
    while not (port_file.exists() and port_file.read_text().strip()):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            log.seek(0)
            err = log.read().decode(errors="replace")[-2000:]
            log.close()
            pytest.fail(f"Chromium ({exe}) did not start its DevTools endpoint:\n{err}")
        time.sleep(0.1)
    port = port_file.read_text().split()[0]
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as r:
        target = next(t for t in json.load(r) if t["type"] == "page")
    tools = DevTools(target["webSocketDebuggerUrl"])
    tools.send("Page.enable")
    tools.send("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)
    yield tools
    tools.close()
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="session")
def pages(server, browser):
    """Load every page of the TOC once; return docname -> probe report. Saves the screenshots."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    first_of_part = {docs[0]: caption for caption, docs in toc_parts()}
    reports = {}
    for doc in DOCS:
        url = f"{server}/{doc}.html"
        with urllib.request.urlopen(url) as r:  # raises HTTPError for a missing page
            status = r.status
        browser.send("Page.navigate", url=url)
        browser.wait_event("Page.loadEventFired")
        result = browser.send("Runtime.evaluate", expression=PROBE, awaitPromise=True, returnByValue=True)
        report = json.loads(result["result"]["value"])
        report["status"] = status
        reports[doc] = report
        if doc in first_of_part:
            shot = browser.send("Page.captureScreenshot", format="png")
            name = re.sub(r"[^a-z0-9]+", "_", first_of_part[doc].lower()).strip("_")
            (SHOTS / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))
    return reports


@pytest.mark.parametrize("doc", DOCS)
def test_page_loads_with_typeset_math(pages, doc):
    """Check that the page loads, has a title, and MathJax typeset all of its math."""
    r = pages[doc]
    assert r["status"] == 200 and r["h1"].strip(), f"{doc}: no page or no heading"
    assert not r["untypeset"], f"{doc}: math left untypeset by MathJax: {r['untypeset'][:3]}"
    assert r["mjx"] >= r["math"], f"{doc}: {r['math']} math elements but {r['mjx']} MathJax outputs"
    for raw in ("$", "\\(", "\\)", "\\[", "\\]", "\\frac"):
        assert raw not in r["text"], f"{doc}: raw TeX {raw!r} in the text: ...{_around(r['text'], raw)}..."
    broken = [i["src"] for i in r["images"] if i["width"] == 0]
    assert not broken, f"{doc}: images that did not load: {broken}"


def _around(text: str, needle: str, width: int = 50) -> str:
    i = text.find(needle)
    return text[max(0, i - width): i + width].replace("\n", " ")


@pytest.mark.parametrize("name", sorted(PAGES))
def test_activation_page_shows_its_figure(pages, name):
    """Check that the page teaching each activation shows a generated figure that loaded."""
    doc = PAGES[name]
    figures = [i for i in pages[doc]["images"] if i["figure"]]
    assert figures, f"{name}: {doc} shows no course figure"
    assert all(i["width"] > 0 for i in figures), f"{name}: a figure on {doc} did not load"
    assert all(len(i["alt"]) > 40 for i in figures), f"{name}: a figure on {doc} lacks alt text"


def test_math_is_typeset_somewhere(pages):
    """Check that MathJax actually ran (the offline copy loaded), not just that no math existed."""
    assert sum(r["mjx"] for r in pages.values()) > 200


class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        if tag in ("link", "script", "img") and (attrs.get("href") or attrs.get("src")):
            self.hrefs.append(attrs.get("href") or attrs.get("src"))


@functools.cache
def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_no_broken_internal_links():
    """Check that every internal link, stylesheet, script and image of every page resolves."""
    if not (HTML / "book" / "intro.html").exists():
        pytest.fail("The book is not built. Run `make book`.")
    broken = []
    for doc in DOCS:
        page = HTML / f"{doc}.html"
        for href in _parse(page).hrefs:
            parts = urllib.parse.urlsplit(href)
            if parts.scheme in ("http", "https", "mailto", "data", "javascript") or parts.netloc:
                continue
            target = (page.parent / urllib.parse.unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{doc}: {href} (no file)")
            elif parts.fragment and target.suffix == ".html" and parts.fragment not in _parse(target).ids:
                broken.append(f"{doc}: {href} (no anchor #{parts.fragment})")
    assert not broken, "broken internal links:\n" + "\n".join(broken[:40])


def test_no_external_resources_needed():
    """Check that no page loads a script or stylesheet from the internet (the book works offline)."""
    remote = []
    for doc in DOCS:
        text = (HTML / f"{doc}.html").read_text(encoding="utf-8")
        remote += [f"{doc}: {m}" for m in re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', text)]
    assert not remote, "pages load remote resources:\n" + "\n".join(remote[:20])


def test_screenshots_kept(pages):
    """Check that one screenshot per part was saved as a build artifact."""
    shots = sorted(SHOTS.glob("*.png"))
    assert len(shots) == len(toc_parts()), [s.name for s in shots]
    assert all(s.stat().st_size > 10_000 for s in shots)
