"""Print the built book (``_build/html``) to one PDF: ``make pdf`` -> ``_build/html/book.pdf``.

Route: every page of ``_toc.yml`` is opened in headless Chromium from a 127.0.0.1 server, and
printed with DevTools ``Page.printToPDF`` once MathJax (the copy shipped with the book) has
typeset it and its figures have loaded. The theme's print style sheet and ``_static/course.css``
hide the navigation and show the static version of each interactive figure. The chapters are
then put together with pypdf behind a title page and a table of contents (chapter numbers and
page numbers, linked), with PDF bookmarks (part, chapter, section), page numbers in the footer,
and links between chapters turned into links inside the PDF. Nothing is fetched from the
network; the LaTeX route (about 1 GB of TeX Live, and jupyter-book issues 1449, 1932, 1318) is
not needed.

The PDF lands inside the HTML build, where the landing page links to it (``book/intro.md``).

    python tools/book_pdf.py [--html _build/html] [--out HTML/book.pdf]
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import posixpath
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from chromium import SETTLED, ChromiumError, chromium, serve

ROOT = Path(__file__).resolve().parents[1]

#: A4 in inches, with the margins every printed page uses (the footer sits in the bottom one).
PAPER = {"paperWidth": 8.27, "paperHeight": 11.69, "marginTop": 0.55, "marginBottom": 0.75,
         "marginLeft": 0.55, "marginRight": 0.55}

#: What the page tells about itself once typeset: its numbered title and its section headings.
HEADINGS = r"""
(() => {
  const article = document.querySelector('article.bd-article') || document.querySelector('main');
  const clean = h => { const c = h.cloneNode(true); c.querySelectorAll('.headerlink').forEach(e => e.remove());
                       return c.textContent.replace(/\s+/g, ' ').trim(); };
  const h1 = article.querySelector('h1');
  return {title: h1 ? clean(h1) : document.title,
          sections: Array.from(article.querySelectorAll('h2')).map(clean)};
})()
"""


#: Paper cannot be clicked open: print the content of collapsed dropdowns (property cards in the
#: gallery, details), except the answers of "Check yourself" questions, which stay for the reader to try.
OPEN_DROPDOWNS = r"""
(() => { document.querySelectorAll('details').forEach(d => {
    if (!d.closest('section[id^="check-yourself"]')) d.open = true; });
  return new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true)))); })()
"""


def toc_parts(toc_file: Path = ROOT / "_toc.yml") -> list[tuple[str, list[str]]]:
    """(caption, [docname, ...]) for each part of _toc.yml, the root page first as "Introduction"."""
    toc = yaml.safe_load(toc_file.read_text())
    parts = [("Introduction", [toc["root"]])]

    def walk(items):
        for item in items:
            yield item["file"]
            yield from walk(item.get("sections", []))

    for part in toc["parts"]:
        parts.append((part["caption"], list(walk(part["chapters"]))))
    return parts


@dataclass
class Chapter:
    doc: str
    title: str
    pdf: bytes
    sections: list[str] = field(default_factory=list)
    first_page: int = 0  # 0-based, in the final PDF

    @property
    def pages(self) -> int:
        from pypdf import PdfReader

        return len(PdfReader(io.BytesIO(self.pdf)).pages)


def _print(tools, **extra) -> bytes:
    options = {"printBackground": True, "preferCSSPageSize": False, "generateDocumentOutline": True,
               **PAPER, **extra}
    result = tools.send("Page.printToPDF", **options)
    return base64.b64decode(result["data"])


def _print_html(tools, text: str, **extra) -> bytes:
    with tempfile.TemporaryDirectory(prefix="book-pdf-") as tmp:
        page = Path(tmp) / "page.html"
        page.write_text(text, encoding="utf-8")
        tools.navigate(page.as_uri())
        return _print(tools, **extra)


def front_matter(title: str, parts, chapters: dict[str, Chapter], offset: int) -> str:
    """Title page and table of contents (page numbers are 1-based PDF pages, ``offset`` added)."""
    rows = []
    for caption, docs in parts:
        rows.append(f'<li class="part">{html.escape(caption)}</li>')
        for doc in docs:
            ch = chapters[doc]
            rows.append(f'<li><a href="#p{ch.first_page + offset + 1}">{html.escape(ch.title)}</a>'
                        f'<span class="n">{ch.first_page + offset + 1}</span></li>')
    built = time.strftime("%Y-%m-%d")
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
 body {{ font-family: sans-serif; color: #111; }}
 .cover {{ height: 9.5in; display: flex; flex-direction: column; justify-content: center; text-align: center;
          break-after: page; }}
 .cover h1 {{ font-size: 30pt; font-weight: 500; margin: 0 0 0.4in; }}
 .cover p {{ font-size: 13pt; color: #333; }}
 h2 {{ font-size: 20pt; font-weight: 500; }}
 ol {{ list-style: none; padding: 0; font-size: 10.5pt; }}
 li {{ display: flex; padding: 1.5pt 0 1.5pt 1.2em; }}
 li a {{ color: #111; text-decoration: none; flex: 1; }}
 li .n {{ padding-left: 1em; }}
 li.part {{ font-weight: bold; padding: 9pt 0 2pt 0; break-after: avoid; }}
</style></head><body>
<div class="cover"><h1>{html.escape(title)}</h1>
<p>The course book: every figure, table and number generated from <code>course_lib</code>.</p>
<p>Printed {built} from the HTML edition.</p></div>
<h2>Contents</h2><ol>{''.join(rows)}</ol></body></html>"""


