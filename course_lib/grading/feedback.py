"""Feedback a student can read: one self-contained HTML page per student and assignment.

nbgrader's ``generate_feedback`` renders the autograded notebook with the course's preprocessors
(``c.GenerateFeedback.preprocessors`` in ``nbgrader_config.py``): its own ``GetGrades`` and
``ClearHiddenTests``, then :class:`CleanFeedback`, which reduces every error to its reason
sentence (no traceback into the course's code, no hidden-test lines, no absolute paths), keeps
only inert outputs (text, PNG, JPEG: no HTML, SVG or JavaScript) and shows any Markdown the student
could have written with its HTML as text and no ``javascript:`` links (nbgrader's feedback template
predates nbconvert's ``sanitize_html``, which is set too). :func:`write_feedback` then finishes each page: the test names and the reason of every
failing test at the top, and MathJax 3 from the ``sphinx-mathjax-offline`` package inlined in place
of nbgrader's MathJax 2 from a CDN, so the page works offline as a single file. A submission that
could not be graded gets a short page saying why. One student's page that cannot be made is
reported and the others are still written.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from pathlib import Path

from nbgrader.preprocessors import NbGraderPreprocessor

from . import spec as _spec
from .course import _quiet_sqlalchemy
from .errors import CourseError, known_assignments

__all__ = ["CleanFeedback", "mathjax_script", "scrub", "write_feedback"]

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_ABS_PATH = re.compile(r"(?<![\w.:/])(?:/[\w.@+~-]+){2,}/?")
_SAFE_MIME = ("text/plain", "image/png", "image/jpeg", "text/latex")  #: no HTML, SVG or JavaScript
_URL_SCHEME = re.compile(r"(?i)\b(javascript|vbscript|data|file)(\s*):")


def scrub(text: str) -> str:
    """``text`` without terminal colours and with every absolute path cut to its last part.

    >>> scrub("File /home/prof/course/course_lib/grading/checks.py:12 in run")
    'File …/checks.py:12 in run'
    >>> scrub("\\x1b[0;31mAssertionError\\x1b[0m: 1/2 values differ")
    'AssertionError: 1/2 values differ'
    """
    text = _ANSI.sub("", text)
    return _ABS_PATH.sub(lambda m: "…/" + m.group(0).rstrip("/").rsplit("/", 1)[-1], text)


def inert_markdown(source: str) -> str:
    """A student's Markdown with every HTML tag shown as text and no script-capable URL scheme;
    Markdown formatting and ``$math$`` still render.

    >>> inert_markdown('<script>alert(1)</script> *ok* [x](javascript:alert(2)) $a < b$')
    '&lt;script&gt;alert(1)&lt;/script&gt; *ok* [x](javascript-blocked:alert(2)) $a &lt; b$'
    """
    return _URL_SCHEME.sub(r"\1-blocked\2:", html.escape(source, quote=False))


class CleanFeedback(NbGraderPreprocessor):
    """Errors become their reason sentence; outputs keep only inert MIME types; paths are scrubbed;
    Markdown that is not, word for word, a cell of the source notebook in ``solutions/`` (what the
    student wrote or edited, whatever its metadata claims) is made inert."""

    def preprocess(self, nb, resources):
        import nbformat

        self._trusted = set()
        info = resources.get("nbgrader", {})
        root = self.config.CourseDirectory.get("root") or "."
        source_dir = self.config.CourseDirectory.get("source_directory") or "source"
        path = Path(root) / source_dir / str(info.get("assignment", "")) / f"{info.get('notebook', '')}.ipynb"
        if path.is_file():
            self._trusted = {c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type != "code"}
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type in ("markdown", "raw"):
            if cell.source not in getattr(self, "_trusted", set()):
                cell.source = inert_markdown(cell.source)
                cell.cell_type = "markdown"
                cell.pop("attachments", None)
            return cell, resources
        if cell.cell_type != "code":
            return cell, resources
        outputs = []
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                ename = scrub(out.get("ename", "Error"))
                evalue = scrub(out.get("evalue", ""))
                if ename == "AssertionError" or ename == "TrustedRecheckFailed":
                    line = evalue
                else:
                    line = f"{ename}: {evalue}" if evalue else ename
                out.ename, out.evalue = ename, evalue
                out.traceback = [line]
            elif out.output_type == "stream":
                out.text = scrub(out.get("text", ""))
            elif out.output_type in ("display_data", "execute_result"):
                out.data = {k: v for k, v in out.get("data", {}).items() if k in _SAFE_MIME}
                if "text/plain" in out.data:
                    out.data["text/plain"] = scrub(out.data["text/plain"])
                if not out.data:
                    continue
            outputs.append(out)
        cell.outputs = outputs
        return cell, resources


# ---- the finished page -----------------------------------------------------------------------

MATHJAX_CONFIG = """window.MathJax = {
  tex: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']], displayMath: [['$$', '$$'], ['\\\\[', '\\\\]']],
        processEscapes: true, processEnvironments: true, packages: {'[-]': ['html', 'require']}},
  options: {enableMenu: false, ignoreHtmlClass: 'tex2jax_ignore'},
  loader: {load: []},
  svg: {fontCache: 'global'}
};"""


MATHJAX_START = "<!-- MathJax 3 from the sphinx-mathjax-offline package -->"
MATHJAX_END = "<!-- end of MathJax -->"


@lru_cache(maxsize=1)
def mathjax_script() -> str:
    """MathJax 3 (``tex-svg-full.js``, every TeX extension, fonts as SVG paths: nothing else to
    load) from the ``sphinx-mathjax-offline`` package, as inline ``<script>`` elements."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        dist = distribution("sphinx-mathjax-offline")
    except PackageNotFoundError:
        raise CourseError("sphinx-mathjax-offline is not installed; run `make install`") from None
    js = next((f for f in dist.files or [] if str(f).endswith("static/mathjax/tex-svg-full.js")), None)
    if js is None:
        raise CourseError("sphinx-mathjax-offline has no static/mathjax/tex-svg-full.js; reinstall it")
    code = Path(dist.locate_file(js)).read_text(encoding="utf-8").replace("</script", "<\\/script")
    return f"{MATHJAX_START}\n<script>{MATHJAX_CONFIG}</script>\n<script>{code}</script>\n{MATHJAX_END}"


