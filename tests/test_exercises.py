"""The committed notebooks are exactly what the generator and nbgrader produce, and they validate.

* ``solutions/<id>/<id>.ipynb`` == what ``tools/make_notebooks.py`` writes from the spec;
* ``exercises/<id>/<id>.ipynb`` == what ``nbgrader generate_assignment`` makes of them, stamped
  with the digest of their cells (regenerated here into a temporary course, never over the
  committed copy);
* ``nbgrader validate`` passes on every source notebook and, with ``--invert``, finds no passing
  test on any student copy (every test fails until the student writes code).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from course_lib.grading import pipeline as P
from course_lib.grading import spec
from course_lib.grading.notebook_template import write_all

REPO = Path(__file__).resolve().parents[1]
IDS = [a.id for a in spec.ASSIGNMENTS]


def test_generator_matches_committed_sources(tmp_path):
    write_all(tmp_path)
    for aid in IDS:
        rel = Path("solutions") / aid / f"{aid}.ipynb"
        assert (tmp_path / rel).read_text() == (REPO / rel).read_text(), f"{rel} is stale: run tools/make_notebooks.py"


def test_notebooks_follow_the_template():
    for a in spec.ASSIGNMENTS:
        nb = nbformat.read(REPO / "solutions" / a.id / f"{a.id}.ipynb", as_version=4)
        grade_ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
                     if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
        assert grade_ids == [t.grade_id for t in a.tests]
        for cell in nb.cells:
            md = cell.metadata.get("nbgrader", {})
            if md.get("grade") and cell.cell_type == "code":
                assert cell.source.startswith('"""Check that') and md["locked"]
            if md.get("solution") and cell.cell_type == "code":
                assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source
        headings = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "markdown" and
                    c.source.startswith("## Part")]
        assert len(headings) == len(a.parts) and all("point" in h for h in headings)


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    root = tmp_path_factory.mktemp("regen") / "course"
    root.mkdir()
    shutil.copy(REPO / "nbgrader_config.py", root)
    shutil.copytree(REPO / "solutions", root / "solutions")
    course = P.Course(root)
    P.release(course, log=None)
    return course


@pytest.mark.slow
@pytest.mark.parametrize("aid", IDS)
def test_exercises_are_what_nbgrader_generates(regenerated, aid):
    rel = Path("exercises") / aid / f"{aid}.ipynb"
    fresh = json.loads((regenerated.root / rel).read_text())
    committed = json.loads((REPO / rel).read_text())
    assert fresh == committed, f"{rel} differs from `nbgrader generate_assignment` output: run `make exercises`"
    text = (REPO / rel).read_text()
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text and "hidden=True" not in text


@pytest.mark.slow
@pytest.mark.parametrize("aid", IDS)
def test_source_validates_and_student_copy_fails_every_test(regenerated, aid):
    from nbgrader.validator import Validator

    ok, summary = P.check_notebook(REPO / "solutions" / aid / f"{aid}.ipynb", regenerated)
    assert ok, summary
    student = regenerated.release_dir / aid / f"{aid}.ipynb"
    inverted = Validator(invert=True, config=regenerated.config()).validate(str(student))
    assert "passed" not in inverted and "changed" not in inverted, inverted


@pytest.mark.slow
def test_check_command_summarises_failures(regenerated, capsys):
    from course_lib.cli import main

    aid = IDS[0]
    status = main(["--root", str(regenerated.root), "check", str(regenerated.release_dir / aid / f"{aid}.ipynb")])
    out = capsys.readouterr().out
    n = len(spec.get_assignment(aid).tests)
    assert status == 1
    assert out.rstrip().splitlines()[-1] == f"{aid}.ipynb: NOT ready -- 0 of {n} test cells pass: 0 of {n} automatic points; see above"
    assert "FAIL  sigmoid matches 1 / (1 + exp(-x)) and keeps shape and dtype [test_sigmoid_values, 1 point]" in out
    assert "sigmoid raised NotImplementedError on ordinary inputs (and on 6 more kinds of input)" in out
