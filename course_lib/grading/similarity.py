"""``course similarity ASSIGNMENT``: who shares code with whom, and who copied the course's own code.

Each student's solution code (the notebook's solution cells, as submitted) is fingerprinted with
copydetect's winnowing (:class:`copydetect.CodeFingerprint`: tokens with names and literals
normalised, so renaming variables does not hide a copy); the released template's code is
boilerplate (its fingerprints are removed, so the given signatures and docstrings do not count).
Every pair of students is compared (all their solution code), and each student's function (one
solution cell, if it is not a one-liner) with the course's reference code: the
``course_lib.activations`` modules (the book shows these functions with ``literalinclude``), the
book's code cells, and the reference solutions in ``solutions/``. A pair is flagged when the
share of one side's code found in the other reaches ``threshold``.

The report ``grading/report/similarity-<assignment>.html`` lists the flagged pairs, highest
first, with both codes side by side and the shared parts highlighted. It is a lead for a human
to follow, not a verdict: short functions written from the same formula can look alike.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .errors import CourseError, known_assignment

__all__ = ["Pair", "similarity", "student_code"]

NOISE = 12  #: k-gram length in tokens: shorter shared runs are ignored
GUARANTEE = 16  #: any shared run at least this long is found (winnowing window = GUARANTEE - NOISE + 1)
MIN_PART_TOKENS = 45  #: a function shorter than this (after the template is removed) is not compared alone
_BOOK_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(?P<code>.*?)^```", re.DOTALL | re.MULTILINE)


@dataclass
class Pair:
    """``first`` shares ``share_first`` of its code with ``second`` (and ``share_second`` of
    ``second``'s code is in ``first``); ``second`` is a student or a reference source."""

    first: str
    second: str
    share_first: float
    share_second: float
    tokens: int
    reference: bool  #: ``second`` is the course's own code, not a student
    code_first: str = ""
    code_second: str = ""

    @property
    def share(self) -> float:
        return max(self.share_first, 0.0 if self.reference else self.share_second)


def _solution_cells(nb) -> dict[str, str]:
    return {c.metadata["nbgrader"].get("grade_id", f"cell {i}"): c.source for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")}


def student_code(path: Path, template: dict[str, str]) -> dict[str, str]:
    """The code a student wrote, ``{cell name: code}``: the solution cells, or, when the notebook
    lost its metadata, every code cell that is not a cell of the template."""
    nb = nbformat.read(path, as_version=4)
    cells = _solution_cells(nb)
    if not cells:
        given = set(template.values())
        cells = {f"cell {i}": c.source for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source not in given}
    return cells


def _references(course, assignment: str) -> dict[str, str]:
    import course_lib.activations as acts

    from . import spec as _spec

    refs = {}
    for path in sorted(Path(acts.__file__).parent.glob("*.py")):
        refs[f"course_lib/activations/{path.name}"] = path.read_text()
    a = _spec.get_assignment(assignment)
    refs[f"solutions/{assignment}"] = "\n\n".join(p.code for p in a.parts) + "\n"
    book = course.root / "book"
    if not book.is_dir():
        book = Path(acts.__file__).resolve().parents[2] / "book"
    for page in sorted(book.rglob("*.md")) if book.is_dir() else []:
        cells = [m["code"] for m in _BOOK_CELL.finditer(page.read_text(errors="replace"))]
        code = "\n\n".join(c for c in cells if not c.lstrip().startswith(":"))
        if code.strip():
            refs[f"book/{page.relative_to(book).as_posix()}"] = code
    return refs


def _fingerprint(name: str, code: str, boilerplate):
    from copydetect import CodeFingerprint

    return CodeFingerprint(name + ".py", NOISE, GUARANTEE - NOISE + 1, boilerplate, fp=io.StringIO(code))


def similarity(course, assignment: str, threshold: float = 0.6) -> tuple[list[Pair], list[str], Path]:
    """``(flagged pairs, problems, report path)`` for ``assignment``; see the module docstring."""
    from copydetect import compare_files
    from copydetect.utils import highlight_overlap

    known_assignment(assignment)
    if not 0 < threshold <= 1:
        raise CourseError(f"--threshold must be in (0, 1], got {threshold}")
    template_nb = course.release_dir / assignment / f"{assignment}.ipynb"
    if not template_nb.exists():
        raise CourseError(f"{template_nb} is missing: run `course release {assignment}` first")
    template = _solution_cells(nbformat.read(template_nb, as_version=4))
    boilerplate = list(_fingerprint("template", "\n\n".join(template.values()) + "\n", None).hashes)
    problems, students, parts = [], {}, {}
    for sdir in sorted(course.submitted.iterdir()) if course.submitted.exists() else []:
        nb = sdir / assignment / f"{assignment}.ipynb"
        if not nb.is_file() or nb.is_symlink():
            continue
        try:
            code = student_code(nb, template)
            students[sdir.name] = _fingerprint(sdir.name, "\n\n".join(code.values()) + "\n", boilerplate)
            for gid, part in code.items():
                fp = _fingerprint(f"{sdir.name}-{gid}", part, boilerplate)
                if fp.token_coverage >= MIN_PART_TOKENS:
                    parts[(sdir.name, gid)] = fp
        except Exception as exc:  # noqa: BLE001 -- one unreadable notebook is reported, not fatal
            problems.append(f"{sdir.name}: not compared ({type(exc).__name__}: {str(exc)[:120]})")
    if len(students) < 1:
        raise CourseError(f"no submitted {assignment}.ipynb to compare; run `course import {assignment} ...` first")
    refs = {name: _fingerprint(name, code, boilerplate) for name, code in _references(course, assignment).items()}

    def pair(a, fa, b, fb, reference):
        tokens, (s1, s2), (sl1, sl2) = compare_files(fa, fb)
        p = Pair(a, b, float(s1), float(s2), int(tokens), reference)
        if p.share >= threshold:
            p.code_first = highlight_overlap(fa.raw_code, sl1, "<mark>", "</mark>", escape_html=True)[0]
            p.code_second = highlight_overlap(fb.raw_code, sl2, "<mark>", "</mark>", escape_html=True,
                                              truncate=10 if reference else -1)[0]
        return p

    names = sorted(students)
    pairs = [pair(a, students[a], b, students[b], False) for i, a in enumerate(names) for b in names[i + 1:]]
    for (a, gid), fp in sorted(parts.items()):  # each function alone: copying one from the book shows
        best = max(((r, fr, compare_files(fp, fr)[1][0]) for r, fr in refs.items()), key=lambda t: t[2])
        if best[2] >= threshold:
            pairs.append(pair(f"{a} ({gid})", fp, best[0], best[1], True))
    flagged = sorted((p for p in pairs if p.share >= threshold), key=lambda p: -p.share)
    out = course.work / "report" / f"similarity-{assignment}.html"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(_page(assignment, flagged, len(names), threshold, problems), encoding="utf-8")
    except OSError as exc:
        raise CourseError(f"cannot write {out}: {exc.strerror or exc}") from None
    return flagged, problems, out


def _page(assignment, flagged, n, threshold, problems) -> str:
    e = html.escape
    rows, blocks = [], []
    for i, p in enumerate(flagged):
        kind = "the course's code" if p.reference else "student"
        rows.append(f'<tr><td><a href="#p{i}">{e(p.first)}</a></td><td>{e(p.second)} ({kind})</td>'
                    f"<td>{p.share_first:.0%}</td><td>{'' if p.reference else f'{p.share_second:.0%}'}</td>"
                    f"<td>{p.tokens}</td></tr>")
        blocks.append(f'<h3 id="p{i}">{e(p.first)} &harr; {e(p.second)}</h3><div class="pair">'
                      f"<pre>{p.code_first}</pre><pre>{p.code_second}</pre></div>")
    return f"""<!doctype html><meta charset="utf-8"><title>Similarity: {e(assignment)}</title>
<style>body{{font-family:sans-serif;max-width:1400px;margin:auto}}td,th{{border-bottom:1px solid #ccc;padding:3px 8px;
text-align:left}}table{{border-collapse:collapse}}.pair{{display:grid;grid-template-columns:1fr 1fr;gap:1em}}
pre{{background:#f6f6f6;padding:.5em;overflow:auto;font-size:12px}}mark{{background:#ffd27f}}</style>
<h1>Similarity of the solutions to {e(assignment)}</h1>
<p>{n} students compared with each other and with the course's code (course_lib, the book's code cells, the
reference solutions); the released template is ignored. Flagged: a pair sharing at least {threshold:.0%} of
one side's code. A lead to check by hand, not a verdict.</p>
<table><tr><th>student</th><th>shares code with</th><th>of the student's code</th><th>of the other's</th>
<th>shared tokens</th></tr>{''.join(rows) or '<tr><td colspan=5>nothing above the threshold</td></tr>'}</table>
{''.join(blocks)}
<h2>Not compared</h2><ul>{''.join(f'<li>{e(p)}</li>' for p in problems) or '<li>none</li>'}</ul>
"""