_MATHJAX2 = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.DOTALL)
_TEST_LINK = re.compile(r'<a href="#(?P<gid>[\w.-]+)">Test cell</a>(?P<score> \(Score: [^)]*\))')


def _finish(page: str, result) -> str:
    cells = {c.grade_id: c for c in (result.cells if result else [])}

    def name(m):
        cell = cells.get(m["gid"])
        reason = ""
        if cell is not None and cell.passed is False and cell.message:
            reason = f' &mdash; <span class="reason">{html.escape(scrub(cell.message.splitlines()[0]))}</span>'
        return f'<a href="#{m["gid"]}">{m["gid"]}</a>{m["score"]}{reason}'

    page = _TEST_LINK.sub(name, page)
    page = _MATHJAX2.sub(lambda _: mathjax_script(), page, count=1)
    return page


def _not_graded_page(result) -> str:
    e = html.escape
    return (f'<!doctype html><meta charset="utf-8"><title>{e(result.assignment)}</title>'
            f"<h1>{e(result.assignment)}: {result.score:g} / {result.max_score:g}</h1>"
            f"<p>Your submission could not be graded: {e(scrub(result.message))}</p>"
            f"<p>Files received: {e(', '.join(result.files) or 'none')}</p>")


def write_feedback(course, assignments=None, students=None) -> tuple[list[Path], list[str]]:
    """Write the feedback pages; ``(written, problems)`` with one problem line per page not made."""
    from .deadlines import apply_late_penalties
    from .export import read_results

    assignments = known_assignments(assignments)
    results, problems = read_results(course)
    graded_students = {s for s, _ in results}
    if course.autograded.exists():
        graded_students |= {d.name for d in course.autograded.iterdir() if d.is_dir()}
    for s in students or []:
        if s not in graded_students:
            raise CourseError(f"no graded submission from {s!r}; run `course grade` first, or check the id "
                              "(grading/students.csv maps LMS ids to student ids)")
    apply_late_penalties(course, assignments)
    # sanitise the student's HTML; copy no file but the notebook from the autograded folder
    cfg = course.config({"HTMLExporter.sanitize_html": True, "CourseDirectory.ignore": ["*"]})
    api = course.api(cfg)
    written = []
    for a in _spec.ASSIGNMENTS:
        if assignments and a.id not in assignments:
            continue
        for student in sorted(graded_students):
            if students and student not in students:
                continue
            result = results.get((student, a.id))
            dest = course.feedback_dir / student / a.id / f"{a.id}.html"
            try:
                if (course.autograded / student / a.id / f"{a.id}.ipynb").exists():
                    with _quiet_sqlalchemy():
                        res = api.generate_feedback(a.id, student, force=True)
                    if not res["success"]:
                        errors = [ln for ln in (res.get("log") or "").splitlines() if "ERROR" in ln]
                        problems.append(f"{student}/{a.id}: feedback not written: "
                                        f"{scrub(' | '.join(errors[:2]))[:300] or 'nbgrader failed'}")
                        continue
                    dest.write_text(_finish(dest.read_text(encoding="utf-8"), result), encoding="utf-8")
                elif result is not None and result.status != "graded":
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    dest.write_text(_not_graded_page(result), encoding="utf-8")
                else:
                    continue
            except Exception as exc:  # noqa: BLE001 -- one student's page never stops the others
                problems.append(f"{student}/{a.id}: feedback not written ({type(exc).__name__}: {scrub(str(exc))[:200]})")
                continue
            written.append(dest)
    return written, problems


def feedback(course, assignments=None, students=None) -> list[Path]:
    """The pages written by :func:`write_feedback` (problems are dropped: use that for them)."""
    return write_feedback(course, assignments, students)[0]
