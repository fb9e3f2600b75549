"""Open the book's PDF (``make pdf``, which ``make test`` runs) and check what a reader gets.

The PDF is read with pypdf: its page count, its bookmarks (every part and chapter of ``_toc.yml``
with the numbered title the HTML book shows, on a page whose text starts with it), its text (no
raw TeX: MathJax typeset everything before printing), its figures (each chapter's pages embed at
least as many images as its HTML page shows), its page numbers and its links (none to the
temporary server the pages were printed from). A missing PDF FAILS with what to run.
"""

from __future__ import annotations

import functools
import html.parser
import os
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from book_pdf import toc_parts

BUILD = Path(os.environ.get("BOOK_BUILD_DIR", ROOT / "_build"))  # another build folder, for development
HTML = BUILD / "html"
PDF = HTML / "book.pdf"
PARTS = toc_parts()
DOCS = [doc for _, docs in PARTS for doc in docs]

pytestmark = pytest.mark.slow


class _Article(html.parser.HTMLParser):
    """The numbered h1 and the number of images inside a built page's <article>."""

    def __init__(self):
        super().__init__()
        self.depth = 0  # >0 inside the article
        self.h1: list[str] | None = None
        self.title = ""
        self.images = 0
        self.skip = 0  # inside the header link of the h1

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "article" and "bd-article" in (attrs.get("class") or ""):
            self.depth = 1
        elif self.depth:
            if tag == "article":
                self.depth += 1
            if tag == "img":
                self.images += 1
            if tag == "h1" and not self.title and self.h1 is None:
                self.h1 = []
            if tag == "a" and self.h1 is not None and "headerlink" in (attrs.get("class") or ""):
                self.skip = 1

    def handle_endtag(self, tag):
        if tag == "article" and self.depth:
            self.depth -= 1
        if tag == "a" and self.skip:
            self.skip = 0
        if tag == "h1" and self.h1 is not None:
            self.title = " ".join("".join(self.h1).split())
            self.h1 = None

    def handle_data(self, data):
        if self.h1 is not None and not self.skip:
            self.h1.append(data)


