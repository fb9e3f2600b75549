"""Open the built book in headless Chromium and check what a reader sees.

Needs ``make book`` first (``make test`` builds it), the Debian ``chromium`` package (``make
browser`` installs it when run as root with apt) and axe-core (``make axe`` installs it from the
npm registry into ``.venv/axe``). A missing build, browser or axe makes these tests FAIL with a
message saying what to do: they are never skipped.

The book is served from 127.0.0.1 by ``http.server`` in a thread; Chromium is driven through its
DevTools protocol by ``tools/chromium.py`` (the client ``make pdf`` also uses). Every page of
``_toc.yml`` is opened at 1280 px, then at 390 px (a phone), and checked for:

- loading, MathJax having typeset every math element, no raw TeX, every image loaded, every
  activation page's figure with alt text; no broken internal link; no remote resource, no
  request leaving 127.0.0.1, no missing file (the favicon included);
- accessibility: axe-core finds no serious or critical violation in the light theme, nor a
  colour-contrast one in the dark theme; course figures keep a light background with dark text in
  both themes (screenshots of each figure compared), and the interactive figures' controls work
  from the keyboard;
- layout: no equation, table or figure cut off sideways unless it scrolls with a visible scroll
  bar, the page itself never scrolls sideways, the comparison table fits at 1280 and 1920 px,
  figure text stays at least 9 px high on a phone, one search entry, chapters numbered from x.1,
  a landing title that does not repeat itself.

Screenshots (one per part in both themes, and the phone view of each part) go to
``_build/screenshots/``.
"""

from __future__ import annotations

import base64
import functools
import html.parser
import io
import json
import os
import re
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from course_lib.book import PAGES

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from book_pdf import toc_parts  # tools/ is not a package: it is on sys.path above
from chromium import SETTLED, ChromiumError, chromium, serve

BUILD = Path(os.environ.get("BOOK_BUILD_DIR", ROOT / "_build"))  # another build folder, for development
HTML = BUILD / "html"
SHOTS = BUILD / "screenshots"
AXE = Path(os.environ.get("AXE_CORE", ROOT / ".venv" / "axe" / "node_modules" / "axe-core" / "axe.min.js"))
PARTS = toc_parts()
DOCS = [doc for _, docs in PARTS for doc in docs]
NUMBERED = {doc for (caption, docs) in PARTS[1:] for doc in docs if caption != "For instructors"}
DESKTOP, WIDE, PHONE = 1280, 1920, 390
#: The smallest text in a course figure: 8 pt legends at the 110 dpi of course_lib.plotting.figure_html.
FIGURE_TEXT_PX = 8 * 110 / 72
MIN_TEXT_PX = 9.0

pytestmark = pytest.mark.slow


# ---- what the page reports ----------------------------------------------------------------

# Runs once the page has settled: its title, math, text outside code, images, headings, searches.
PROBE = r"""
(() => {
  const main = document.querySelector('main') || document.body;
  const math = Array.from(main.querySelectorAll('.math'));
  const text = main.cloneNode(true);
  text.querySelectorAll('pre, code, script, style, mjx-container, mjx-assistive-mml, .MathJax')
      .forEach(e => e.remove());
  const article = document.querySelector('article.bd-article') || main;
  const num = h => { const s = h.querySelector('.section-number'); return s ? s.textContent.trim() : ''; };
  const visible = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 &&
                         getComputedStyle(e).visibility !== 'hidden'; };
  return {
    title: document.title,
    h1: (main.querySelector('h1') || {innerText: ''}).innerText,
    h1_number: article.querySelector('h1') ? num(article.querySelector('h1')) : '',
    h2_numbers: Array.from(article.querySelectorAll('h2')).map(num),
    math: math.length,
    untypeset: math.filter(m => !m.querySelector('mjx-container')).map(m => m.innerText.slice(0, 60)),
    mjx: main.querySelectorAll('mjx-container').length,
    text: text.innerText,
    images: Array.from(main.querySelectorAll('img')).map(i => ({
      src: i.getAttribute('src').slice(0, 60), width: i.naturalWidth, alt: i.alt,
      figure: i.closest('figure.course-figure') !== null})),
    searches: Array.from(document.querySelectorAll('.search-button, .search-button-field, form.bd-search, input[type=search]'))
      .filter(e => visible(e) && !e.closest('dialog')).length,
    interactive: document.querySelectorAll('figure.course-interactive').length,
  };
})()
"""