def page_numbers(n: int) -> str:
    """An n-page document that is blank but for the printed footer (see :func:`_stamp`)."""
    pages = '<div style="height:1px;break-after:page"></div>' * (n - 1) + '<div style="height:1px"></div>'
    return f'<!doctype html><html><head><meta charset="utf-8"></head><body style="margin:0">{pages}</body></html>'


FOOTER = ('<div style="font-size:8pt;width:100%;text-align:center;color:#444;font-family:sans-serif">'
          '<span class="pageNumber"></span></div>')


def build(html_dir: Path, out: Path, log=lambda message: None) -> dict:
    """Print every page of the book under ``html_dir`` and write the assembled PDF to ``out``."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, Fit, NameObject

    start = time.monotonic()
    parts = toc_parts()
    docs = [d for _, ds in parts for d in ds]
    missing = [d for d in docs if not (html_dir / f"{d}.html").exists()]
    if missing:
        raise FileNotFoundError(f"the book is not built in {html_dir} ({missing[0]}.html is missing): run `make book`")
    title = yaml.safe_load((ROOT / "_config.yml").read_text())["title"]

    chapters: dict[str, Chapter] = {}
    with serve(html_dir) as base, chromium() as tools:
        tools.send("Emulation.setEmulatedMedia", media="print")
        for doc in docs:
            tools.navigate(f"{base}/{doc}.html")
            tools.evaluate(SETTLED)
            tools.evaluate(OPEN_DROPDOWNS)
            info = tools.evaluate(HEADINGS)
            chapters[doc] = Chapter(doc, info["title"], _print(tools), info["sections"])
            log(f"  printed {doc} ({chapters[doc].pages} pages)")
        # front matter: print it once to learn its length, then again with the final page numbers
        page = 0
        for doc in docs:
            chapters[doc].first_page = page
            page += chapters[doc].pages
        front = _print_html(tools, front_matter(title, parts, chapters, 0))
        n_front = len(PdfReader(io.BytesIO(front)).pages)
        front = _print_html(tools, front_matter(title, parts, chapters, n_front))
        if len(PdfReader(io.BytesIO(front)).pages) != n_front:
            raise RuntimeError("the table of contents changed length between its two printings")
        total = n_front + page
        stamps = PdfReader(io.BytesIO(_print_html(
            tools, page_numbers(total), printBackground=False, displayHeaderFooter=True,
            headerTemplate="<span></span>", footerTemplate=FOOTER)))
        if len(stamps.pages) != total:
            raise RuntimeError(f"page-number sheet has {len(stamps.pages)} pages, expected {total}")

        writer = PdfWriter()
        writer.append(PdfReader(io.BytesIO(front)), import_outline=False)
        start_of = {}
        for doc in docs:
            ch = chapters[doc]
            ch.first_page += n_front
            start_of[doc] = ch.first_page
            writer.append(PdfReader(io.BytesIO(ch.pdf)), import_outline=False)
        assert len(writer.pages) == total

        # bookmarks: part > chapter > its sections (where Chromium's outline put them)
        writer.add_outline_item(title="Contents", page_number=1, fit=Fit.fit())
        for caption, part_docs in parts:
            parent = writer.add_outline_item(title=caption, page_number=start_of[part_docs[0]], fit=Fit.fit())
            for doc in part_docs:
                ch = chapters[doc]
                item = writer.add_outline_item(title=ch.title, page_number=ch.first_page, parent=parent, fit=Fit.fit())
                for name, page_no, top in _section_marks(PdfReader(io.BytesIO(ch.pdf)), ch.sections):
                    writer.add_outline_item(title=name, page_number=ch.first_page + page_no, parent=item,
                                            fit=Fit.xyz(top=top))

        # page numbers (not on the title page), then links: TOC entries and links between chapters
        for i in range(1, total):
            writer.pages[i].merge_page(stamps.pages[i])
        by_path = {f"/{doc}.html": start_of[doc] for doc in docs}
        for i, pg in enumerate(writer.pages):
            annots = pg.get("/Annots")
            if not annots:
                continue
            kept = ArrayObject()
            for ref in annots.get_object():
                annot = ref.get_object()
                uri = str(annot.get("/A", {}).get("/URI", "")) if "/A" in annot else ""
                target = _internal_target(uri, base, by_path)
                if target is None and uri.startswith(("file:", base)):
                    continue  # a link to something that is not in the PDF (a download, the index)
                if target is not None:
                    dest = ArrayObject([writer.pages[target].indirect_reference, NameObject("/Fit")])
                    annot[NameObject("/A")] = DictionaryObject(
                        {NameObject("/S"): NameObject("/GoTo"), NameObject("/D"): dest})
                kept.append(ref)
            pg[NameObject("/Annots")] = kept
        writer.add_metadata({"/Title": title, "/Author": yaml.safe_load(
            (ROOT / "_config.yml").read_text())["author"], "/Creator": "tools/book_pdf.py (Chromium printToPDF)"})
        writer.page_mode = "/UseOutlines"
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".pdf.part")
        with open(tmp, "wb") as fh:
            writer.write(fh)
        tmp.replace(out)
    seconds = time.monotonic() - start
    return {"pages": total, "chapters": len(docs), "seconds": seconds, "bytes": out.stat().st_size}


def _internal_target(uri: str, base: str, by_path: dict[str, int]) -> int | None:
    """The page a link to another chapter (or to the TOC's ``#pN``) should jump to, else None."""
    parts = urllib.parse.urlsplit(uri)
    if parts.fragment.startswith("p") and parts.fragment[1:].isdigit() and parts.scheme == "file":
        return int(parts.fragment[1:]) - 1
    if not uri.startswith(base):
        return None
    return by_path.get(posixpath.normpath(parts.path))


def _section_marks(reader, sections: list[str]):
    """(title, page, top) for each h2 of a chapter, from the outline Chromium generated.

    Chromium's outline holds the chapter's h1 with its sections beneath; its titles sometimes
    repeat a heading's text, so the titles come from the page (``sections``) when the counts agree.
    """
    outline = reader.outline
    children = next((item for item in outline if isinstance(item, list)), [])
    flat = [item for item in children if not isinstance(item, list)]
    names = sections if len(sections) == len(flat) else [str(item.title) for item in flat]
    for name, item in zip(names, flat):
        yield name, reader.get_destination_page_number(item), item.get("/Top")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--html", type=Path, default=ROOT / "_build" / "html", help="the built HTML book")
    ap.add_argument("--out", type=Path, help="the PDF to write (default: book.pdf in the HTML folder)")
    ap.add_argument("-v", "--verbose", action="store_true", help="name each page as it is printed")
    args = ap.parse_args(argv)
    args.out = args.out or args.html / "book.pdf"
    try:
        stats = build(args.html, args.out, log=print if args.verbose else (lambda message: None))
    except (FileNotFoundError, ChromiumError) as exc:
        print(f"book_pdf: {exc}", file=sys.stderr)
        return 1
    print(f"{args.out}: {stats['pages']} pages, {stats['chapters']} chapters, "
          f"{stats['bytes'] / 1e6:.1f} MB, in {stats['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
