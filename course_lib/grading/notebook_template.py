"""The one template every graded notebook follows, written as code.

``python tools/make_notebooks.py`` (or ``python -m course_lib.grading.notebook_template``)
writes ``solutions/<id>/<id>.ipynb`` for every assignment of :mod:`course_lib.grading.spec`:

1. a header (title, how to work and hand in) and a ``NAME`` cell;
2. the imports;
3. per part: "## Part A — title (n points)" with the specification, the signature and
   docstring with the body between ``### BEGIN SOLUTION`` / ``### END SOLUTION``, a "try it"
   cell with a plot, then one graded test cell per behaviour, each opening with a docstring
   "Check that ..." and keeping its edge cases inside ``### BEGIN HIDDEN TESTS``;
4. optionally a manually graded written answer and an ungraded exploration.

``nbgrader generate_assignment`` turns these into the student copies in ``exercises/``
(:mod:`course_lib.grading.generate`, which never overwrites a student's edits).
"""

from __future__ import annotations

import argparse
import os
import string
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from . import spec as _spec

__all__ = ["build_notebook", "visible_test_source", "write_all"]

HEADER = """\
# {title}

{intro}
**How to work.** Fill in every `YOUR CODE HERE` (delete the `raise NotImplementedError()`), run
the "try it" cells, and run the test cells below each part: they check every kind of input that
grading checks (the kinks, extremes, float32, NaN, ±inf, scalars, 2-D arrays, ...) and print what
is wrong. Grading tries the same kinds on other, hidden values and re-runs your functions in a
clean Python on random inputs, so they must work on their own: use NumPy only (not `course_lib`,
SciPy, PyTorch or TensorFlow).

**Before you hand in**: *Kernel → Restart Kernel and Run All Cells*, save, then run
`course check {id}` in a terminal (in JupyterLab: *File → New → Terminal*). It runs this notebook
in a fresh kernel as grading does, re-runs your functions on random inputs, and says "ready to
hand in" only when grading would give every automatic point. Do not rename the notebook, and do
not edit, delete or copy the test cells. Put your name below.
"""


def _meta(grade_id: str, *, solution=False, grade=False, locked=False, points=None) -> dict:
    md = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
          "solution": solution, "task": False}
    if points is not None:
        md["points"] = points
    return {"nbgrader": md}


def visible_test_source(assignment: _spec.Assignment, test: _spec.Test) -> str:
    """A test cell as the student sees it (no hidden block): what ``course check`` compares with."""
    call = f'checks.run("{assignment.id}", "{test.grade_id}", {test.function})'
    return "\n".join([f'"""{test.doc}"""', "from course_lib.grading import checks", "", call])


def _test_source(assignment: _spec.Assignment, test: _spec.Test) -> str:
    call = f'checks.run("{assignment.id}", "{test.grade_id}", {test.function}'
    lines = [visible_test_source(assignment, test)]
    if any(c.hidden and not c.random for c in test.cases):
        lines += ["### BEGIN HIDDEN TESTS", call + ", hidden=True)", "### END HIDDEN TESTS"]
    return "\n".join(lines)


def build_notebook(assignment: _spec.Assignment) -> nbformat.NotebookNode:
    cells = []

    def add(cell, cid):
        cell["id"] = cid
        cells.append(cell)

    add(new_markdown_cell(HEADER.format(title=assignment.title, intro=assignment.intro, id=assignment.id),
                          metadata=_meta("header", locked=True)), "header")
    add(new_code_cell('NAME = ""\nCOLLABORATORS = ""'), "name")
    add(new_code_cell("import numpy as np"), "imports")
    add(new_code_cell("%matplotlib inline\nimport matplotlib.pyplot as plt"), "plotting")
    for letter, part in zip(string.ascii_uppercase, assignment.parts):
        key = f"part_{letter.lower()}"
        points = f"{part.points} point{'s' if part.points != 1 else ''}"
        add(new_markdown_cell(f"## Part {letter} — {part.title} ({points})\n{part.text.rstrip()}",
                              metadata=_meta(f"{key}_spec", locked=True)), f"{key}-spec")
        add(new_code_cell(part.code.rstrip(), metadata=_meta(f"{key}_solution", solution=True)), f"{key}-solution")
        if part.try_it:
            add(new_code_cell("# Try it (not graded)\n" + part.try_it.rstrip()), f"{key}-try-it")
        for test in part.tests:
            add(new_code_cell(_test_source(assignment, test),
                              metadata=_meta(test.grade_id, grade=True, locked=True, points=test.points)),
                test.grade_id.replace("_", "-"))
    if assignment.written:
        w = assignment.written
        add(new_markdown_cell(w["question"].rstrip(), metadata=_meta(f"{w['grade_id']}_question", locked=True)),
            "written-question")
        add(new_markdown_cell(w["answer"].rstrip(),
                              metadata=_meta(w["grade_id"], solution=True, grade=True, points=w["points"])),
            "written-answer")
    if assignment.epilogue:
        add(new_markdown_cell("## Explore (not graded)"), "explore")
        add(new_code_cell(assignment.epilogue.rstrip()), "explore-code")
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    })
    nb.nbformat_minor = 5
    return nb


def write_all(root: str | os.PathLike = ".", ids=None) -> list[Path]:
    """Write ``solutions/<id>/<id>.ipynb`` under ``root``; returns the paths written."""
    written = []
    for assignment in _spec.ASSIGNMENTS:
        if ids and assignment.id not in ids:
            continue
        path = Path(root) / "solutions" / assignment.id / f"{assignment.id}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = nbformat.writes(build_notebook(assignment)) + "\n"
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            written.append(path)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Write the nbgrader source notebooks from course_lib.grading.spec.")
    parser.add_argument("--root", default=".", help="course root (default: .)")
    parser.add_argument("ids", nargs="*", help="assignment ids (default: all)")
    args = parser.parse_args(argv)
    for path in write_all(args.root, args.ids):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
