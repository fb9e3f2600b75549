"""Keep hidden tests out of the student's kernel and out of what a student sees.

* :class:`StripHiddenTests` (before execution) removes the ``### BEGIN/END HIDDEN TESTS`` blocks
  from the test cells, so the hidden tests never run in the kernel, where the student's code
  could watch them (an IPython hook sees every cell's source, encoded or not). The hidden cases
  are checked by the trusted re-check instead, outside the student's reach (it runs every case
  of every test, hidden and random ones included), and the kernel's ``course_lib`` is the
  student's, without ``hidden_cases.py``.
* :class:`RedactHiddenTests` (after execution), defence in depth: any line of a hidden block
  that appears in an output is replaced with ``[hidden test]``.

Feedback also drops the hidden blocks from the cells' sources (nbgrader's ``ClearHiddenTests``).
"""

from __future__ import annotations

import re

from nbgrader.preprocessors import NbGraderPreprocessor

__all__ = ["MARK", "RedactHiddenTests", "StripHiddenTests", "hidden_lines", "redact"]

MARK = "[hidden test]"
_BLOCK = re.compile(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", re.DOTALL)
_MIN = 8  #: shorter lines ("x = 1") are too common to be worth hiding


def hidden_lines(nb) -> list[str]:
    """Every line of every hidden block in ``nb`` (longest first), plus the block markers.

    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
    ...     "check(f)\\n### BEGIN HIDDEN TESTS\\ncheck(f, hidden=True)\\n### END HIDDEN TESTS")])
    >>> hidden_lines(nb)
    ['### BEGIN HIDDEN TESTS', 'check(f, hidden=True)', '### END HIDDEN TESTS']
    """
    lines = {"### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for block in _BLOCK.findall(cell.source):
            lines.update(s for s in (ln.strip() for ln in block.splitlines()) if len(s) >= _MIN)
    return sorted(lines, key=lambda s: (-len(s), s))


def redact(text: str, lines: list[str]) -> str:
    """``text`` with every occurrence of each of ``lines`` replaced by :data:`MARK`.

    >>> redact("print(secret_case(3))  # x", ["secret_case(3)"])
    'print([hidden test])  # x'
    """
    for line in lines:
        if line in text:
            text = text.replace(line, MARK)
    return text


def _redact_output(out, lines):
    if "text" in out:
        out["text"] = redact(out["text"], lines)
    if out.get("output_type") == "error":
        out["evalue"] = redact(out.get("evalue", ""), lines)
        out["traceback"] = [redact(t, lines) for t in out.get("traceback", [])]
    for mime, value in list(out.get("data", {}).items()):
        if isinstance(value, str):
            out["data"][mime] = redact(value, lines)
        elif isinstance(value, list):
            out["data"][mime] = [redact(v, lines) if isinstance(v, str) else v for v in value]


class StripHiddenTests(NbGraderPreprocessor):
    """Remove the hidden blocks from the code cells before they run (see the module); the lines
    removed are kept in ``resources`` for :class:`RedactHiddenTests`."""

    def preprocess(self, nb, resources):
        resources["course_hidden_lines"] = hidden_lines(nb)
        for cell in nb.cells:
            if cell.cell_type == "code" and "### BEGIN HIDDEN TESTS" in cell.source:
                cell.source = _BLOCK.sub("", cell.source).rstrip()
        return nb, resources


class RedactHiddenTests(NbGraderPreprocessor):
    """Replace the hidden tests' lines in every output of the notebook (see the module)."""

    def preprocess(self, nb, resources):
        lines = sorted(set(hidden_lines(nb)) | set(resources.get("course_hidden_lines", [])),
                       key=lambda s: (-len(s), s))
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                _redact_output(out, lines)
        nb.metadata.pop("widgets", None)  # widget state the kernel sent: the student's to fill, not ours to keep
        return nb, resources