# Wide content that a reader cannot see all of: for each display equation, table, figure image and
# interactive plot, the nearest box that clips it (itself included) must either hold it or scroll
# sideways with a scroll bar that takes room on screen; and the page itself must not scroll sideways.
CLIPPED = r"""
(() => {
  const article = document.querySelector('article.bd-article');
  const bad = [];
  const bar = e => { const s = getComputedStyle(e);
    return e.offsetHeight - e.clientHeight - parseFloat(s.borderTopWidth) - parseFloat(s.borderBottomWidth) > 0; };
  const name = e => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : '')
                    + ' "' + e.textContent.replace(/\s+/g, ' ').trim().slice(0, 40) + '"';
  for (const el of article.querySelectorAll('mjx-container[display="true"], table, figure.course-figure img, .course-plot')) {
    if (el.closest('[hidden]') || el.getBoundingClientRect().width === 0) continue;
    let box = el;
    while (box !== article && getComputedStyle(box).overflowX === 'visible') box = box.parentElement;
    const over = box === el ? el.scrollWidth > el.clientWidth + 1
                            : el.getBoundingClientRect().right > box.getBoundingClientRect().right + 1 ||
                              box.scrollWidth > box.clientWidth + 1;
    if (!over) continue;
    const mode = getComputedStyle(box).overflowX;
    if (box === article || !(mode === 'auto' || mode === 'scroll')) bad.push(`${name(el)} is cut off (overflow-x: ${mode})`);
    else if (!bar(box)) bad.push(`${name(el)} scrolls without a visible scroll bar`);
  }
  const page = document.scrollingElement;
  if (page.scrollWidth > window.innerWidth + 1) bad.push(`the page scrolls sideways (${page.scrollWidth} px > ${window.innerWidth} px)`);
  return bad;
})()
"""

# Size of the smallest text of each figure as displayed: PNG figures scale FIGURE_TEXT_PX with the
# image, interactive figures report their SVG text.
FIGURE_TEXT = r"""
((pngText) => {
  const out = [];
  document.querySelectorAll('figure.course-figure img').forEach(img => {
    if (img.closest('[hidden]') || !img.naturalWidth) return;
    out.push({what: img.alt.slice(0, 50), px: pngText * img.getBoundingClientRect().width / img.naturalWidth});
  });
  document.querySelectorAll('.course-plot').forEach(plot => {
    const sizes = Array.from(plot.querySelectorAll('svg text')).map(t => parseFloat(getComputedStyle(t).fontSize)).filter(s => s > 0);
    if (sizes.length) out.push({what: plot.getAttribute('aria-label').slice(0, 50), px: Math.min(...sizes)});
  });
  return out;
})
"""

THEME = "(mode => { document.documentElement.dataset.theme = mode; localStorage.setItem('theme', mode); return true; })"

AXE_RUN = r"""
(async (only) => {
  const options = only ? {runOnly: {type: 'rule', values: only}} : {};
  const result = await axe.run(document, Object.assign({resultTypes: ['violations']}, options));
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5), count: v.nodes.length}));
})
"""


# ---- fixtures -------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def server():
    if not (HTML / "book" / "intro.html").exists():
        pytest.fail(f"The book is not built: {HTML / 'book' / 'intro.html'} is missing. Run `make book`.")
    with serve(HTML) as base:
        yield base


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed ({AXE} is missing): run `make axe` (npm install from the "
                    "npm registry), or set AXE_CORE=/path/to/axe.min.js. This test never skips.")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def browser():
    try:
        with chromium(width=DESKTOP) as tools:
            tools.send("Network.enable")
            yield tools
    except ChromiumError as exc:
        pytest.fail(f"{exc} The built book cannot be checked in a browser. This test never skips.")


def _viewport(browser, width: int, height: int = 900):
    browser.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)


def _open(browser, url: str) -> list[dict]:
    """Load ``url`` and wait for MathJax and the images; return the network events of the load."""
    _network(browser)
    browser.navigate(url)
    browser.evaluate(SETTLED)
    browser.evaluate(FRAME)
    return _network(browser)