@functools.cache
def article(doc: str) -> _Article:
    parser = _Article()
    parser.feed((HTML / f"{doc}.html").read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def pdf():
    if not PDF.exists():
        pytest.fail(f"{PDF} is missing: run `make pdf` (it prints the HTML book with Chromium).")
    if not (HTML / "book" / "intro.html").exists():
        pytest.fail("The HTML book is not built: run `make book`.")
    if PDF.stat().st_mtime < (HTML / "book" / "intro.html").stat().st_mtime:
        pytest.fail(f"{PDF} is older than the HTML book: run `make pdf` again.")
    from pypdf import PdfReader

    return PdfReader(PDF)


@pytest.fixture(scope="module")
def outline(pdf):
    """[(part, page, [(chapter title, page), ...]), ...] from the PDF's bookmarks."""
    parts = []
    items = pdf.outline
    for i, item in enumerate(items):
        if isinstance(item, list):
            continue
        children = items[i + 1] if i + 1 < len(items) and isinstance(items[i + 1], list) else []
        chapters = [(str(c.title), pdf.get_destination_page_number(c)) for c in children if not isinstance(c, list)]
        parts.append((str(item.title), pdf.get_destination_page_number(item), chapters))
    return parts


@pytest.fixture(scope="module")
def prose(pdf):
    """The text of each page outside code blocks (monospaced fonts are code)."""
    pages = []
    for page in pdf.pages:
        parts = []

        def visit(text, cm, tm, font, size, parts=parts):
            if font is None or "Mono" not in str(font.get("/BaseFont", "")):
                parts.append(text)

        page.extract_text(visitor_text=visit)
        pages.append("".join(parts))
    return pages


def _norm(text: str) -> str:
    """Text without ligatures and white space (line breaks may fall anywhere in a title)."""
    return "".join(text.replace("ﬁ", "fi").replace("ﬀ", "ff").replace("ﬂ", "fl").split())


def test_page_count(pdf, outline):
    """Check that every chapter starts on a page of its own after the title page and contents."""
    starts = [page for _, _, chapters in outline for _, page in chapters]
    assert len(starts) == len(DOCS)
    assert starts == sorted(set(starts)), "chapters do not start on distinct, increasing pages"
    assert starts[0] >= 2, "no title page and table of contents before the first chapter"
    assert len(pdf.pages) > starts[-1] >= len(DOCS)


def test_every_part_and_chapter_is_bookmarked_with_its_numbered_title(outline):
    """Check the bookmarks: each part of _toc.yml, and under it each chapter's numbered title."""
    assert [p for p, _, _ in outline] == ["Contents", *[caption for caption, _ in PARTS]]
    for (caption, docs), (_, _, chapters) in zip(PARTS, outline[1:]):
        titles = [t for t, _ in chapters]
        assert titles == [article(doc).title for doc in docs], caption
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    numbered_parts = {p["caption"] for p in toc["parts"] if p.get("numbered")}
    numbers = [t.split(" ", 1)[0] for caption, _, chapters in outline if caption in numbered_parts for t, _ in chapters]
    assert numbers == [f"{i}." for i in range(1, len(numbers) + 1)], f"chapters not numbered 1, 2, 3, ...: {numbers}"


def test_each_chapter_starts_with_its_title(outline, prose):
    """Check that the page each chapter bookmark points to opens with that chapter's title (text
    extraction may put a margin column, such as the bibliography's labels, first)."""
    for _, _, chapters in outline[1:]:
        for title, page in chapters:
            assert _norm(title) in _norm(prose[page])[:400], f"page {page + 1} does not open with {title!r}"


def test_contents_lists_every_chapter_with_its_page(outline, prose):
    """Check that the printed table of contents names every chapter with the page it starts on."""
    contents = _norm(" ".join(prose[1:outline[1][1]]))
    for _, _, chapters in outline[1:]:
        for title, page in chapters:
            assert f"{_norm(title)}{page + 1}" in contents, f"contents lack {title!r} on page {page + 1}"


def test_no_raw_tex(prose):
    """Check that no TeX source reached the page outside code: MathJax typeset all the math."""
    for i, text in enumerate(prose):
        for raw in ("$", "\\(", "\\)", "\\[", "\\]", "\\frac", "\\begin{", "\\mathrm"):
            assert raw not in text, f"page {i + 1}: raw TeX {raw!r}: ...{text[max(0, text.find(raw) - 40):text.find(raw) + 40]}..."


def _images(page) -> int:
    resources = page.get("/Resources")
    xobjects = resources.get_object().get("/XObject") if resources else None
    if not xobjects:
        return 0
    return sum(1 for x in xobjects.get_object().values() if x.get_object().get("/Subtype") == "/Image")


def test_figures_are_embedded(pdf, outline):
    """Check that each chapter's pages embed at least as many images as its HTML page shows."""
    starts = [page for _, _, chapters in outline[1:] for _, page in chapters] + [len(pdf.pages)]
    total_expected = 0
    for doc, start, end in zip(DOCS, starts, starts[1:]):
        expected = article(doc).images
        total_expected += expected
        found = sum(_images(pdf.pages[i]) for i in range(start, end))
        assert found >= expected, f"{doc}: {expected} images in the HTML page, {found} in its PDF pages"
    assert total_expected > 40, "the HTML book shows hardly any figures: is it built?"


def test_pages_are_numbered(prose, pdf):
    """Check that every page but the title page carries its number in the footer."""
    for i in (1, len(pdf.pages) // 2, len(pdf.pages) - 1):
        assert _norm(prose[i]).endswith(str(i + 1)), f"page {i + 1} has no page number at its foot"


def test_links_stay_inside_the_pdf(pdf):
    """Check that no link points at the temporary server the pages were printed from, and the
    table of contents links to its chapters."""
    external, internal = [], 0
    for page in pdf.pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A") or {}
            uri = str(action.get("/URI", ""))
            if uri.startswith(("http://127.0.0.1", "http://localhost", "file:")):
                external.append(uri)
            if action.get("/S") == "/GoTo":
                internal += 1
    assert not external, f"links to the print server left in the PDF: {external[:5]}"
    assert internal >= len(DOCS)