def _network(browser) -> list[dict]:
    """The requests and responses seen since the last call (other network events are dropped)."""
    kept = browser.drain("Network.requestWillBeSent") + browser.drain("Network.responseReceived")
    browser.events = [e for e in browser.events if not e.get("method", "").startswith("Network.")]
    return kept


def _shot(browser, path: Path | None, clip: dict | None = None) -> bytes:
    params = {"format": "png"}
    if clip:
        params.update(clip=clip)
    data = base64.b64decode(browser.send("Page.captureScreenshot", **params)["data"])
    if path:
        path.write_bytes(data)
    return data


def _part_name(caption: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", caption.lower()).strip("_")


#: Switching themes must not leave axe or a screenshot looking at a colour half-way through a transition.
NO_TRANSITIONS = """(() => { const s = document.createElement('style');
  s.textContent = '*, *::before, *::after { transition: none !important; animation: none !important; }';
  document.head.appendChild(s); return true; })()"""
FRAME = "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


@pytest.fixture(scope="session")
def pages(server, browser, axe_source):
    """Every page of the TOC at 1280 px in both themes, then resized to 390 px; docname -> report."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    first_of_part = {docs[0]: caption for caption, docs in PARTS}
    reports = {}
    for doc in DOCS:
        url = f"{server}/{doc}.html"
        with urllib.request.urlopen(url) as r:  # raises HTTPError for a missing page
            status = r.status
        _viewport(browser, DESKTOP)
        network = _open(browser, url)
        browser.evaluate(NO_TRANSITIONS)
        report = browser.evaluate(PROBE)
        report["status"] = status
        report["clipped"] = browser.evaluate(CLIPPED)
        browser.evaluate(axe_source + ";true")
        report["axe"] = browser.evaluate(f"({AXE_RUN})(null)")
        report["figures"] = {"light": _figure_shots(browser)}
        part = _part_name(first_of_part[doc]) if doc in first_of_part else None
        if part:
            _shot(browser, SHOTS / f"{part}.png")
        browser.evaluate(f"({THEME})('dark')")
        browser.evaluate(FRAME)
        report["axe_dark"] = browser.evaluate(f"({AXE_RUN})(['color-contrast'])")
        report["figures"]["dark"] = _figure_shots(browser)
        if part:
            _shot(browser, SHOTS / f"{part}_dark.png")
        browser.evaluate(f"({THEME})('light')")
        # the same page on a phone: the layout follows the new width, MathJax's output stays
        _viewport(browser, PHONE)
        browser.evaluate(FRAME)
        report["phone"] = {"clipped": browser.evaluate(CLIPPED),
                           "figure_text": browser.evaluate(f"({FIGURE_TEXT})({FIGURE_TEXT_PX})"),
                           "searches": browser.evaluate(PROBE)["searches"]}
        if part:
            _shot(browser, SHOTS / f"{part}_phone.png")
        report["network"] = network + _network(browser)
        reports[doc] = report
    _viewport(browser, DESKTOP)
    return reports


FIGURE_RECT = r"""
(i => {
  const f = Array.from(document.querySelectorAll('figure.course-figure')).filter(f => !f.closest('[hidden]'))[i];
  if (!f) return null;
  const e = f.querySelector('.course-live:not([hidden]) .course-plot') || f.querySelector('img');
  e.scrollIntoView({block: 'start'});
  const r = e.getBoundingClientRect();
  return {x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: Math.min(r.height, innerHeight),
          what: (f.querySelector('figcaption') || {textContent: ''}).textContent.slice(0, 50) ||
                (f.querySelector('img') || {alt: ''}).alt.slice(0, 50)};
})
"""


def _figure_shots(browser, count: int = 2) -> list[dict]:
    """The background and text colours of the first course figures of the page, from screenshots."""
    out = []
    for i in range(count):
        r = browser.evaluate(f"({FIGURE_RECT})({i})")
        if r is None:
            break
        if r["width"] < 50 or r["height"] < 50:
            continue
        png = _shot(browser, None, {"x": r["x"], "y": r["y"], "width": r["width"], "height": r["height"], "scale": 1})
        out.append({"what": r["what"], **_colours(png)})
    browser.evaluate("window.scrollTo(0, 0); true")
    return out


def _luminance(rgb) -> float:
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    """WCAG contrast ratio of two colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _colours(png: bytes) -> dict:
    """The background of a figure (the most common colour of its outermost pixels) and its contrast
    with the darkest 0.1 % of its pixels (the text and the axes)."""
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB")
    w, h = img.size
    border = [img.getpixel((x, y)) for x in range(w) for y in (0, h - 1)] + \
             [img.getpixel((x, y)) for y in range(h) for x in (0, w - 1)]
    background = max(set(border), key=border.count)
    colours = img.getcolors(maxcolors=w * h)
    by_luminance = sorted(colours, key=lambda c: _luminance(c[1]))
    need, seen = max(1, w * h // 1000), 0
    for count, colour in by_luminance:
        seen += count
        if seen >= need:
            break
    return {"background": background, "contrast": contrast(background, colour)}


# ---- loading, math, images, links ---------------------------------------------------------

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
    """Check that every internal link, stylesheet, script and image of every page resolves (the
    landing page's link to the PDF included: `make test` makes the PDF first)."""
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
                broken.append(f"{doc}: {href} (no file{'; run `make pdf`' if target.suffix == '.pdf' else ''})")
            elif parts.fragment and target.suffix == ".html" and parts.fragment not in _parse(target).ids:
                broken.append(f"{doc}: {href} (no anchor #{parts.fragment})")
    assert not broken, "broken internal links:\n" + "\n".join(broken[:40])


def test_landing_page_links_the_pdf():
    """Check that the landing page offers the book as a PDF."""
    assert "../book.pdf" in _parse(HTML / "book" / "intro.html").hrefs


def test_no_external_resources_needed():
    """Check that no page loads a script or stylesheet from the internet (the book works offline)."""
    remote = []
    for doc in DOCS:
        text = (HTML / f"{doc}.html").read_text(encoding="utf-8")
        remote += [f"{doc}: {m}" for m in re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', text)]
    assert not remote, "pages load remote resources:\n" + "\n".join(remote[:20])


def test_no_request_leaves_localhost(pages, server):
    """Check, from the browser's own network log, that no page asked for anything but the local
    server (plotly.js and MathJax included), and that nothing it asked for was missing (404)."""
    outside, missing, requests = [], [], 0
    for doc, r in pages.items():
        for ev in r["network"]:
            if ev["method"] == "Network.requestWillBeSent":
                requests += 1
                url = ev["params"]["request"]["url"]
                if not url.startswith((server, "data:", "blob:", "about:")):
                    outside.append(f"{doc}: {url[:100]}")
            else:
                resp = ev["params"]["response"]
                if resp["url"].startswith(server) and resp["status"] >= 400:
                    missing.append(f"{doc}: {resp['status']} {resp['url'][len(server):]}")
    assert requests > len(DOCS), "the network log is empty: was Network.enable sent?"
    assert not outside, "requests that left 127.0.0.1:\n" + "\n".join(outside[:20])
    assert not missing, "missing files:\n" + "\n".join(sorted(set(missing))[:20])


def test_screenshots_kept(pages):
    """Check that screenshots of each part (light, dark, phone) were saved as build artifacts."""
    for caption, _ in PARTS:
        for suffix in ("", "_dark", "_phone"):
            shot = SHOTS / f"{_part_name(caption)}{suffix}.png"
            assert shot.exists() and shot.stat().st_size > 10_000, shot


# ---- accessibility ------------------------------------------------------------------------

@pytest.mark.parametrize("doc", DOCS)
def test_axe_finds_no_serious_violation(pages, doc):
    """Check with axe-core that the page has no serious or critical accessibility violation, and no
    colour-contrast violation in the dark theme."""
    found = [v for v in pages[doc]["axe"] if v["impact"] in ("serious", "critical")]
    found += [dict(v, id=v["id"] + " (dark theme)") for v in pages[doc]["axe_dark"]
              if v["impact"] in ("serious", "critical")]
    assert not found, f"{doc}: " + "; ".join(f"{v['impact']} {v['id']}: {v['help']} ({v['count']}x, e.g. {v['nodes'][:2]})"
                                          for v in found)


def test_figures_legible_in_both_themes(pages):
    """Check, on screenshots, that the text and axes of every course figure stand out from the
    figure's background in the light and in the dark theme (contrast of at least 4.5; the dark theme
    dims images, and a transparent figure would put black text on a dark page)."""
    checked, bad = 0, []
    for doc, r in pages.items():
        for mode, figures in r["figures"].items():
            for f in figures:
                checked += 1
                if f["contrast"] < 4.5:
                    bad.append(f"{doc} ({mode}): {f['what']!r} background {f['background']}, contrast {f['contrast']:.1f}")
    assert checked > 2 * len(PAGES), f"only {checked} figure screenshots"
    assert not bad, "figures hard to read:\n" + "\n".join(bad[:20])


# ---- layout -------------------------------------------------------------------------------

@pytest.mark.parametrize("doc", DOCS)
def test_nothing_cut_off_sideways(pages, doc):
    """Check at 1280 px and at 390 px that no equation, table or figure is cut off sideways: it fits,
    or it scrolls with a visible scroll bar; and the page itself does not scroll sideways."""
    r = pages[doc]
    problems = [f"1280 px: {p}" for p in r["clipped"]] + [f"390 px: {p}" for p in r["phone"]["clipped"]]
    assert not problems, f"{doc}:\n" + "\n".join(problems[:10])


def test_figure_text_legible_on_a_phone(pages):
    """Check that the smallest text of every figure is at least 9 px high at 390 px."""
    small = [f"{doc}: {f['what']!r} {f['px']:.1f} px" for doc, r in pages.items()
             for f in r["phone"]["figure_text"] if f["px"] < MIN_TEXT_PX]
    assert sum(len(r["phone"]["figure_text"]) for r in pages.values()) > len(PAGES)
    assert not small, "figure text too small on a phone:\n" + "\n".join(small[:20])


def test_comparison_table_fits_wide_screens(server, browser):
    """Check that the comparison table shows every column without scrolling at 1280 and 1920 px."""
    for width in (DESKTOP, WIDE):
        _viewport(browser, width)
        _open(browser, f"{server}/book/practice/comparison.html")
        widths = browser.evaluate("""Array.from(document.querySelectorAll('article table')).map(t =>
            [t.getBoundingClientRect().width, t.parentElement.clientWidth])""")
        assert widths, "the comparison page has no table"
        assert all(w <= box + 1 for w, box in widths), f"at {width} px a table is wider than its column: {widths}"
    _viewport(browser, DESKTOP)


def test_one_search_entry(pages):
    """Check that every page offers one visible search entry (at 1280 px and on a phone), not two."""
    counts = {doc: (r["searches"], r["phone"]["searches"]) for doc, r in pages.items()}
    assert all(c == (1, 1) for c in counts.values()), {d: c for d, c in counts.items() if c != (1, 1)}


def test_chapters_numbered_from_one(pages):
    """Check that numbered chapters count 1, 2, 3, ... through the parts, and each chapter's sections
    N.1, N.2, ... (a page nested under another used to start at N.3)."""
    numbers = [pages[doc]["h1_number"] for doc in DOCS if doc in NUMBERED]
    assert numbers == [f"{i}." for i in range(1, len(numbers) + 1)], numbers
    for doc in NUMBERED:
        chapter = pages[doc]["h1_number"].rstrip(".")
        sections = pages[doc]["h2_numbers"]
        assert sections == [f"{chapter}.{k}." for k in range(1, len(sections) + 1)], f"{doc}: {sections}"


def test_landing_title_does_not_repeat(pages):
    """Check that the landing page's <title> does not say the same thing twice."""
    title = pages[DOCS[0]]["title"]
    parts = [p.strip() for p in re.split(r"\s+[—–|-]\s+", title)]
    assert len(parts) == len(set(parts)), title


# ---- interactive figures ------------------------------------------------------------------

INTERACTIVE = ["book/rectifiers/leaky_relu", "book/rectifiers/elu", "book/rectifiers/celu",
               "book/smooth/swish", "book/smooth/softplus", "book/smooth/gelu", "book/outputs/softmax",
               "book/experiments/vanishing_gradients"]

STATE = r"""
(() => Array.from(document.querySelectorAll('figure.course-interactive')).map(f => {
  const plot = f.querySelector('.course-plot');
  return {live: !f.querySelector('.course-live').hidden, static_hidden: f.querySelector('.course-static').hidden,
          drawn: !!plot.querySelector('.main-svg'), key: plot.dataset.key || '',
          curves: JSON.stringify((plot.data || []).map(t => t.y)), label: plot.getAttribute('aria-label'),
          controls: Array.from(f.querySelectorAll('.course-controls input, .course-controls select')).map(c => ({
            id: c.id, kind: c.tagName.toLowerCase(), labelled: !!f.querySelector(`label[for="${c.id}"]`),
            tabbable: c.tabIndex >= 0 && !c.disabled}))};
}))()
"""


def _key(browser, key: str, code: str, keycode: int):
    for kind in ("rawKeyDown", "keyUp"):
        browser.send("Input.dispatchKeyEvent", type=kind, key=key, code=code,
                     windowsVirtualKeyCode=keycode, nativeVirtualKeyCode=keycode)


def test_interactive_pages_are_listed(pages):
    """Check that the pages meant to have an interactive figure have one, and only those."""
    assert sorted(doc for doc, r in pages.items() if r["interactive"]) == sorted(INTERACTIVE)


@pytest.mark.parametrize("doc", INTERACTIVE)
def test_interactive_figure_redraws_from_the_keyboard(server, browser, doc):
    """Check that the figure is drawn live, and that each of its controls, focused and moved with
    the arrow keys only, redraws the curves and the description read to screen readers."""
    network = _open(browser, f"{server}/{doc}.html")
    figures = browser.evaluate(STATE)
    assert figures, f"{doc}: no interactive figure"
    for i, before in enumerate(figures):
        assert before["live"] and before["static_hidden"] and before["drawn"], f"{doc}: figure {i} not drawn: {before}"
        for control in before["controls"]:
            assert control["labelled"] and control["tabbable"], f"{doc}: control without a label or focus: {control}"
            browser.evaluate(f"document.getElementById({json.dumps(control['id'])}).focus(); true")
            assert browser.evaluate("document.activeElement.id") == control["id"]
            # a slider at its last value moves left; a list moves down
            at_end = browser.evaluate(f"(c => c.type === 'range' && c.value === c.max)(document.getElementById({json.dumps(control['id'])}))")
            if control["kind"] == "select":
                _key(browser, "ArrowDown", "ArrowDown", 40)
            elif at_end:
                _key(browser, "ArrowLeft", "ArrowLeft", 37)
            else:
                _key(browser, "ArrowRight", "ArrowRight", 39)
            browser.evaluate("new Promise(r => setTimeout(r, 100))")
            after = browser.evaluate(STATE)[i]
            assert after["key"] != before["key"], f"{doc}: {control['id']} did not change the figure's setting"
            assert after["curves"] != before["curves"], f"{doc}: {control['id']} changed the setting but not the curves"
            assert after["label"] != before["label"], f"{doc}: {control['id']} did not update the description"
            before = after
    network += _network(browser)
    urls = [ev["params"]["request"]["url"] for ev in network if ev["method"] == "Network.requestWillBeSent"]
    assert any(urllib.parse.urlsplit(u).path.endswith("/_static/plotly.min.js") for u in urls), \
        f"{doc}: plotly.js was not loaded from the book"
    assert all(u.startswith((server, "data:", "blob:", "about:")) for u in urls), [u for u in urls if not u.startswith(server)]


def test_interactive_figures_print_their_static_form(server, browser):
    """Check that in print (the PDF) an interactive figure shows its static image, not the plot."""
    browser.send("Emulation.setEmulatedMedia", media="print")
    try:
        _open(browser, f"{server}/book/smooth/swish.html")
        shown = browser.evaluate("""Array.from(document.querySelectorAll('figure.course-interactive')).map(f =>
            [getComputedStyle(f).display, getComputedStyle(f.querySelector('.course-live')).display])""")
    finally:
        browser.send("Emulation.setEmulatedMedia", media="")
    assert shown and all(live == "none" for _, live in shown), shown
